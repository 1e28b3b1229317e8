// waitForFinalState: a job nobody claims fails at once when /health shows no live worker, and
// only then; during a database outage, or with a live worker, it waits out its timeout.
import { describe, expect, it } from 'vitest';
import type { ApiClient, JobView } from '../helpers/api-client.ts';
import { waitForFinalState } from '../helpers/jobs.ts';

const queued: JobView = {
  id: 'j1', type: 'echo', state: 'queued', attempts: 0, maxAttempts: 3, payload: {}, result: null, lastError: null, idempotencyKey: null,
  runId: 'e2e-test', lockedBy: null, lockedUntil: null, createdAt: new Date().toISOString(), startedAt: null, finishedAt: null,
};

function health(database: 'pass' | 'fail', workers: { componentId?: string; observedValue?: number; status: 'pass' | 'warn' | 'fail'; output?: string }[]) {
  return {
    status: database === 'pass' && workers.some((w) => w.status === 'pass') ? 'pass' : 'fail',
    version: '1', releaseId: 'abc', branch: 'main', serviceId: 'api',
    checks: {
      'postgres:connection': [{ status: database }],
      'worker:heartbeat': workers,
      'config:env': [{ status: 'pass', settings: [] }],
    },
  };
}

/** An API whose job stays queued, with the /health body given. */
function api(healthBody: unknown): ApiClient {
  return {
    getJob: async () => queued,
    request: async () => ({ status: 200, headers: new Headers(), body: healthBody, text: JSON.stringify(healthBody) }),
  } as unknown as ApiClient;
}

describe('waitForFinalState when no worker claims the job', () => {
  it('fails at once, naming "no worker is running", when the API reaches its database and lists no live worker', async () => {
    const started = Date.now();
    const error = await waitForFinalState(api(health('pass', [{ status: 'fail', output: 'no worker heartbeat' }])), 'j1', 8_000).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/job j1 was not claimed after \d+ ms, last seen queued: no worker heartbeat fresher than 5\.0 s .*no worker is running/);
    expect(Date.now() - started).toBeLessThan(6_000);
  });

  it('waits out its timeout while the database is unreachable (an outage is not "no worker")', async () => {
    const error = await waitForFinalState(api(health('fail', [{ status: 'fail' }])), 'j1', 1_500).catch((e: Error) => e);
    expect((error as Error).message).toMatch(/did not reach succeeded or dead within 1500 ms; .*no worker claimed it/);
  });

  it('waits out its timeout while a worker beats (busy workers are not "no worker")', async () => {
    const error = await waitForFinalState(api(health('pass', [{ componentId: 'worker-1', observedValue: 300, status: 'pass' }])), 'j1', 1_500).catch((e: Error) => e);
    expect((error as Error).message).toMatch(/did not reach succeeded or dead within 1500 ms/);
  });
});
