import { defineConfig } from 'vitest/config';

/** scenarios: run once per target */
const conformance = ['conformance/**/*.test.ts'];
/** tests of the suite itself (its CLI, reports): run once, like unit tests */
const suite = ['conformance/suite/**/*.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      // the README's "use it in your own tests" example, run as a user would
      { extends: true, test: { name: 'examples', include: ['examples/vitest/*.test.ts'], globalSetup: ['examples/vitest/global-setup.ts'] } },
      { extends: true, test: { name: 'unit', include: ['mock/**/*.test.ts', 'fixtures/**/*.test.ts', ...suite] } },
      { extends: true, test: { name: 'inprocess', include: conformance, exclude: suite, env: { APITWIN_TARGET: 'inprocess' } } },
      // `apitwin conformance --target live|env:PREFIX` sets APITWIN_LIVE; a plain `npm test` has no live target
      ...(process.env.APITWIN_LIVE === '1'
        ? [{ extends: true as const, test: { name: 'live', include: conformance, exclude: suite, env: { APITWIN_TARGET: 'live' }, fileParallelism: false } }]
        : []),
      {
        extends: true,
        test: {
          name: 'spawned',
          include: conformance,
          exclude: suite,
          env: { APITWIN_TARGET: 'spawned' },
          globalSetup: ['conformance/support/spawned-setup.ts'],
          // one twin serves every file, and its clock is global: files take turns
          fileParallelism: false,
        },
      },
    ],
  },
});
