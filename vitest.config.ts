import { defineConfig } from 'vitest/config';

const conformance = ['conformance/**/*.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'unit', include: ['mock/**/*.test.ts', 'fixtures/**/*.test.ts'] } },
      { extends: true, test: { name: 'inprocess', include: conformance, env: { APITWIN_TARGET: 'inprocess' } } },
      {
        extends: true,
        test: {
          name: 'spawned',
          include: conformance,
          env: { APITWIN_TARGET: 'spawned' },
          globalSetup: ['conformance/support/spawned-setup.ts'],
          // one twin serves every file, and its clock is global: files take turns
          fileParallelism: false,
        },
      },
    ],
  },
});
