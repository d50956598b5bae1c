import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { PRISM_READ_ONLY, prismReadOnlyPattern } from './prism-read-only.ts';

/**
 * `npm run test:prism-target`: the read-only scenarios listed in prism-read-only.ts against Prism's
 * stateless mock of specs/ — the `live` target, its base URLs pointed at Prism (started by
 * prism-target.setup.ts), placeholder credentials, writes off. Any live variables in the caller's
 * environment are overridden: nothing here reaches a vendor.
 */
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: Object.keys(PRISM_READ_ONLY),
    testNamePattern: prismReadOnlyPattern(),
    globalSetup: ['conformance/spec-checks/prism-target.setup.ts'],
    setupFiles: ['conformance/spec-checks/prism-target.env.ts'],
    env: {
      APITWIN_TARGET: 'live',
      APITWIN_ALLOW_WRITES: 'false',
      APITWIN_REPORT_DIR: '',
      SYNQLY_TOKEN: 'prism-placeholder-token',
      CONNXIO_API_KEY: 'cHJpc20tcGxhY2Vob2xkZXIta2V5',
      CONNXIO_CLIENT_ID: '00000000-0000-4000-8000-000000000000',
      CONNXIO_CLIENT_SECRET: 'prism-placeholder-secret',
      CONNXIO_TOKEN_URL: '',
      CONNXIO_CUSTOM_BASE_URL: '',
      CONNXIO_CUSTOM_API_KEY: '',
    },
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
