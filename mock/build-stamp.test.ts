import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM script without types
import { isFresh, writeStamp } from '../scripts/build-stamp.mjs';
import { packageRoot } from './core/spec.ts';

/** `npm start` builds only when an input changed since the last build (scripts/build-stamp.mjs). */

const root = mkdtempSync(join(tmpdir(), 'apitwin-stamp-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function put(rel: string, text: string) {
  mkdirSync(join(root, rel, '..'), { recursive: true });
  writeFileSync(join(root, rel), text);
}

describe('the build stamp', () => {
  it('is fresh after a build, stale after a source changes or appears, indifferent to dist/ and node_modules/', () => {
    put('mock/cli.ts', 'one');
    put('specs/a.yaml', 'openapi: 3.0.3');
    put('package.json', '{}');
    put('dist/cli.js', '// built');
    expect(isFresh(root)).toBe(false); // never built
    writeStamp(root);
    expect(isFresh(root)).toBe(true);

    put('dist/cli.js', '// built again, differently');
    put('mock/node_modules/x/index.js', 'ignored');
    expect(isFresh(root)).toBe(true);

    put('mock/cli.ts', 'two!');
    expect(isFresh(root)).toBe(false);
    writeStamp(root);
    const later = new Date(Date.now() + 5000);
    utimesSync(join(root, 'specs/a.yaml'), later, later); // same size, newer
    expect(isFresh(root)).toBe(false);
    writeStamp(root);
    put('fixtures/new.ts', 'new file');
    expect(isFresh(root)).toBe(false);
    writeStamp(root);
    rmSync(join(root, 'dist/cli.js'));
    expect(isFresh(root)).toBe(false);
  });

  it('npm start builds only when stale: `build.mjs --if-stale` on a fresh tree exits at once and leaves dist/ alone', () => {
    const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.start).toMatch(/^node scripts\/build\.mjs --if-stale && node dist\/cli\.js serve/);
    // npm test builds first, so the tree is fresh here
    expect(isFresh(packageRoot()), 'dist/ is older than the sources: run `npm run build` (npm test does)').toBe(true);
    const built = ['cli.js', '.build-stamp', 'ui/index.html'].map((f) => statSync(join(packageRoot(), 'dist', f)).mtimeMs);
    execFileSync(process.execPath, [join(packageRoot(), 'scripts', 'build.mjs'), '--if-stale'], { stdio: 'pipe' });
    expect(['cli.js', '.build-stamp', 'ui/index.html'].map((f) => statSync(join(packageRoot(), 'dist', f)).mtimeMs)).toEqual(built);
  });
});
