import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadSpec, specPath } from '../../mock/core/spec.ts';
import { synqlyOperations } from '../../mock/synqly/index.ts';
import { connxioOperations } from '../../mock/connxio/index.ts';
import { buildLedger } from '../../scripts/coverage-ledger.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('specs/COVERAGE.md', () => {
  it('is what `npm run coverage:ledger` generates from the current code, specs and scenarios', async () => {
    expect(readFileSync(join(root, 'specs', 'COVERAGE.md'), 'utf8')).toBe(await buildLedger());
  });
});

describe('emulation', () => {
  it('has a handler for every operation of both vendor specs (none answers 501)', async () => {
    const synqly = await loadSpec(specPath('synqly-management.yaml'));
    const connxio = await loadSpec(specPath('connxio.yaml'));
    expect(synqly.operations).toHaveLength(96);
    expect(synqly.operations.filter((op) => !(op.operationId in synqlyOperations)).map((op) => op.operationId)).toEqual([]);
    expect(connxio.operations.filter((op) => !(op.operationId in connxioOperations)).map((op) => op.operationId)).toEqual([]);
  });
});
