import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Per-suite results; a summary line at the end.
    reporters: ['default'],
    // One test file at a time across all projects: the e2e, fault and catalogue runs each start
    // stacks and measure timings; on a 2-core machine running them side by side skews both.
    maxWorkers: 1,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/selftest/**'],
          testTimeout: 10_000,
        },
      },
      {
        extends: true,
        test: {
          // The suite tested as a whole: the post-deploy runner against stacks it starts itself.
          name: 'selftest',
          include: ['test/selftest/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['suites/**/*.e2e.test.ts'],
          globalSetup: ['helpers/vitest/global-setup.ts'],
          setupFiles: ['helpers/vitest/per-test.ts'],
          // One stack, shared: suites run one file at a time so figures are not skewed by each other.
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
