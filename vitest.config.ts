import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'unit', include: ['mock/**/*.test.ts', 'fixtures/**/*.test.ts', 'conformance/report/**/*.test.ts'] } },
    ],
  },
});
