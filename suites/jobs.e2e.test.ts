// jobs: enqueue to completion through the pooler, retries, dead jobs, the external call, exactly
// one execution per job over two workers, idempotency, and the enqueue-to-completion figures.
import { describe, expect, inject, it } from 'vitest';
import { addMeta } from '../helpers/report/meta.ts';
import { ApiClient } from '../helpers/api-client.ts';
import { withPgClient } from '../helpers/db-client.ts';
import { CAPABILITY_REASONS } from '../helpers/skip.ts';
import { completionMs, newRunId, percentile, waitForFinalState } from '../helpers/jobs.ts';

const stack = inject('stack');
const profile = inject('profile');
const api = new ApiClient(stack.apiUrl);
const timeout = profile.E2E_JOB_TIMEOUT_MS;
// On a live target, jobs that fail attempts (and end dead) show up in the team's own alerting:
// only with E2E_LIVE_DEAD_JOBS=true. Local stacks always run them.
const failingJobs = stack.services || profile.E2E_LIVE_DEAD_JOBS
  ? undefined
  : 'creates jobs that fail attempts or end dead, which the live target\'s alerting would see: set E2E_LIVE_DEAD_JOBS=true to run it on a live target';

describe('jobs', () => {
  // Every job carries the run's id (newRunId); the run's cleanup removes them all afterwards
  // (helpers/run-rows.ts), not this file: vitest gives each file its own module state.

  it('echo reaches succeeded with its payload as the result [J-types]', async () => {
    const payload = { hello: 'world', n: 42, nested: { list: [1, 2, 3] } };
    const job = await api.createJob({ type: 'echo', payload, runId: newRunId('echo') });
    expect(job).toMatchObject({ type: 'echo', state: 'queued', attempts: 0 });
    const done = await waitForFinalState(api, job.id, timeout);
    expect(done.state, `lastError: ${done.lastError}`).toBe('succeeded');
    expect(done.result).toEqual(payload);
    expect(done.attempts).toBe(1);
    expect(done.executions).toHaveLength(1);
    if (stack.workers.length) expect(stack.workers).toContain(done.executions![0]!.workerId);
  });

  it('flaky succeeds after its planned failures, each attempt counted in order, the last error kept [J-types] [J-executions] [J-last-error-kept]', async ({ skip }) => {
    if (failingJobs) skip(failingJobs);
    const job = await api.createJob({ type: 'flaky', payload: { failures: 2 }, maxAttempts: 4, runId: newRunId('flaky') });
    const done = await waitForFinalState(api, job.id, timeout);
    expect(done.state, `lastError: ${done.lastError}`).toBe('succeeded');
    expect(done.attempts, 'flaky with failures 2 fails attempts 1 and 2, then succeeds on attempt 3').toBe(3);
    expect(done.result).toEqual({ succeededOnAttempt: 3 });
    expect(done.executions!.map((e) => e.outcome), 'executions must list every attempt in order (oldest first)').toEqual(['failed', 'failed', 'succeeded']);
    expect(done.executions!.map((e) => e.attempt), 'executions must list every attempt in order (oldest first)').toEqual([1, 2, 3]);
    expect(done.lastError, 'lastError is the most recent failure, kept after a later success').toBe('flaky: planned failure 2 of 2');
    // Backoff: each retry started after the previous attempt finished, never at once.
    const [first, second] = done.executions!;
    expect(new Date(second!.startedAt).getTime()).toBeGreaterThan(new Date(first!.finishedAt!).getTime());
  });

  it('fail ends dead after maxAttempts with its last error [J-states]', async ({ skip }) => {
    if (failingJobs) skip(failingJobs);
    const job = await api.createJob({ type: 'fail', payload: { message: 'boom: planned' }, maxAttempts: 3, runId: newRunId('fail') });
    const done = await waitForFinalState(api, job.id, timeout);
    expect(done.state).toBe('dead');
    expect(done.attempts, 'a failure on the last attempt (maxAttempts 3) ends the job dead: no attempt more').toBe(3);
    expect(done.lastError).toBe('boom: planned');
    expect(done.executions).toHaveLength(3);
  });

  it('external sends the API key header and survives a 503 from the external API [J-external]', async (ctx) => {
    ctx.skip(!stack.capabilities.mockExternal, CAPABILITY_REASONS.mockExternal);
    if (failingJobs) ctx.skip(failingJobs);
    const ref = newRunId('external');
    const plan = await fetch(`${stack.mockUrl}/__mock/failures`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ref, times: 1, status: 503 }),
    });
    expect(plan.ok).toBe(true);
    const job = await api.createJob({ type: 'external', payload: { ref, body: { text: 'hi' } }, maxAttempts: 3, runId: ref });
    const done = await waitForFinalState(api, job.id, timeout);
    expect(done.state, `lastError: ${done.lastError}`).toBe('succeeded');
    expect(done.attempts).toBe(2);
    expect(done.executions![0]!.error).toMatch(/answered 503/);

    const seen = (await (await fetch(`${stack.mockUrl}/__mock/requests?ref=${ref}`)).json()) as { apiKeyValid: boolean; status: number }[];
    expect(seen.map((r) => r.status)).toEqual([503, 200]);
    expect(seen.every((r) => r.apiKeyValid), 'the worker must send EXTERNAL_API_KEY as x-api-key').toBe(true);
    for (const secret of stack.secrets) expect(JSON.stringify(done).includes(secret), 'a secret leaked into the job').toBe(false);
  });

  it('an idempotencyKey returns the same job; the same key with another payload is a 409 [J-idempotent]', async () => {
    const idempotencyKey = newRunId('idem');
    const runId = idempotencyKey;
    const first = await api.createJob({ type: 'echo', payload: { a: 1, b: 2 }, idempotencyKey, runId });
    // Same request, keys in another order: still the same job (jsonb equality).
    const again = await api.postJson<{ id: string }>('/jobs', { type: 'echo', payload: { b: 2, a: 1 }, idempotencyKey, runId });
    expect(again.status, `the same request again (keys in another order) answered ${again.status}: ${again.text.slice(0, 200)}; payloads are compared as JSON, not as text`).toBe(200);
    expect(again.body.id).toBe(first.id);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const conflict = await api.postJson<{ error: { code: string; field: string } }>('/jobs', { type: 'echo', payload: { a: 2 }, idempotencyKey, runId });
    expect(conflict.status, conflict.text).toBe(409);
    expect(conflict.body.error).toMatchObject({ code: 'idempotency_conflict', field: 'idempotencyKey' });
  });

  it('200 jobs over two workers: each runs exactly once, and both workers take part [W-claim-once]', async (ctx) => {
    ctx.skip(!stack.capabilities.directDatabase, CAPABILITY_REASONS.directDatabase);
    const runId = newRunId('exactly-once');
    const ids: string[] = [];
    for (let batch = 0; batch < 10; batch++) {
      const created = await Promise.all(Array.from({ length: 20 }, (_, i) => api.createJob({ type: 'echo', payload: { i: batch * 20 + i }, runId })));
      ids.push(...created.map((j) => j.id));
    }
    expect(new Set(ids).size).toBe(200);
    // The last job enqueued, awaited first: with no worker running this fails at once, naming the cause.
    await waitForFinalState(api, ids[ids.length - 1]!, timeout * 2);
    await withPgClient(stack.directUrl!, async (db) => {
      await expect
        .poll(async () => (await db.query(`SELECT count(*)::int AS n FROM jobs WHERE run_id = $1 AND state = 'succeeded'`, [runId])).rows[0].n, {
          timeout: timeout * 2,
          interval: 50,
          message: 'all 200 jobs should reach succeeded',
        })
        .toBe(200);
      const { rows } = await db.query<{ job_id: string; runs: number; workers: string[] }>(
        `SELECT e.job_id, count(*)::int AS runs, array_agg(e.worker_id) AS workers
           FROM job_executions e JOIN jobs j ON j.id = e.job_id
          WHERE j.run_id = $1 GROUP BY e.job_id`,
        [runId],
      );
      const doubles = rows.filter((r) => r.runs !== 1);
      expect(rows).toHaveLength(200);
      expect(doubles, `jobs executed more than once: ${JSON.stringify(doubles.slice(0, 5))}`).toEqual([]);
      const perWorker = new Map<string, number>();
      for (const r of rows) perWorker.set(r.workers[0]!, (perWorker.get(r.workers[0]!) ?? 0) + 1);
      console.log(`exactly-once: 200 jobs, 0 double runs; per worker: ${JSON.stringify(Object.fromEntries(perWorker))}`);
      // The stack knows its workers; a live target's are whatever it runs.
      if (stack.workers.length) expect([...perWorker.keys()].sort()).toEqual([...stack.workers].sort());
    });
  });

  // The crashed state is built in SQL (a job leased long ago by a worker that no longer exists),
  // rather than waiting for a real crash: the recovery is what is under test.
  it('a job whose worker died is claimed again after its lease expires; its open execution is closed [W-lease-reclaim] [W-crash-closed]', async (ctx) => {
    ctx.skip(!stack.capabilities.directDatabase, CAPABILITY_REASONS.directDatabase);
    if (failingJobs) ctx.skip(failingJobs);
    const runId = newRunId('lease');
    await withPgClient(stack.directUrl!, async (db) => {
      // The jobs and the crashed attempt's execution, still open as the dead worker left it, in one
      // statement: a worker may claim the expired job the moment it exists.
      const { rows } = await db.query<{ id: string; recovered: boolean }>(
        `WITH j AS (
           INSERT INTO jobs (type, payload, state, attempts, max_attempts, run_id, locked_by, locked_until, started_at)
           VALUES ('echo', '{"recovered": true}', 'running', 1, 3, $1, 'ghost-worker', now() - interval '1 second', now() - interval '1 minute'),
                  ('echo', '{"recovered": false}', 'running', 3, 3, $1, 'ghost-worker', now() - interval '1 second', now() - interval '1 minute')
           RETURNING id, (payload->>'recovered')::boolean AS recovered
         ), e AS (
           INSERT INTO job_executions (job_id, attempt, worker_id, started_at)
           SELECT id, 1, 'ghost-worker', now() - interval '1 minute' FROM j WHERE recovered
         )
         SELECT id, recovered FROM j`,
        [runId],
      );
      const retried = rows.find((r) => r.recovered)!.id;
      const exhausted = rows.find((r) => !r.recovered)!.id;
      const recovered = await waitForFinalState(api, retried!, timeout);
      expect(recovered.state).toBe('succeeded');
      expect(recovered.attempts, 'the crashed attempt counts').toBe(2);
      const ghost = recovered.executions!.find((e) => e.workerId === 'ghost-worker')!;
      const open = `the crashed attempt's execution (ghost-worker) is ${ghost.finishedAt ? `closed as ${ghost.outcome} (${ghost.error})` : 'still open'}: a job claimed again after its lease expired must close it as failed with "lease expired…"`;
      expect({ finished: !!ghost.finishedAt, outcome: ghost.outcome, error: ghost.error?.startsWith('lease expired') }, open).toEqual({ finished: true, outcome: 'failed', error: true });
      expect(recovered.executions!.map((e) => e.workerId)).toEqual(['ghost-worker', expect.stringMatching(/^(?!ghost-worker)/)]);
      const buried = await waitForFinalState(api, exhausted!, timeout);
      expect(buried.state).toBe('dead');
      expect(buried.lastError).toMatch(/lease expired on the last attempt/);
    });
  });

  it('enqueue-to-completion latency (figures printed; limits only where the profile sets them)', async ({ task }) => {
    const runId = newRunId('latency');
    const samples: number[] = [];
    for (let i = 0; i < profile.E2E_LATENCY_JOBS; i++) {
      const job = await api.createJob({ type: 'echo', payload: { i }, runId });
      const done = await waitForFinalState(api, job.id, timeout);
      expect(done.state).toBe('succeeded');
      samples.push(completionMs(done));
    }
    const p50 = percentile(samples, 50);
    const p95 = percentile(samples, 95);
    addMeta(task, {
      latency: { jobs: samples.length, p50, p95, max: Math.max(...samples), limitP50: profile.E2E_LATENCY_P50_MS, limitP95: profile.E2E_LATENCY_P95_MS },
    });
    const limits = profile.E2E_LATENCY_P50_MS || profile.E2E_LATENCY_P95_MS ? `profile limits p50 ≤ ${profile.E2E_LATENCY_P50_MS ?? '-'}, p95 ≤ ${profile.E2E_LATENCY_P95_MS ?? '-'}` : 'no limits set: reported only';
    console.log(`enqueue-to-completion over ${samples.length} jobs: p50 ${p50} ms, p95 ${p95} ms, max ${Math.max(...samples)} ms (${limits})`);
    if (profile.E2E_LATENCY_P50_MS) expect(p50, `p50 ${p50} ms is over E2E_LATENCY_P50_MS: is the worker poll-bound?`).toBeLessThanOrEqual(profile.E2E_LATENCY_P50_MS);
    if (profile.E2E_LATENCY_P95_MS) expect(p95, `p95 ${p95} ms is over E2E_LATENCY_P95_MS`).toBeLessThanOrEqual(profile.E2E_LATENCY_P95_MS);
  });
});
