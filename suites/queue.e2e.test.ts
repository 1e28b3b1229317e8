// queue: promises of the job store that a clean run would not show unless something reads them
// back: every field stored as sent, retry delays within their bounds, a lease renewed while its job
// runs, an outcome refused to a worker that lost its lease, an idle worker picking up work within
// its poll bound. Where a promise needs a situation that rarely happens by itself (a job outliving
// its lease while its worker lives), the situation is built in SQL on purpose.
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, inject, it, vi } from 'vitest';
import { ApiClient, type JobView } from '../helpers/api-client.ts';
import { withPgClient } from '../helpers/db-client.ts';
import { newRunId, waitForFinalState } from '../helpers/jobs.ts';
import { addMeta } from '../helpers/report/meta.ts';
import { CAPABILITY_REASONS } from '../helpers/skip.ts';
import { TEST_SERVICE_ENV } from '../helpers/stack/processes/index.ts';
import { holdsFor } from '../helpers/wait.ts';

const stack = inject('stack');
const profile = inject('profile');
const api = new ApiClient(stack.apiUrl);
const timeout = profile.E2E_JOB_TIMEOUT_MS;
/** The worker settings the stack gave the services (CONTRACT.md, "What the stack gives your services"); unknown on a live target. */
const given = stack.services ? TEST_SERVICE_ENV : undefined;
const UNKNOWN_SETTINGS = "needs the worker's settings (backoff, lease, poll): a local stack gives them; a live target's are its own";
const failingJobs = stack.services || profile.E2E_LIVE_DEAD_JOBS
  ? undefined
  : "creates jobs that fail attempts, which the live target's alerting would see: set E2E_LIVE_DEAD_JOBS=true to run it on a live target";
const ms = (iso: string | null | undefined) => (iso ? new Date(iso).getTime() : NaN);

describe('the job store keeps what it was given', () => {
  it('a job keeps every field as sent, and maxAttempts is 3 when left out [J-stored-as-given]', async ({ task }) => {
    const runId = newRunId('stored');
    const sent = { type: 'echo', payload: { text: 'é 😀', n: 1.5, list: [1, { deep: null }], empty: {} }, maxAttempts: 7, idempotencyKey: `${runId}-key`, runId };
    const created = await api.postJson<JobView>('/jobs', sent);
    expect(created.status, created.text).toBe(202);
    const fields = ['type', 'payload', 'maxAttempts', 'idempotencyKey', 'runId'] as const;
    const differences = (job: JobView, where: string) =>
      fields
        .filter((f) => !isDeepStrictEqual(job[f], sent[f]))
        .map((f) => `${where}: ${f} was sent as ${JSON.stringify(sent[f])} but is ${JSON.stringify(job[f])}`);
    const found = [...differences(created.body, 'the 202 answer'), ...differences(await api.getJob(created.body.id), 'GET /jobs/:id')];
    const defaulted = await api.createJob({ type: 'echo', payload: { d: 1 }, runId });
    if (defaulted.maxAttempts !== 3) found.push(`a job sent without maxAttempts has maxAttempts ${defaulted.maxAttempts}, not the default 3`);
    const diagnosis = `the API accepted the job but does not keep it as sent:\n${found.join('\n')}`;
    if (found.length) addMeta(task, { diagnosis: [diagnosis] });
    expect(found, diagnosis).toEqual([]);
    await waitForFinalState(api, created.body.id, timeout);
  });
});

