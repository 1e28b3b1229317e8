import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { defineConfig } from 'vitest/config';

/** The containers project runs where a Docker engine answers and `npm run setup` built the images. */
function containersReady(): string | undefined {
  if (!existsSync('.docker-images.env')) return 'the images are not built (npm run setup builds them)';
  try {
    execFileSync('docker', ['info', '--format', '{{.ServerVersion}}'], { stdio: 'ignore', timeout: 5_000 });
    return undefined;
  } catch {
    return 'no Docker engine answers';
  }
}
const containersSkipped = containersReady();
if (containersSkipped && !process.env.VITEST_WORKER_ID) console.log(`[vitest] project e2e-containers left out: ${containersSkipped}`);

const e2eProject = (name: string, include: string[]) => ({
  extends: true as const,
  test: {
    name,
    include,
    // A failure-catalogue scenario (E2E_SCENARIO) hands its broken-stack plan to the harness first.
    globalSetup: [...(process.env.E2E_SCENARIO ? ['scenarios/global-setup.ts'] : []), 'helpers/vitest/global-setup.ts'],
    setupFiles: ['helpers/vitest/per-test.ts'],
    // One stack, shared: suites run one file at a time so figures are not skewed by each other.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});

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
      e2eProject('e2e', ['suites/**/*.e2e.test.ts']),
      // The same suites on containers (the fault suites start native stacks of their own, so they
      // run once, in the e2e project).
      ...(containersSkipped ? [] : [e2eProject('e2e-containers', ['suites/*.e2e.test.ts'])]),
    ],
  },
});
