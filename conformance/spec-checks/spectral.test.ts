import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openApiFiles } from './openapi.ts';
import { binOf, root, runNode } from './processes.ts';

/**
 * Spectral (the OpenAPI recommended rules plus the repo's operationId and example rules, .spectral.yaml)
 * over every spec, exactly as `npm run lint:specs` runs it: zero errors. A small faulty document
 * proves that the repo's own rules are active.
 */

interface SpectralResult {
  code: string;
  message: string;
  severity: number; // 0 error, 1 warning, 2 info, 3 hint
  source?: string;
  path: Array<string | number>;
}

const ERROR = 0;

describe('Spectral', () => {
  it('reports zero errors on every OpenAPI document in specs/ (npm run lint:specs)', async () => {
    const res = await runNode(join(root, 'scripts/lint-specs.mjs'), ['--format', 'json', '--quiet'], { timeoutMs: 110_000 });
    const results = JSON.parse(res.stdout || '[]') as SpectralResult[];
    const errors = results.filter((r) => r.severity === ERROR).map((r) => `${r.source?.replace(`${root}/`, '')} ${r.path.join('.')}: ${r.code} ${r.message}`);
    expect(errors).toEqual([]);
    expect(res.status, res.stderr).toBe(0);
    // what it did lint: warnings name only the OpenAPI documents (and every document was one of them)
    for (const r of results) expect(openApiFiles().map((f) => join(root, f))).toContain(r.source);
  });

  it('fails a document without an operationId or examples, naming the rule', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'apitwin-spectral-'));
    try {
      const doc = join(dir, 'bad.yaml');
      writeFileSync(
        doc,
        [
          'openapi: 3.0.3',
          'info: { title: bad, version: "1", description: a faulty document, contact: { name: apitwin } }',
          'servers: [{ url: "http://127.0.0.1:4010" }]',
          'tags: [{ name: things, description: things }]',
          'paths:',
          '  /things:',
          '    get:',
          '      tags: [things]',
          '      summary: list things',
          '      description: list things',
          '      responses:',
          "        '200':",
          '          description: ok',
          '          content:',
          '            application/json:',
          '              schema: { type: array, items: { $ref: "#/components/schemas/Thing" } }',
          'components:',
          '  schemas:',
          '    Thing: { type: object, properties: { id: { type: string } } }',
          '',
        ].join('\n'),
      );
      const res = await runNode(binOf('@stoplight/spectral-cli', 'spectral'), ['lint', '--ruleset', join(root, '.spectral.yaml'), '--format', 'json', '--quiet', doc], {
        timeoutMs: 60_000,
      });
      const results = JSON.parse(res.stdout || '[]') as SpectralResult[];
      const errors = results.filter((r) => r.severity === ERROR).map((r) => `${r.code} ${r.path.join('.')}`);
      expect(errors.sort()).toEqual([
        'apitwin-body-example paths./things.get.responses.200.content.application/json',
        'apitwin-schema-example components.schemas.Thing',
        'operation-operationId paths./things.get',
      ]);
      expect(res.status).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
