// Your own services, in another language, through the post-deploy run: the Python example started
// as a user gives it (commands, configured only by environment), deployed with a stale release.
// The run must fail with the release diagnosis, as it does for the reference services.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProcessStack, type ProcessStack } from '../../helpers/stack/processes/index.ts';
import { REPO_ROOT } from '../../helpers/stack/repo-root.ts';
import { runE2eAgainst } from './run-e2e-child.ts';

const python = (() => {
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import psycopg'], { stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
})();
const STALE = '0ff1ce0ff1ce0ff1ce0ff1ce0ff1ce0ff1ce0ff1';
let stack: ProcessStack | undefined;

describe.skipIf(!python)('the Python services with a stale release (needs /usr/bin/python3 with psycopg: npm run setup)', () => {
  beforeAll(async () => {
    stack = await startProcessStack({
      label: 'selftest-python',
      services: { kind: 'commands', dir: `${REPO_ROOT}/examples/python`, api: '/usr/bin/python3 api.py', worker: '/usr/bin/python3 worker.py', migrate: '/usr/bin/python3 migrate.py' },
      // What the platform would set for a service deploying an old build from another branch.
      serviceEnv: { RENDER_GIT_COMMIT: STALE, RENDER_GIT_BRANCH: 'feature/old-ui' },
    });
  }, 90_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it('fails with the release diagnosis, naming both commits and the branch it deploys from', async () => {
    const e = stack!.endpoints;
    const run = await runE2eAgainst({
      E2E_PROVIDER: 'external',
      API_URL: e.apiUrl,
      DATABASE_URL: e.poolerUrl!,
      EXPECTED_COMMIT: e.release.commit,
      EXPECTED_BRANCH: e.release.branch,
      E2E_HEARTBEAT_MAX_AGE_MS: '5000',
      E2E_JOB_TIMEOUT_MS: '10000',
      E2E_LATENCY_JOBS: '10',
      E2E_LATENCY_P50_MS: '500',
      E2E_LATENCY_P95_MS: '2000',
      // Only the suite whose check this is: the whole suite on these services is the e2e-python project's.
    }, { suites: ['suites/deploy.e2e.test.ts'] });
    expect(run.code, run.summary || run.output.slice(-3000)).toBe(1);
    expect(run.summary).toMatch(/the API runs another release than expected/);
    expect(run.summary).toContain(STALE);
    expect(run.summary).toMatch(/likely cause: the service deploys from branch "feature\/old-ui"/);
  });
});
