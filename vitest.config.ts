import { defineConfig } from 'vitest/config';

/** scenarios: run once per target */
const conformance = ['conformance/**/*.test.ts'];
/** tests of the suite itself (its CLI, reports): run once, like unit tests */
const suite = ['conformance/suite/**/*.test.ts'];
/** the shared store: each file starts its own PostgreSQL cluster */
const postgres = ['mock/**/*.pg.test.ts', 'examples/shared-sandbox/*.test.ts'];
/** the specs checked by independent tools (Spectral, Prism's mock and validation proxy, ajv on examples): run once */
const specChecks = ['conformance/spec-checks/**/*.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      // the README's "use it in your own tests" example, run as a user would
      { extends: true, test: { name: 'examples', include: ['examples/vitest/*.test.ts'], globalSetup: ['examples/vitest/global-setup.ts'] } },
      { extends: true, test: { name: 'unit', include: ['mock/**/*.test.ts', 'fixtures/**/*.test.ts', ...suite], exclude: ['mock/ui/**', '**/node_modules/**', ...postgres] } },
      // the shared store on private PostgreSQL clusters (the setup installs Debian's postgresql when missing)
      { extends: true, test: { name: 'postgres', include: postgres, globalSetup: ['mock/core/store/testing/postgres-setup.ts'], testTimeout: 180_000, hookTimeout: 120_000 } },
      // Spectral, Prism (stateless mock, validation proxy in front of the twin, read-only scenarios against Prism), examples
      { extends: true, test: { name: 'specs', include: specChecks, testTimeout: 120_000, hookTimeout: 120_000 } },
      // the dashboard in Debian's Chromium (skipped, saying so, when no chromium binary is installed)
      { extends: true, test: { name: 'ui', include: ['mock/ui/e2e/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 120_000 } },
      { extends: true, test: { name: 'inprocess', include: conformance, exclude: [...suite, ...specChecks], env: { APITWIN_TARGET: 'inprocess' } } },
      // `apitwin conformance --target live|env:PREFIX` sets APITWIN_LIVE; a plain `npm test` has no live target
      ...(process.env.APITWIN_LIVE === '1'
        ? [{ extends: true as const, test: { name: 'live', include: conformance, exclude: [...suite, ...specChecks], env: { APITWIN_TARGET: 'live' }, fileParallelism: false } }]
        : []),
      // `apitwin serve` as a process: in `npm test` a replica on a private PostgreSQL cluster, under the CLI a memory twin (spawned-setup.ts)
      {
        extends: true,
        test: {
          name: 'spawned',
          include: conformance,
          exclude: [...suite, ...specChecks],
          env: { APITWIN_TARGET: 'spawned' },
          globalSetup: ['conformance/support/spawned-setup.ts'],
          // one twin serves every file, and its clock is global: files take turns
          fileParallelism: false,
        },
      },
    ],
  },
});
