// esbuild's options for dist/ (scripts/build.mjs), shared with the test of what `apitwin serve` loads at start (mock/cli-startup.test.ts)
import { join } from 'node:path';

// pino is bundled (its thread-stream transports are never used): loading it from node_modules file by file cost ~20 ms of
// every start; pino-pretty too (its own chunk, imported in a terminal or with --log-format pretty): ~60 ms less there
const external = ['pg', 'pg-native', '@faker-js/faker', '@stoplight/*', 'vitest', 'supertest', 'playwright-core', 'tsx'];

export function bundleOptions(root) {
  return {
    metafile: true,
    entryPoints: { cli: join(root, 'mock/cli.ts'), index: join(root, 'mock/index.ts') },
    outdir: join(root, 'dist'),
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external,
    sourcemap: true,
    // less source to read and parse at every start (~30 % smaller); names are kept, so stack traces still name functions
    minifyWhitespace: true,
    minifySyntax: true,
    logLevel: 'warning',
    banner: { js: "import { createRequire as __apitwinCreateRequire } from 'node:module'; const require = __apitwinCreateRequire(import.meta.url);" },
  };
}
