import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

/** The CI example runs its twin step with the same script this test runs. */
const root = fileURLToPath(new URL('../..', import.meta.url));

describe('examples › GitHub Actions', () => {
  it('starts the twin with with-twin.sh, exports the variables, runs the tests, stops the twin', () => {
    const workflow = parse(readFileSync(join(root, 'examples/ci/github-actions.yml'), 'utf8')) as { jobs: { test: { steps: Array<{ run?: string }> } } };
    const runs = workflow.jobs.test.steps.map((s) => s.run).filter(Boolean) as string[];
    const twinStep = runs.find((r) => r.includes('with-twin.sh'));
    expect(twinStep).toBe('bash node_modules/apitwin/examples/ci/with-twin.sh npm test');
    // the same script, with this repo's CLI standing in for the installed package and a smoke test for `npm test`
    const res = spawnSync('bash', [join(root, 'examples/ci/with-twin.sh'), process.execPath, join(root, 'examples/ci/smoke.mjs')], {
      cwd: root,
      env: { ...process.env, APITWIN_BIN: `${process.execPath} ${join(root, 'dist/cli.js')}` },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(res.status, res.stderr).toBe(0);
    expect(res.stdout).toContain('synqly 200 connxio 200');
  });
});
