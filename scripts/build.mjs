// Build: generates the spec types (mock/generated/), bundles the CLI and the programmatic API with esbuild, emits the API's type declarations
// (dist/types), and stores each spec pre-parsed and dereferenced in dist/specs/ so the twin starts
// without parsing YAML.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fingerprint, isFresh, writeStamp } from './build-stamp.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// `--if-stale` (npm start): nothing to do when dist/ was built from the sources as they are
if (process.argv.includes('--if-stale') && isFresh(root)) process.exit(0);
// taken before building: a source edited during the build makes the next start build again
const inputs = fingerprint(root);
const { build } = await import('esbuild');
// request and response types from the specs (mock/generated/), before anything type-checks
const { generateTypes } = await import('./generate-types.mjs');
await generateTypes();

const { bundleOptions } = await import('./bundle-options.mjs');
const bundled = await build(bundleOptions(root));

// chunks of earlier builds (hashed names) would otherwise pile up in dist/ and in `npm pack`
const written = new Set(Object.keys(bundled.metafile.outputs).map((p) => resolve(p)) /* relative to the working directory */);
for (const name of readdirSync(join(root, 'dist'))) {
  const file = join(root, 'dist', name);
  if (/\.js(\.map)?$/.test(name) && !written.has(file)) rmSync(file, { force: true });
}

// declarations for `import … from 'apitwin'` (package.json exports → types)
rmSync(join(root, 'dist', 'types'), { recursive: true, force: true });
execFileSync(process.execPath, [join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc'), '-p', join(root, 'tsconfig.types.json')], { cwd: root, stdio: 'inherit' });

// spec compilation runs the same code the twin uses at run time (mock/core/spec.ts), through tsx
const { writeCompiledSpec } = await import(join(root, 'dist', 'index.js'));
mkdirSync(join(root, 'dist', 'specs'), { recursive: true });
for (const name of readdirSync(join(root, 'specs')).filter((f) => f.endsWith('.yaml'))) {
  const file = join(root, 'specs', name);
  await writeCompiledSpec(file);
}

// each vendor (and admin) operation's request checks as ajv standalone code, bundled one module per operation and kind (the
// first request of an operation imports its own, ~10 ms, instead of ajv and a cold compile, ~90 ms); checks.json
// last, as the index and the freshness mark spec.ts compares with the spec
const { loadSpec, precompiledChecksPath, standaloneChecks } = await import(join(root, 'dist', 'index.js'));
rmSync(join(root, 'dist', 'validators'), { recursive: true, force: true });
for (const name of ['synqly-management.yaml', 'connxio.yaml', 'admin.yaml']) {
  const file = join(root, 'specs', name);
  const { sources, index } = standaloneChecks(await loadSpec(file));
  const outdir = dirname(precompiledChecksPath(file));
  const sourceDir = mkdtempSync(join(tmpdir(), 'apitwin-checks-'));
  try {
    for (const [module, code] of Object.entries(sources)) writeFileSync(join(sourceDir, `${module}.cjs`), code);
    await build({
      entryPoints: Object.keys(sources).map((module) => ({ in: join(sourceDir, `${module}.cjs`), out: module })),
      outdir,
      bundle: true,
      splitting: true, // ajv's runtime helpers and ajv-formats' formats in shared chunks
      platform: 'node',
      format: 'esm',
      target: 'node20',
      nodePaths: [join(root, 'node_modules')],
      minifyWhitespace: true,
      minifySyntax: true,
      logLevel: 'warning',
    });
  } finally {
    rmSync(sourceDir, { recursive: true, force: true });
  }
  writeFileSync(precompiledChecksPath(file), JSON.stringify(index));
}

// the dashboard (mock/ui: Preact + Vite) into dist/ui/, served by every listener under /__ui
const { build: buildUi } = await import('vite');
await buildUi({ configFile: join(root, 'mock', 'ui', 'vite.config.ts'), logLevel: 'warn' });

writeStamp(root, inputs);
