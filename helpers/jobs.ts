// Waiting on jobs and measuring them, on top of vi.waitFor with a deadline (never a bare sleep).
import { randomUUID } from 'node:crypto';
import { inject, vi } from 'vitest';
import { isTerminal, type ApiClient, type JobView } from './api-client.ts';
import { healthReportSchema } from './contract.ts';
import { staleWorkers, workerBeats } from './diagnose/release.ts';
import { newRunPrefix } from './run-rows.ts';

let fallbackPrefix: string | undefined;

/** The run's id prefix (made once per run by the global setup, provided to every test file). */
export function runPrefix(): string {
  let provided: string | undefined;
  try {
    provided = inject('runId');
  } catch {
    /* outside a vitest worker */
  }
  return provided ?? (fallbackPrefix ??= newRunPrefix());
}

/**
 * A run id for the jobs one test creates: the run's prefix, then the test's label. A test reads and
 * counts only its own rows by it; the run's cleanup removes every row whose id has the prefix.
 */
export function newRunId(label: string): string {
  return `${runPrefix()}-${label}-${randomUUID().slice(0, 8)}`;
}

/**
 * Polls GET /jobs/:id until the job is succeeded or dead; fails naming its last seen state. While
 * no worker has claimed it, it asks /health now and then: when the API reaches its database and
 * reports no worker heartbeat within E2E_HEARTBEAT_MAX_AGE_MS, no worker is running and none will
 * claim the job, so it fails at once with that cause instead of waiting out its timeout.
 */
export async function waitForFinalState(api: ApiClient, id: string, timeoutMs: number): Promise<JobView> {
  let last: JobView | undefined;
  const started = Date.now();
  let nextLook = started + NO_WORKER_LOOK_AFTER_MS;
  let outcome: { job: JobView } | { noWorker: string };
  try {
    outcome = await vi.waitFor(
      async () => {
        last = await api.getJob(id);
        if (isTerminal(last.state)) return { job: last };
        if ((last.state === 'queued' || last.state === 'retrying') && Date.now() >= nextLook) {
          nextLook = Date.now() + NO_WORKER_LOOK_EVERY_MS;
          const none = await noLiveWorker(api);
          if (none) return { noWorker: none }; // resolving ends the wait
        }
        throw new Error(`still ${last.state}`);
      },
      // 25 ms: a job's final state is seen promptly without the poll itself loading the workers
      // it times (completion times come from server timestamps, not from this poll).
      { timeout: timeoutMs, interval: 25 },
    );
  } catch {
    throw new Error(`job ${id} did not reach succeeded or dead within ${timeoutMs} ms; ${whyNotFinished(last)}`);
  }
  if ('noWorker' in outcome) throw new Error(`job ${id} was not claimed after ${Date.now() - started} ms, last seen ${last!.state}: ${outcome.noWorker}`);
  return outcome.job;
}

const NO_WORKER_LOOK_AFTER_MS = 1_000;
const NO_WORKER_LOOK_EVERY_MS = 1_000;

/** The "no worker is running" diagnosis, when /health shows it with a database it can reach; else undefined. */
async function noLiveWorker(api: ApiClient): Promise<string | undefined> {
  try {
    const parsed = healthReportSchema.safeParse((await api.request('GET', '/health')).body);
    if (!parsed.success) return undefined;
    const { checks } = parsed.data;
    // During a database or pooler outage no heartbeat can be written or read: that is not "no worker".
    if (checks['postgres:connection'][0]?.status !== 'pass') return undefined;
    const diagnosis = staleWorkers(workerBeats(checks['worker:heartbeat']), heartbeatMaxAgeMs());
    return diagnosis?.includes('no worker is running') ? diagnosis : undefined;
  } catch {
    return undefined;
  }
}

function heartbeatMaxAgeMs(): number {
  try {
    return inject('profile').E2E_HEARTBEAT_MAX_AGE_MS;
  } catch {
    return 5_000; // outside a vitest worker: the local profile's value
  }
}

/** The likeliest reason a job is not finished, from what it looked like last. */
function whyNotFinished(last: JobView | undefined): string {
  if (!last) return 'it could never be read';
  const seen = `last seen ${last.state}, attempts ${last.attempts}, lastError ${last.lastError ?? 'none'}`;
  if (last.state === 'running' && last.lockedUntil && new Date(last.lockedUntil).getTime() < Date.now()) {
    const ago = Date.now() - new Date(last.lockedUntil).getTime();
    return `${seen}: its lease (held by ${last.lockedBy}) expired ${ago} ms ago and no worker claimed it again: the workers do not reclaim expired leases`;
  }
  if (last.state === 'queued' || last.state === 'retrying') return `${seen}: no worker claimed it: are workers running and reaching the database through the pooler? Check /health and the worker logs`;
  return `${seen}: check the worker logs`;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))]!;
}

/** Server-side enqueue-to-completion time: finishedAt − createdAt, free of client polling delay. */
export function completionMs(job: JobView): number {
  return new Date(job.finishedAt!).getTime() - new Date(job.createdAt).getTime();
}