describe('retries', () => {
  it('each retry delay is within [d/2, d] for d = min(JOB_BACKOFF_MAX_MS, JOB_BACKOFF_BASE_MS · 2^(n-1)) [J-backoff]', async ({ task, skip }) => {
    if (failingJobs) skip(failingJobs);
    if (!given) skip(UNKNOWN_SETTINGS);
    const base = Number(given!.JOB_BACKOFF_BASE_MS);
    const max = Number(given!.JOB_BACKOFF_MAX_MS);
    const bound = (n: number) => Math.min(max, base * 2 ** (n - 1));
    const settings = `JOB_BACKOFF_BASE_MS=${base}, JOB_BACKOFF_MAX_MS=${max}`;
    const job = await api.createJob({ type: 'flaky', payload: { failures: 3 }, maxAttempts: 4, runId: newRunId('backoff') });
    // The delay a failure schedules is the job's runAfter minus that attempt's finishedAt: both are
    // written by the one statement that records the failure, so it is read exactly, not timed.
    const scheduled = (j: JobView & { runAfter?: string }) => {
      const failed = j.executions?.[j.attempts - 1];
      return failed?.finishedAt && j.runAfter ? { attempt: j.attempts, delayMs: ms(j.runAfter) - ms(failed.finishedAt) } : undefined;
    };
    const problems: string[] = [];
    const outOfBounds = (attempt: number, delayMs: number) => {
      const d = bound(attempt);
      return delayMs < d / 2 - 1 || delayMs > d + 1
        ? `after attempt ${attempt} the retry was scheduled ${delayMs} ms later (runAfter minus the attempt's finishedAt); the contract bounds it to [${d / 2}, ${d}] ms with ${settings}` +
            (delayMs > d * 100 ? ': a unit slip (seconds for milliseconds)?' : '')
        : undefined;
    };
    const done = await vi.waitFor(
      async () => {
        const j = (await api.getJob(job.id)) as JobView & { runAfter?: string };
        const s = j.state === 'retrying' ? scheduled(j) : undefined;
        const wrong = s && outOfBounds(s.attempt, s.delayMs);
        if (wrong) return { j, wrong };
        if (j.state !== 'succeeded' && j.state !== 'dead') throw new Error(`still ${j.state} after ${j.attempts} attempts`);
        return { j, wrong: undefined };
      },
      { timeout, interval: 20 },
    );
    if (done.wrong) problems.push(done.wrong);
    else {
      const j = done.j as JobView & { runAfter?: string };
      expect(j.state, `lastError: ${j.lastError}`).toBe('succeeded');
      const executions = j.executions!;
      // Each retry started no earlier than its scheduled delay allows (a claim waits for runAfter).
      for (let n = 1; n < executions.length; n++) {
        const gap = ms(executions[n]!.startedAt) - ms(executions[n - 1]!.finishedAt);
        if (gap < bound(n) / 2 - 1) problems.push(`attempt ${n + 1} started ${gap} ms after attempt ${n} failed; the contract's delay is at least ${bound(n) / 2} ms with ${settings}`);
      }
      // The last failure's delay is still on the job: exactly within its bounds.
      const last = { attempt: 3, delayMs: ms(j.runAfter) - ms(executions[2]!.finishedAt) };
      const wrong = outOfBounds(last.attempt, last.delayMs);
      if (wrong) problems.push(wrong);
      addMeta(task, { figures: { 'retry delay after attempt 3 (ms)': last.delayMs } });
    }
    const diagnosis = `retry delays break the contract's bounds (equal jitter):\n${problems.join('\n')}`;
    if (problems.length) addMeta(task, { diagnosis: [diagnosis] });
    expect(problems, diagnosis).toEqual([]);
  });
});

// The two lease checks side by side: each holds one worker slot with its own job for a few
// seconds, and the shared stack's four slots leave room; one after the other they were 9 s of the
// shared-stack suites' turns, the critical path of `npm run e2e`.
describe.concurrent('leases', () => {
  it('a job that runs longer than its lease keeps it: renewed, run once [W-lease-renewed]', async ({ task, skip }) => {
    if (!given) skip(UNKNOWN_SETTINGS);
    const leaseMs = Number(given!.WORKER_LEASE_MS);
    const job = await api.createJob({ type: 'sleep', payload: { ms: leaseMs + 1_500 }, runId: newRunId('lease-renewed') });
    const done = await waitForFinalState(api, job.id, leaseMs + 1_500 + timeout);
    const runs = done.executions!.map((e) => `${e.workerId}: ${e.outcome}${e.error ? ` (${e.error})` : ''}`);
    const diagnosis =
      `a ${leaseMs + 1_500} ms job ran ${runs.length} times (${runs.join('; ')}): its lease (WORKER_LEASE_MS=${leaseMs}) was not renewed while it ran, ` +
      'so another worker claimed it as abandoned';
    if (runs.length !== 1) addMeta(task, { diagnosis: [diagnosis] });
    expect(runs, diagnosis).toHaveLength(1);
    expect(done.state).toBe('succeeded');
  });

  it('a worker whose lease was taken over cannot write its outcome (built in SQL) [W-outcome-guarded]', async ({ task, skip }) => {
    if (!stack.capabilities.directDatabase) skip(CAPABILITY_REASONS.directDatabase);
    const runId = newRunId('lease-lost');
    const sleepMs = 1_500;
    const thief = `e2e-thief-${runId.slice(-8)}`;
    await withPgClient(stack.directUrl!, async (db) => {
      const job = await api.createJob({ type: 'sleep', payload: { ms: sleepMs }, runId });
      try {
        // While the holder still runs the job, its lease passes to another worker (as when the
        // holder stalled past locked_until and was reclaimed): the holder must not overwrite the
        // new owner. Taken in one statement the moment the job runs, on a connection opened
        // before: a look through the API and then the update could miss a 1.5 s job on a busy
        // machine.
        const holder = await vi.waitFor(
          async () => {
            const { rows } = await db.query<{ holder: string }>(
              `UPDATE jobs j SET locked_by = $2, locked_until = now() + interval '1 hour'
                 FROM (SELECT id, locked_by FROM jobs WHERE id = $1 AND state = 'running' AND locked_by IS NOT NULL FOR UPDATE) old
                WHERE j.id = old.id RETURNING old.locked_by AS holder`,
              [job.id, thief],
            );
            if (!rows[0]) throw new Error(`job ${job.id} is not running yet`);
            return rows[0].holder;
          },
          { timeout: 10_000, interval: 10 },
        );
        // Past the end of the holder's job (and a margin for a busy machine), the job stays the new owner's.
        await holdsFor(sleepMs + 2_500, 100, async () => {
          const j = await api.getJob(job.id);
          const diagnosis =
            `${holder} lost its lease on job ${job.id} to ${thief}, yet its outcome was written: the job is ${j.state}, locked by ${j.lockedBy ?? 'nobody'}` +
            ': outcome writes must check locked_by';
          if (j.state !== 'running' || j.lockedBy !== thief) addMeta(task, { diagnosis: [diagnosis] });
          expect({ state: j.state, lockedBy: j.lockedBy }, diagnosis).toEqual({ state: 'running', lockedBy: thief });
        });
      } finally {
        // The stolen job ends here: nobody will finish it.
        await db.query(
          `UPDATE jobs SET state = 'dead', locked_by = NULL, locked_until = NULL, finished_at = now(), last_error = 'e2e: lease taken over on purpose' WHERE id = $1`,
          [job.id],
        );
      }
    });
  });
});

