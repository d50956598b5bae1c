import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The dashboard's build (run by scripts/build.mjs, i.e. `npm run build`): Preact + TypeScript,
 * bundled by Vite into dist/ui/, which every listener serves under /__ui. For development,
 * `npx vite mock/ui` serves it with hot reload and proxies /__admin, /v1, /v2 and /oauth to a twin
 * started with `npm start` (Synqly pages through 4010; open Connxio pages on 4020 after a build).
 */
const here = dirname(fileURLToPath(import.meta.url));
const twin = process.env.APITWIN_URL ?? 'http://127.0.0.1:4010';

export default defineConfig({
  root: here,
  base: '/__ui/',
  publicDir: false,
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: join(here, '..', '..', 'dist', 'ui'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    reportCompressedSize: false,
    chunkSizeWarningLimit: 300,
  },
  server: {
    proxy: Object.fromEntries(['/__admin', '/v1', '/v2', '/oauth'].map((p) => [p, { target: twin, changeOrigin: true }])),
  },
});
