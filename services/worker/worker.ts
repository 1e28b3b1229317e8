// The worker runtime: WORKER_CONCURRENCY claim loops with an adaptive poll (immediately again
// after a job, backing off from WORKER_POLL_MIN_MS to WORKER_POLL_MAX_MS while idle), lease
// renewal for long jobs, a heartbeat, and a graceful stop that finishes or releases what runs.
import type pg from 'pg';
import { retryDelayMs } from '../shared/backoff.ts';
import { isJobType } from '../shared/job-types.ts';
import { nextState, type JobEvent, type JobState } from '../shared/job-states.ts';
import type { Logger } from '../shared/log.ts';
import type { WorkerConfig } from './config.ts';
import { createHandlers } from './handlers.ts';
import { Heartbeat } from './heartbeat.ts';
import { Queue, type ClaimedJob } from './queue.ts';

interface Running {
  job: ClaimedJob;
  abort: AbortController;
  done: Promise<void>;
}

export class Worker {
  private readonly queue: Queue;
  private readonly heartbeat: Heartbeat;
  private readonly handlers;
  private readonly running = new Set<Running>();
  private readonly counts = { done: 0, failed: 0 };
  /** Last time a slot was free: polling for work, or just done with a job. */
  private lastProgressAt = Date.now();
  /** The last database error met, reported in the next heartbeat (then forgotten). */
  private lastError?: { message: string; at: number };
  private stopping = false;
  private wake = new AbortController(); // aborted to cut idle waits short on stop
  private loops: Promise<void>[] = [];
  private beatTimer?: NodeJS.Timeout;
  /** The periodic beat under way, if any: one at a time, and the last word on stop is 'stopped'. */
  private beating?: Promise<void>;

  constructor(
    pool: pg.Pool,
    private readonly config: WorkerConfig,
    private readonly log: Logger,
  ) {
    this.queue = new Queue(pool, config.instanceId, config.leaseMs, config.defects);
    this.heartbeat = new Heartbeat(pool, config);
    this.handlers = createHandlers(config);
  }

  async start(): Promise<void> {
    await this.heartbeat.start();
    // Mutant: WORKER_HEARTBEAT_MS taken for seconds.
    this.beatTimer = setInterval(() => {
      this.beating ??= this.beatOnce().finally(() => (this.beating = undefined));
    }, this.config.heartbeatMs * (this.config.defects.has('heartbeat-seconds') ? 1000 : 1));
    for (let slot = 0; slot < this.config.concurrency; slot++) this.loops.push(this.loop(slot));
    this.log.info(
      `worker ${this.config.instanceId} started: ${this.config.concurrency} slots, release ${this.config.release.commit} (${this.config.release.branch})`,
    );
  }

