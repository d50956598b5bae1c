import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadSpec, specPath } from '../../mock/core/spec.ts';
import { buildLedger } from '../../scripts/coverage-ledger.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('specs/COVERAGE.md', () => {
  it('is what `npm run coverage:ledger` generates from the current code, specs and scenarios', async () => {
    expect(readFileSync(join(root, 'specs', 'COVERAGE.md'), 'utf8')).toBe(await buildLedger());
  });
});

describe('emulation', () => {
  it('the ledger has a row for every operation of both vendor specs, each emulated (none answers 501)', async () => {
    const ledger = await buildLedger();
    for (const file of ['synqly-management.yaml', 'connxio.yaml']) {
      const { operations } = await loadSpec(specPath(file));
      expect(ledger).toContain(`${operations.length} of ${operations.length} operations emulated.`);
      const rows = operations.map((op) => ledger.split('\n').find((line) => line.startsWith(`| \`${op.operationId}\` | ${op.method} \`${op.path}\` |`)));
      expect(operations.filter((_, i) => rows[i] === undefined).map((op) => op.operationId), `${file}: operations without a ledger row`).toEqual([]);
      expect(operations.filter((_, i) => !rows[i]!.includes(' | yes | ')).map((op) => op.operationId), `${file}: operations not emulated`).toEqual([]);
    }
  });
});
