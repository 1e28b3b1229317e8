// Graceful shutdown, as a deploy does it: SIGTERM to the API while a request is in flight (it
// completes), SIGTERM to a worker during a job (it finishes within the grace period, or releases
// the job at once so another worker takes it). No job stays `running`; both exit 0.
import http from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiClient } from '../../helpers/api-client.ts';
import { newRunId, waitForFinalState } from '../../helpers/jobs.ts';
import { useOwnStack } from '../../helpers/own-stack.ts';

/** The workers' grace: short, so that a job longer than it is released within the test. */
const GRACE_MS = 1000;
/**
 * The API's grace: the contract's default. An API whose request completes exits at once, so a
 * long grace costs nothing; a short one failed the in-flight check on a busy machine (the client
 * sees the refusal, sends the body, and the job is inserted through the pooler: over 1 s under
 * `npm test`), which cut the request and read as the defect the check is meant to catch.
 */
const API_GRACE_MS = 10_000;
const own = useOwnStack({ label: 'shutdown', serviceEnv: { SHUTDOWN_GRACE_MS: String(GRACE_MS) }, apiEnv: { SHUTDOWN_GRACE_MS: String(API_GRACE_MS) } });

/** Services a test sent SIGTERM: the next test starts only once they have exited and started again. */
const signalled = new Set<string>();
function sigterm(name: string): void {
  signalled.add(name);
  own.stack.control.signal(name, 'SIGTERM');
}

afterEach(async () => {
  const { control, endpoints } = own.stack;
  // A service still shutting down reads as running: wait for its exit (a failed test may leave one
  // exiting), SIGKILL after a bound, then start it again.
  for (const name of signalled) {
    if (control.running(name)) await Promise.race([control.waitForExit(name), vi.waitFor(() => expect(control.running(name)).toBe(false), { timeout: 15_000, interval: 100 })]).catch(() => control.kill(name, 'SIGKILL'));
  }
  signalled.clear();
  for (const name of ['api', ...endpoints.workers]) if (!control.running(name)) await control.start(name);
});

/**
 * A new request is no longer served: the API stopped accepting connections (CONTRACT.md, SIGTERM).
 * Asked with a request, not a bare connect: behind a port mapping (containers) the proxy accepts
 * the connection itself and closes it when nothing listens behind it.
 */
async function refusesNewRequests(url: URL): Promise<boolean> {
  return fetch(new URL('/health/live', url), { signal: AbortSignal.timeout(2_000) }).then(
    () => false,
    () => true,
  );
}

async function holderOf(api: ApiClient, id: string): Promise<string> {
  return vi.waitFor(
    async () => {
      const job = await api.getJob(id);
      if (job.state !== 'running' || !job.lockedBy) throw new Error(`job is ${job.state}`);
      return job.lockedBy;
    },
    { timeout: 10_000, interval: 10 },
  );
}

describe('graceful shutdown', () => {
  it('SIGTERM to the API during an in-flight request: the request completes, then the API exits 0 [A-sigterm]', async ({ task }) => {
    const { endpoints, control } = own.stack;
    const url = new URL(endpoints.apiUrl);
    const body = JSON.stringify({ type: 'echo', payload: { inFlight: true }, runId: newRunId('api-sigterm') });
    // "Expect: 100-continue" makes the API confirm it has the request before the body is sent:
    // the request is provably in flight when SIGTERM arrives.
    let sendBody!: () => void;
    const accepted = new Promise<void>((resolve) => (sendBody = resolve));
    const response = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = http.request(
        {
          host: url.hostname, port: url.port, method: 'POST', path: '/jobs',
          // A connection of its own, closed after the response: an idle keep-alive connection left
          // open would hold an API that waits for its connections until the grace runs out.
          agent: false,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), expect: '100-continue', connection: 'close' },
        },
        (res) => {
          let text = '';
          res.on('data', (d) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode!, text }));
        },
      );
      req.on('error', reject);
      req.on('continue', () => {
        sendBody();
        void vi
          .waitFor(async () => expect(await refusesNewRequests(url)).toBe(true), { timeout: 15_000, interval: 50 })
          .then(() => req.end(body), reject);
      });
    });
    await accepted;
    sigterm('api');
    const res = await response.catch((error: Error & { code?: string }) => {
      const diagnosis = `the request in flight when SIGTERM arrived failed (${error.code ?? error.message}): the API exited before its in-flight request finished`;
      task.meta.e2e = { ...task.meta.e2e, diagnosis: [diagnosis] };
      return expect.fail(diagnosis);
    });
    expect(res.status, res.text).toBe(202);
    expect(await control.waitForExit('api'), 'the API exits 0 after SIGTERM').toBe(0);
  });

  it('SIGTERM to a worker during a short job: it finishes the job, exits 0, and /health no longer lists it [W-sigterm] [H-workers-listed]', async () => {
    const { endpoints, control } = own.stack;
    const api = new ApiClient(endpoints.apiUrl);
    const job = await api.createJob({ type: 'sleep', payload: { ms: GRACE_MS / 2 }, runId: newRunId('worker-sigterm-finish') });
    const holder = await holderOf(api, job.id);
    sigterm(holder);
    expect(await control.waitForExit(holder), `${holder} exits 0 after SIGTERM`).toBe(0);
    const listed = (await api.request<{ checks: { 'worker:heartbeat': { componentId?: string }[] } }>('GET', '/health')).body.checks['worker:heartbeat'].map((h) => h.componentId);
    expect(listed, `/health still lists ${holder}, which stopped (exit 0 after SIGTERM): a worker marked stopped must not be listed`).not.toContain(holder);
    const done = await api.getJob(job.id);
    expect(done.state, 'the job was finished before the worker exited').toBe('succeeded');
    expect(done.executions!.map((e) => [e.workerId, e.outcome])).toEqual([[holder, 'succeeded']]);
  });

  it('SIGTERM to a worker during a job longer than the grace period: released at once, finished by another worker [W-sigterm]', async () => {
    const { endpoints, control } = own.stack;
    const api = new ApiClient(endpoints.apiUrl);
    const job = await api.createJob({ type: 'sleep', payload: { ms: 3_000 }, runId: newRunId('worker-sigterm-release') });
    const holder = await holderOf(api, job.id);
    const signalledAt = Date.now();
    sigterm(holder);
    const code = await control.waitForExit(holder);
    const exitMs = Date.now() - signalledAt;
    expect(code, `${holder} exits 0 after SIGTERM`).toBe(0);
    const right = await api.getJob(job.id);
    expect(right.lockedBy, 'no job stays running on a worker that exited').not.toBe(holder);
    const done = await waitForFinalState(api, job.id, 15_000);
    expect(done.state).toBe('succeeded');
    expect(done.attempts, 'a released attempt is given back').toBe(1);
    expect(done.executions!.map((e) => e.outcome)).toEqual(['released', 'succeeded']);
    expect(done.executions![1]!.workerId).not.toBe(holder);
    console.log(`worker ${holder} released its job and exited ${exitMs} ms after SIGTERM (grace ${GRACE_MS} ms)`);
  });
});
