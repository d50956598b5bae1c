import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readyLine } from '../../mock/core/ready-line.ts';

/**
 * The package as a user gets it: `npm pack` (of the dist/ the test command built), installed into an
 * empty project offline, then `npx apitwin serve` and `npx apitwin conformance` run from there.
 *
 * Offline needs a lockfile: npm's cache holds the tarballs `npm install` fetched for this repository but
 * not the registry's version lists, so `npm install --offline <tarball>` without a lock cannot resolve
 * a range (ENOTCACHED). The consumer's lock is this repository's, less its devDependencies: the same
 * pinned versions a user's `npm install <tarball>` resolves online.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  license: string;
  dependencies: Record<string, string>;
  bin: Record<string, string>;
  engines: Record<string, string>;
};
// vendor variables or a target from the caller's shell must not steer the installed CLI
const env: NodeJS.ProcessEnv = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => !/^(SYNQLY|CONNXIO)_|^APITWIN_/.test(k) && !/^npm_/.test(k)),
);
Object.assign(env, { npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false', NO_COLOR: '1' });

let work: string;
let project: string;
let tarball: string;

function run(cmd: string, args: string[], cwd: string, timeout = 240_000): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout });
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'apitwin-pack-'));
  // --ignore-scripts: `prepare` would rebuild dist/ under the other tests' feet; the test command built it
  const packed = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], root);
  expect(packed.status, packed.stderr).toBe(0);
  tarball = join(work, (JSON.parse(packed.stdout) as Array<{ filename: string }>)[0]!.filename);

  project = join(work, 'consumer');
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
  const spec = `file:${tarball}`;
  const packages: Record<string, unknown> = {
    '': { name: 'consumer', version: '1.0.0', dependencies: { [pkg.name]: spec } },
    [`node_modules/${pkg.name}`]: { version: pkg.version, resolved: spec, license: pkg.license, dependencies: pkg.dependencies, bin: pkg.bin, engines: pkg.engines },
  };
  for (const [path, entry] of Object.entries(lock.packages)) if (path.startsWith('node_modules/') && !entry.dev) packages[path] = entry;
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, dependencies: { [pkg.name]: spec } }, null, 2));
  writeFileSync(join(project, 'package-lock.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', lockfileVersion: 3, requires: true, packages }, null, 2));
  const installed = run('npm', ['ci', '--offline', '--no-audit', '--no-fund'], project);
  expect(installed.status, `npm ci --offline failed:\n${installed.stderr}`).toBe(0);
}, 300_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('package › installed from its tarball', () => {
  it('ships the CLI, the sources and scenarios the conformance command runs, and not the project’s own tests', () => {
    const listed = run('tar', ['-tzf', tarball], work);
    expect(listed.status, listed.stderr).toBe(0);
    const files = listed.stdout.split('\n').filter(Boolean).map((f) => f.replace(/^package\//, ''));
    for (const needed of ['dist/cli.js', 'dist/index.js', 'dist/types/mock/index.d.ts', 'mock/app.ts', 'conformance/run.ts', 'conformance/synqly/accounts.test.ts', 'conformance/support/spawned-setup.ts', 'specs/synqly-management.yaml', 'vitest.config.ts', 'examples/ci/with-twin.sh', 'README.md']) {
      expect(files, needed).toContain(needed);
    }
    expect(files.some((f) => f.startsWith('dist/ui/')), 'the dashboard build').toBe(true);
    const repoOnly = files.filter((f) => f.startsWith('conformance/suite/') || f.startsWith('conformance/spec-checks/') || /^(mock|fixtures)\/.*\.test\.ts$/.test(f) || f.startsWith('mock/ui/e2e/') || f.startsWith('bench/') || f.startsWith('scripts/') || f.endsWith('.map'));
    expect(repoOnly).toEqual([]);
  });

  it('`npx apitwin serve` starts on free ports and its health answers', async () => {
    const child = spawn('npx', ['apitwin', 'serve', '--memory', '--json', '--synqly-port', '0', '--connxio-port', '0', '--custom-port', '0', '--log-level', 'warn'], {
      cwd: project,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group: npx and the node it starts stop together
    });
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    try {
      const ready = await readyLine<{ urls: Record<'synqly' | 'connxio' | 'custom', string> }>(child, 60_000, (reason, out) => new Error(`${reason}: ${out}${err}`));
      for (const url of Object.values(ready.urls)) {
        expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
        const res = await fetch(`${url}/__admin/health`);
        expect(res.status).toBe(200);
        expect(await res.json()).toMatchObject({ status: 'ok', version: pkg.version });
      }
    } finally {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        process.kill(-child.pid!, 'SIGTERM');
        await exited;
      }
    }
  }, 120_000);

  it('`npx apitwin conformance --target spawned --family accounts` passes', () => {
    const res = run('npx', ['apitwin', 'conformance', '--target', 'spawned', '--family', 'accounts', '--reports', join(work, 'reports')], project);
    expect(res.status, `${res.stdout}\n${res.stderr}`).toBe(0);
    expect(res.stdout).toMatch(/conformance spawned: [1-9]\d* pass, 0 fail/);
    // the scenarios ran from the installed package, not from this repository
    expect(res.stdout).toContain(join(project, 'node_modules', pkg.name));
  }, 300_000);
});