describe('polling', () => {
  // Each worker slot polls on its own: after an idle spell every slot polls at least every
  // WORKER_POLL_MAX_MS, so jobs enqueued together start together, one per slot. (Timing a single job
  // would not show a slow poll: the first of the slots to wake takes it.)
  it('jobs enqueued together on idle workers all start within WORKER_POLL_MAX_MS (3 rounds) [W-poll]', async ({ task, skip }) => {
    if (!given) skip(UNKNOWN_SETTINGS);
    if (stack.workers.length === 0) skip('no worker in this stack');
    const pollMax = Number(given!.WORKER_POLL_MAX_MS);
    const bound = pollMax + 500; // room for a busy machine
    // The stack's workers with the contract's default WORKER_CONCURRENCY (2): one job per slot.
    const slots = stack.workers.length * 2;
    const runId = newRunId('poll');
    const delays: number[] = [];
    for (let round = 0; round < 3; round++) {
      // A job longer than the bound: a slot that took one cannot take another in time.
      const jobs = await Promise.all(Array.from({ length: slots }, (_, i) => api.createJob({ type: 'sleep', payload: { ms: bound + 100 }, runId: `${runId}-${round}-${i}` })));
      const enqueuedAt = Math.max(...jobs.map((j) => ms(j.createdAt)));
      let started: JobView[] = [];
      try {
        await vi.waitFor(
          async () => {
            started = (await Promise.all(jobs.map((j) => api.getJob(j.id)))).filter((j) => j.executions?.length);
            if (started.length < slots) throw new Error('waiting');
          },
          { timeout: bound * 4, interval: 20 },
        );
      } catch {
        // Left running as little as possible for the next file (bounded: the poll may be very slow).
        await Promise.all(jobs.map((j) => waitForFinalState(api, j.id, 10_000).catch(() => undefined)));
        const diagnosis =
          `${slots} jobs enqueued together on idle workers (${stack.workers.length} workers × WORKER_CONCURRENCY 2): only ${started.length} had started ${bound * 4} ms later; ` +
          `with WORKER_POLL_MAX_MS=${pollMax} every idle slot polls at least that often: the idle poll is slower than WORKER_POLL_MAX_MS`;
        addMeta(task, { diagnosis: [diagnosis] });
        expect.fail(diagnosis);
      }
      delays.push(Math.max(...started.map((j) => ms(j.executions![0]!.startedAt))) - enqueuedAt);
      for (const j of jobs) await waitForFinalState(api, j.id, timeout + bound);
    }
    const median = [...delays].sort((a, b) => a - b)[1]!;
    addMeta(task, { figures: { 'idle slots all busy after, median of 3 (ms)': median } });
    const diagnosis =
      `${slots} jobs enqueued together on idle workers were all running only ${delays.join(', ')} ms later (median ${median} ms); ` +
      `with WORKER_POLL_MAX_MS=${pollMax} every idle slot polls at least that often: the idle poll is slower than WORKER_POLL_MAX_MS`;
    if (median > bound) addMeta(task, { diagnosis: [diagnosis] });
    expect(median, diagnosis).toBeLessThanOrEqual(bound);
  });
});
