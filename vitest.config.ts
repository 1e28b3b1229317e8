import { existsSync, readFileSync } from 'node:fs';
import dotenv from 'dotenv';
import { execFileSync } from 'node:child_process';
import { defineConfig } from 'vitest/config';
import { redactProcessOutput } from './helpers/redact.ts';
import { runSecrets } from './helpers/report/secrets.ts';
import ResilienceFirst from './helpers/vitest/sequencer.ts';

// The console under `npm test` and `npm run e2e*` alike: everything this process prints (reporters,
// errors, the tests' console output forwarded by vitest) passes through the one redactor, which
// knows the environment's secrets and those the global setup collects for the run.
redactProcessOutput(() => runSecrets.values);

/**
 * A probe's answer (undefined: ready; else why not), asked once per run. vitest evaluates this file
 * several times in one run (once per project and more), and each probe starts a process (docker,
 * python3): ~0.4 s a time, paid again by every e2e run the self-tests start. The answer is kept in
 * the environment, which the runs vitest and `npm test` start inherit.
 */
function probedOnce(name: string, probe: () => string | undefined): string | undefined {
  const key = `E2E_CONFIG_PROBE_${name.toUpperCase()}`;
  const kept = process.env[key];
  if (kept !== undefined) return kept === 'ready' ? undefined : kept;
  const answer = probe();
  process.env[key] = answer ?? 'ready';
  return answer;
}

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
const containersSkipped = probedOnce('containers', containersReady);
if (containersSkipped && !process.env.VITEST_WORKER_ID) console.log(`[vitest] project e2e-containers left out: ${containersSkipped}`);

/** The Python example (examples/python) runs where Debian's python3-psycopg is installed. */
function pythonReady(): string | undefined {
  try {
    // Found, not imported: importing psycopg took 0.3 CPU-seconds, paid by every vitest run the
    // self-tests start (about forty in `npm test`); finding it takes 0.03.
    execFileSync('/usr/bin/python3', ['-c', "import importlib.util, sys; sys.exit(importlib.util.find_spec('psycopg') is None)"], { stdio: 'ignore', timeout: 10_000 });
    return undefined;
  } catch {
    return '/usr/bin/python3 with psycopg 3 is missing (npm run setup installs python3-psycopg)';
  }
}
const pythonSkipped = probedOnce('python', pythonReady);
if (pythonSkipped && !process.env.VITEST_WORKER_ID) console.log(`[vitest] projects e2e-python* left out: ${pythonSkipped}`);
/** The same suites on the Python implementation of CONTRACT.md: your own services, as a user gives them. */
const PYTHON_SERVICES: Record<string, string> = {
  E2E_SERVICES_DIR: 'examples/python',
  E2E_API_CMD: '/usr/bin/python3 api.py',
  E2E_WORKER_CMD: '/usr/bin/python3 worker.py',
  E2E_MIGRATE_CMD: '/usr/bin/python3 migrate.py',
};
function pythonImages(): Record<string, string> | undefined {
  if (containersSkipped || !existsSync('.docker-images.env')) return undefined;
  const recorded = dotenv.parse(readFileSync('.docker-images.env'));
  if (!recorded.E2E_PYTHON_API_IMAGE || !recorded.E2E_PYTHON_WORKER_IMAGE) return undefined;
  return { E2E_API_IMAGE: recorded.E2E_PYTHON_API_IMAGE, E2E_WORKER_IMAGE: recorded.E2E_PYTHON_WORKER_IMAGE, E2E_MIGRATE_CMD: 'python3 migrate.py' };
}

