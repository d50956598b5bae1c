import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

  it('with its default APITWIN_BIN (npx apitwin) it stops the twin itself, not only npx', async () => {
    // a project with apitwin installed: node_modules/apitwin is this repo, its bin a launcher of dist/cli.js
    const project = mkdtempSync(join(tmpdir(), 'apitwin-npx-'));
    try {
      writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
      mkdirSync(join(project, 'node_modules', '.bin'), { recursive: true });
      symlinkSync(root, join(project, 'node_modules', 'apitwin'), 'dir');
      const bin = join(project, 'node_modules', '.bin', 'apitwin');
      writeFileSync(bin, `#!/bin/sh\nexec "${process.execPath}" "${join(project, 'node_modules', 'apitwin', 'dist', 'cli.js')}" "$@"\n`);
      chmodSync(bin, 0o755);
      const env: NodeJS.ProcessEnv = { ...process.env, npm_config_yes: 'false', npm_config_offline: 'true' };
      delete env.APITWIN_BIN;
      const res = spawnSync('bash', [join(root, 'examples/ci/with-twin.sh'), process.execPath, '-e', 'console.log(process.env.SYNQLY_BASE_URL)'], { cwd: project, env, encoding: 'utf8', timeout: 60_000 });
      expect(res.status, res.stderr).toBe(0);
      const url = res.stdout.trim().split('\n').pop()!;
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      // the script has exited: the twin must be gone too (it answers nothing within a few seconds)
      let answering = true;
      for (let i = 0; i < 50 && answering; i++) {
        answering = await fetch(`${url}/__admin/health`).then(() => true, () => false);
        if (answering) await new Promise((r) => setTimeout(r, 100));
      }
      expect(answering, `the twin at ${url} still answers after with-twin.sh exited`).toBe(false);
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });
});
