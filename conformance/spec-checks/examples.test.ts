import type { ValidateFunction } from 'ajv';
import { describe, expect, it } from 'vitest';
import { makeAjv } from '../../mock/core/validation.ts';
import { examplesOf, openApiFiles, readDocument, type Node } from './openapi.ts';

/**
 * Every schema carries at least one example (named schemas, request and response bodies,
 * parameters, response headers), and every example and default validates against its schema —
 * with the twin's own ajv settings (mock/core/validation.ts: formats checked, no coercion), so an
 * example is valid exactly when the twin would accept it as a body.
 */

const files = openApiFiles();

describe('examples in specs/', () => {
  it('finds the OpenAPI documents', () => {
    expect(files).toEqual(expect.arrayContaining(['specs/synqly-management.yaml', 'specs/connxio.yaml', 'specs/admin.yaml']));
  });

  for (const file of files) {
    describe(file, async () => {
      const doc = await readDocument(file);
      const { sites, missing } = examplesOf(doc);

      it('gives every schema, body, parameter and header at least one example', () => {
        expect(missing.map((m) => `${m.what} ${m.pointer}`)).toEqual([]);
      });

      it('has examples and defaults that satisfy their schemas', () => {
        const ajv = makeAjv(false);
        const compiled = new WeakMap<Node, ValidateFunction>();
        const failures: string[] = [];
        for (const site of sites) {
          let validate = compiled.get(site.schema);
          if (!validate) compiled.set(site.schema, (validate = ajv.compile(site.schema)));
          if (!validate(structuredClone(site.value))) {
            const why = (validate.errors ?? []).slice(0, 3).map((e) => `${e.instancePath || '/'} ${e.message}`);
            failures.push(`${site.kind} at ${site.pointer}: ${why.join('; ')}`);
          }
        }
        expect(sites.length).toBeGreaterThan(0);
        expect(failures).toEqual([]);
      });
    });
  }
});

describe('examplesOf', () => {
  it('reports a missing example and an invalid one, at their places in the document', async () => {
    const raw = {
      openapi: '3.0.3',
      info: { title: 't', version: '1' },
      paths: {
        '/things': {
          get: {
            parameters: [{ name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1 } }],
            responses: { '200': { description: 'ok', content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } } } },
          },
        },
      },
      components: { schemas: { Thing: { type: 'object', required: ['id'], properties: { id: { type: 'string', format: 'uuid', example: 'nope' } } } } },
    };
    const { sites, missing } = examplesOf({ file: 'x.yaml', raw, resolved: structuredClone(raw) as Node });
    expect(missing.map((m) => m.pointer).sort()).toEqual(['#/components/schemas/Thing', '#/paths/~1things/get/parameters/0', '#/paths/~1things/get/responses/200/content/application~1json']);
    expect(sites).toEqual([{ pointer: '#/components/schemas/Thing/properties/id/example', kind: 'example', value: 'nope', schema: { type: 'string', format: 'uuid', example: 'nope' } }]);
    expect(makeAjv(false).compile(sites[0]!.schema)(sites[0]!.value)).toBe(false);
  });
});