// Projects run one group after another (each its own group) when one vitest run has several;
// `npm test` (scripts/test-all.ts) gives each project a run of its own, two runs at a time. Fixed
// numbers, not a counter: vitest may evaluate this file more than once.
const GROUP: Record<string, number> = { unit: 0, e2e: 1, 'e2e-containers': 2, 'e2e-python': 3, 'e2e-python-containers': 4, selftest: 5 };
const CONTAINER_SUITES = process.env.E2E_RESILIENCE_ON_CONTAINERS === '1' ? ['suites/**/*.e2e.test.ts'] : ['suites/*.e2e.test.ts'];
const e2eProject = (name: string, include: string[], profileOverrides?: Record<string, string>) => ({
  extends: true as const,
  test: {
    name,
    include,
    ...(profileOverrides ? { provide: { profileOverrides } } : {}),
    // A failure-catalogue scenario (E2E_SCENARIO) hands its broken-stack plan to the harness first.
    globalSetup: [...(process.env.E2E_SCENARIO ? ['scenarios/global-setup.ts'] : []), 'helpers/vitest/global-setup.ts'],
    // shared-stack-turns: the suites on the shared stack take turns; the resilience files, each on
    // a stack of its own, run beside them (they mostly wait on leases and thresholds).
    setupFiles: ['helpers/vitest/per-test.ts', 'helpers/vitest/shared-stack-turns.ts'],
    // Native stacks are light: the four resilience files and a shared-stack file at once. Container
    // stacks (seven containers each) are not: three files at a time. Against a live target one: its
    // files take turns on the one target anyway (shared-stack-turns) and those that would run
    // beside them skip there, so more workers only started processes that waited for their turn
    // (a post-deploy run: 10 → 6 CPU-seconds, and 7.1 → 6.1 s).
    maxWorkers: process.env.E2E_PROVIDER === 'external' ? 1 : name.includes('containers') ? 3 : 5,
    // Against a live target (E2E_PROVIDER=external, as `run-e2e.ts` sets it for a remote profile)
    // the files share their workers: no stack starts here, so a fresh process per file was most of
    // a post-deploy run's CPU (a run of 13 files: 22 → 16 CPU-seconds, 14 → 12 s). The suites
    // keep no state between files: every file makes its own clients, the shared-stack turn is
    // taken in a setup file (run again for each file), and the files that start processes or
    // stacks of their own (resilience, config, containers) skip on a live target anyway.
    isolate: process.env.E2E_PROVIDER !== 'external',
    sequence: { groupOrder: GROUP[name]! },
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});

export default defineConfig({
  test: {
    // Per-suite results; a summary line at the end.
    reporters: ['default'],
    // Within a project the resilience files start first, also on a fresh clone (see the sequencer).
    sequence: { sequencer: ResilienceFirst },
    // One test file at a time unless a project says otherwise: the self-tests and the catalogue
    // start stacks and measure timings; on a 2-core machine running them side by side skews both.
    maxWorkers: 1,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          sequence: { groupOrder: GROUP.unit! },
          exclude: ['test/selftest/**'],
          setupFiles: ['test/support/remove-temp-dirs.ts'],
          // Unit tests start no stack: both cores.
          maxWorkers: 2,
          // One process per worker for all their files, not a fresh one per file: the 28 files each
          // paid vitest's start in a process of their own (22 → 13 CPU-seconds, 15 → 10 s). They
          // share no state: no module mocks, no stubbed globals or environment.
          isolate: false,
          testTimeout: 10_000,
        },
      },
      {
        extends: true,
        test: {
          // The suite tested as a whole: the post-deploy runner against stacks it starts itself.
          name: 'selftest',
          include: ['test/selftest/**/*.test.ts'],
          sequence: { groupOrder: GROUP.selftest! },
          testTimeout: 180_000,
          hookTimeout: 120_000,
        },
      },
      e2eProject('e2e', ['suites/**/*.e2e.test.ts']),
      // The same suites on containers. The resilience suites can run on containers (control through
      // Docker: `npx vitest run --project e2e-containers suites/resilience` with E2E_RESILIENCE_ON_CONTAINERS=1)
      // but are left out by default: with a CPU hog on one core they failed 3 of 9 (slow first pooler
      // connections, docker-proxy resets); the e2e project runs them on native processes.
      ...(containersSkipped ? [] : [e2eProject('e2e-containers', CONTAINER_SUITES)]),
      // The Python implementation through the same suites: as commands (resilience included), and as images.
      ...(pythonSkipped ? [] : [e2eProject('e2e-python', ['suites/**/*.e2e.test.ts'], PYTHON_SERVICES)]),
      ...(pythonSkipped || !pythonImages() ? [] : [e2eProject('e2e-python-containers', CONTAINER_SUITES, pythonImages())]),
    ],
  },
});