  /** Stops claiming; waits up to the grace period for running jobs, then releases the rest. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.wake.abort();
    // Not after a beat under way: in an outage that could take its query timeouts, and the jobs'
    // grace must start now. A 'running' beat landing after this one is taken over below.
    await this.heartbeat.beat(this.beatState(), 'stopping').catch(() => undefined);
    const inFlight = [...this.running];
    if (inFlight.length) this.log.info(`stopping: waiting up to ${this.config.shutdownGraceMs} ms for ${inFlight.length} running job(s)`);
    const graceOver = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), this.config.shutdownGraceMs).unref());
    const outcome = await Promise.race([Promise.all(inFlight.map((r) => r.done)).then(() => 'finished' as const), graceOver]);
    if (outcome === 'timeout') {
      for (const r of this.running) {
        r.abort.abort();
        await this.queue.release(r.job).then(
          (state) => {
            this.agree(r.job, 'release', 'running', state);
            this.log.warn(`released job ${r.job.id} (attempt ${r.job.attempts}) unfinished`);
          },
          (error: Error) => this.log.error(`could not release job ${r.job.id}: ${error.message}; its lease will expire`),
        );
      }
    }
    await Promise.allSettled(this.loops);
    clearInterval(this.beatTimer);
    // A periodic beat still in flight would land after 'stopped' and list this worker again as
    // running (seen under load: /health still listed a worker that had exited 0).
    await this.beating;
    await this.heartbeat.beat(this.beatState(), 'stopped').catch(() => undefined);
  }

  private beatState() {
    // With every slot busy since lastProgressAt, the worker is alive but not consuming.
    const allBusy = this.running.size >= this.config.concurrency;
    const lastError = this.lastError && { message: this.lastError.message, ageMs: Date.now() - this.lastError.at };
    return { ...this.counts, running: this.running.size, progressAgeMs: allBusy ? Date.now() - this.lastProgressAt : 0, lastError };
  }

  private async beatOnce(): Promise<void> {
    try {
      await this.heartbeat.beat(this.beatState(), this.stopping ? 'stopping' : 'running');
      this.lastError = undefined;
      const buried = await this.queue.buryExpired();
      for (const job of buried) this.agree(job, 'lease-expired', 'running', 'dead');
      if (buried.length) this.log.warn(`${buried.length} job(s) dead: lease expired on their last attempt`);
    } catch (error) {
      this.noteError('heartbeat', error);
    }
  }

  private async loop(slot: number): Promise<void> {
    let idleMs = this.config.pollMinMs;
    while (!this.stopping) {
      this.lastProgressAt = Date.now();
      let job: ClaimedJob | undefined;
      try {
        job = await this.queue.claim();
      } catch (error) {
        // Mutant: an allow-list of transient errors that misses the pooler going away.
        if (this.config.defects.has('worker-gives-up') && !/timeout|ETIMEDOUT/i.test((error as Error).message)) throw error;
        this.noteError(`slot ${slot}: claim`, error);
        await this.pause(this.config.pollMaxMs * 10);
        continue;
      }
      if (!job) {
        // Mutant: the poll bounds taken for seconds.
        await this.pause(idleMs * (this.config.defects.has('poll-seconds') ? 1000 : 1));
        idleMs = Math.min(this.config.pollMaxMs, idleMs * 2);
        continue;
      }
      idleMs = this.config.pollMinMs;
      // A claim from queued/retrying, or of a running job whose lease expired: the store made it running.
      this.agree({ ...job, attempts: job.attempts - 1 }, job.was === 'running' ? 'lease-expired' : 'claim', job.was, 'running');
      if (this.stopping) {
        await this.queue.release(job).then((state) => this.agree(job, 'release', 'running', state), () => undefined);
        break;
      }
      await this.run(job);
    }
  }

  private async run(job: ClaimedJob): Promise<void> {
    const abort = new AbortController();
    const leaseTimer = setInterval(
      () => void this.queue.extendLease(job).catch((e: Error) => this.log.warn(`lease renewal for ${job.id} failed: ${e.message}`)),
      // Mutant: every three leases instead of a third of one.
      Math.max(100, Math.floor(this.config.defects.has('lease-renew-slip') ? this.config.leaseMs * 3 : this.config.leaseMs / 3)),
    );
    const entry: Running = { job, abort, done: Promise.resolve() };
    entry.done = this.execute(job, abort.signal).finally(() => {
      clearInterval(leaseTimer);
      this.running.delete(entry);
    });
    this.running.add(entry);
    await entry.done;
  }

  private async execute(job: ClaimedJob, signal: AbortSignal): Promise<void> {
    let result: unknown;
    let failure: Error | undefined;
    try {
      if (!isJobType(job.type)) throw new Error(`unknown job type "${job.type}": this worker cannot run it`);
      result = await this.handlers[job.type](job.payload, { id: job.id, attempt: job.attempts, signal });
    } catch (error) {
      failure = error instanceof Error ? error : new Error(String(error));
    }
    if (signal.aborted) return; // released by stop(); nothing more to record
    await this.record(job, result, failure);
  }

  /** Writes the outcome, retrying briefly if the database is unreachable (pooler restart). */
  private async record(job: ClaimedJob, result: unknown, failure: Error | undefined): Promise<void> {
    const deadline = Date.now() + this.config.leaseMs;
    for (let wait = 50; ; wait = Math.min(wait * 2, 2_000)) {
      try {
        if (failure) {
          const delay = retryDelayMs(job.attempts, this.config.backoff);
          const state = await this.queue.fail(job, failure.message, delay);
          this.counts.failed++;
          this.agree(job, 'fail', 'running', state);
          this.log.info(`job ${job.id} (${job.type}) attempt ${job.attempts}/${job.max_attempts} failed → ${state}: ${failure.message}`);
        } else {
          const held = await this.queue.succeed(job, result);
          this.counts.done++;
          if (held) this.agree(job, 'succeed', 'running', 'succeeded');
          if (!held) this.log.warn(`job ${job.id} finished after its lease passed to another worker; result not stored`);
        }
        return;
      } catch (error) {
        if (Date.now() + wait > deadline) {
          this.log.error(`could not record the outcome of job ${job.id}: ${(error as Error).message}; its lease will expire`);
          return;
        }
        this.noteError(`recording job ${job.id}`, error);
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }

  /**
   * The SQL decides each transition; the shared state model (services/shared/job-states.ts) must
   * agree with what the store did, for every event the worker causes, or the contract has drifted.
   */
  private agree(job: { id: string; attempts: number; max_attempts: number }, event: JobEvent, from: JobState, stored: JobState | 'lost'): void {
    if (stored === 'lost') return; // another worker holds the job now: nothing was moved
    let expected: string;
    try {
      expected = nextState({ state: from, attempts: job.attempts, maxAttempts: job.max_attempts }, event);
    } catch (error) {
      expected = `no transition (${(error as Error).message})`;
    }
    if (stored !== expected) this.log.error(`job ${job.id}: ${event} from ${from}: the store moved it to ${stored}, the state model says ${expected}`);
  }

  private noteError(what: string, error: unknown): void {
    const message = (error as Error).message ?? String(error);
    this.lastError = { message: `${what}: ${message}`, at: Date.now() };
    this.log.warn(`${what} failed: ${message}`);
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const signal = this.wake.signal;
      if (signal.aborted) return resolve();
      const onAbort = () => (clearTimeout(timer), resolve());
      const timer = setTimeout(() => (signal.removeEventListener('abort', onAbort), resolve()), ms);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
