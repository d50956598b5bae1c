import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));

describe('a listener between requests', () => {
  it('keeps its latest response alive through full collections (so an idle twin keeps building responses with fast properties)', () => {
    const child = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', join(here, 'testing/latest-response-child.ts')], { encoding: 'utf8', timeout: 60_000 });
    expect(child.status, child.stderr).toBe(0);
    const result = JSON.parse(child.stdout.trim().split('\n').pop()!) as { twinKeeps: boolean; bareKeeps: boolean };
    // the control: without a reference, the collections do take a finished response
    expect(result.bareKeeps).toBe(false);
    expect(result.twinKeeps).toBe(true);
  });
});
