// The queue's SQL, each statement one short implicit transaction, pooler-safe (unnamed statements,
// no session state). FOR UPDATE SKIP LOCKED lets workers claim concurrently without blocking each
// other; the lease (locked_until) lets another worker take over a job whose worker died.
import type pg from 'pg';
import type { Defect } from '../shared/defects.ts';
import type { JobState } from '../shared/job-states.ts';

export interface ClaimedJob {
  id: string;
  type: string;
  payload: unknown;
  attempts: number;
  max_attempts: number;
  execution_id: string;
  /** The state the job was claimed from: queued, retrying, or running (a lease that expired). */
  was: JobState;
}

export class Queue {
  constructor(
    private readonly pool: pg.Pool,
    private readonly workerId: string,
    private readonly leaseMs: number,
    private readonly defects: ReadonlySet<Defect> = new Set(),
  ) {}

  /** Claims the next due job (or one whose lease expired) and logs the execution, in one statement. */
  async claim(): Promise<ClaimedJob | undefined> {
    // Defect switches (scenarios/): a named statement breaks through a transaction pooler; without
    // the lease clause a crashed worker's job is never picked up again.
    const named = this.defects.has('named-statements') ? { name: 'claim_next_job' } : {};
    const reclaim = this.defects.has('no-lease-reclaim') ? 'false' : `(state = 'running' AND locked_until < now() AND attempts < max_attempts)`;
    // Mutants: the row lock forgotten (two workers take the same job); the crashed attempt left open.
    const lock = this.defects.has('claim-without-skip-locked') ? '' : 'FOR UPDATE SKIP LOCKED';
    const closeAbandoned = this.defects.has('abandoned-left-open') ? 'false' : 'e.finished_at IS NULL';
    const { rows } = await this.pool.query<ClaimedJob>({
      ...named,
      text: `WITH next AS (
         SELECT id, state AS was FROM jobs
          WHERE (state IN ('queued', 'retrying') AND run_after <= now())
             OR ${reclaim}
          ORDER BY run_after
          LIMIT 1
          ${lock}
       ), claimed AS (
         UPDATE jobs j
            SET state = 'running', attempts = j.attempts + 1, locked_by = $1,
                locked_until = now() + make_interval(secs => $2::double precision / 1000),
                started_at = coalesce(j.started_at, now()), updated_at = now()
           FROM next WHERE j.id = next.id
         RETURNING j.id, j.type, j.payload, j.attempts, j.max_attempts, next.was
       ), abandoned AS (
         -- A previous attempt still open means its worker died holding the lease: close it.
         UPDATE job_executions e
            SET finished_at = now(), outcome = 'failed', error = 'lease expired: the worker stopped responding (crashed or killed)'
           FROM claimed WHERE e.job_id = claimed.id AND ${closeAbandoned}
       ), execution AS (
         INSERT INTO job_executions (job_id, attempt, worker_id)
         SELECT id, attempts, $1 FROM claimed
         RETURNING id
       )
       SELECT claimed.*, execution.id AS execution_id FROM claimed, execution`,
      values: [this.workerId, this.leaseMs],
    });
    return rows[0];
  }

  /** Records success. Returns false when this worker no longer held the lease (another took over). */
  async succeed(job: ClaimedJob, result: unknown): Promise<boolean> {
    // Mutants: a success that wipes the last error; an outcome written without checking the lease.
    const clearError = this.defects.has('success-clears-last-error') ? ', last_error = NULL' : '';
    const guard = this.defects.has('outcome-ignores-lock') ? '$2::text IS NOT NULL' : 'locked_by = $2';
    const { rows } = await this.pool.query<{ held: boolean }>(
      `WITH done AS (
         UPDATE jobs SET state = 'succeeded', result = $3::jsonb, locked_by = NULL, locked_until = NULL,
                         finished_at = now(), updated_at = now()${clearError}
          WHERE id = $1 AND ${guard} AND state = 'running'
         RETURNING id
       )
       UPDATE job_executions SET finished_at = now(), outcome = 'succeeded' WHERE id = $4
       RETURNING EXISTS (SELECT 1 FROM done) AS held`,
      [job.id, this.workerId, JSON.stringify(result ?? null), job.execution_id],
    );
    return rows[0]?.held ?? false;
  }

  /** Records a failure: `retrying` after `delayMs`, or `dead` when no attempts are left. */
  async fail(job: ClaimedJob, message: string, delayMs: number): Promise<'retrying' | 'dead' | 'lost'> {
    // Mutants: off by one on the last attempt; milliseconds written as seconds; no lease check.
    const last = this.defects.has('dead-off-by-one') ? 'attempts > max_attempts' : 'attempts >= max_attempts';
    const seconds = this.defects.has('backoff-seconds') ? '$4::double precision' : '$4::double precision / 1000';
    const guard = this.defects.has('outcome-ignores-lock') ? '$2::text IS NOT NULL' : 'locked_by = $2';
    const { rows } = await this.pool.query<{ state: 'retrying' | 'dead' | null }>(
      `WITH failed AS (
         UPDATE jobs
            SET state = CASE WHEN ${last} THEN 'dead' ELSE 'retrying' END,
                last_error = $3, locked_by = NULL, locked_until = NULL, updated_at = now(),
                run_after = now() + make_interval(secs => ${seconds}),
                finished_at = CASE WHEN ${last} THEN now() END
          WHERE id = $1 AND ${guard} AND state = 'running'
         RETURNING state
       )
       UPDATE job_executions SET finished_at = now(), outcome = 'failed', error = $3 WHERE id = $5
       RETURNING (SELECT state FROM failed) AS state`,
      [job.id, this.workerId, message.slice(0, 2000), delayMs, job.execution_id],
    );
    return rows[0]?.state ?? 'lost';
  }

  /** Hands a job back on shutdown, giving back the attempt it had started. The state it is left in, or 'lost'. */
  async release(job: ClaimedJob): Promise<JobState | 'lost'> {
    // Mutant: the attempt is not given back.
    const giveBack = this.defects.has('release-keeps-attempt') ? '' : 'attempts = attempts - 1, ';
    const { rows } = await this.pool.query<{ state: JobState | null }>(
      `WITH released AS (
         UPDATE jobs SET state = CASE WHEN attempts - 1 > 0 THEN 'retrying' ELSE 'queued' END,
                         ${giveBack}locked_by = NULL, locked_until = NULL,
                         run_after = now(), updated_at = now()
          WHERE id = $1 AND locked_by = $2 AND state = 'running'
         RETURNING state
       )
       UPDATE job_executions SET finished_at = now(), outcome = 'released', error = 'worker shut down' WHERE id = $3
       RETURNING (SELECT state FROM released) AS state`,
      [job.id, this.workerId, job.execution_id],
    );
    return rows[0]?.state ?? 'lost';
  }

  /** Keeps the lease of a long job alive. */
  async extendLease(job: ClaimedJob): Promise<void> {
    await this.pool.query(
      `UPDATE jobs SET locked_until = now() + make_interval(secs => $3::double precision / 1000)
        WHERE id = $1 AND locked_by = $2 AND state = 'running'`,
      [job.id, this.workerId, this.leaseMs],
    );
  }

  /** Jobs whose worker died on their last attempt: dead, with the reason. */
  async buryExpired(): Promise<{ id: string; attempts: number; max_attempts: number }[]> {
    const { rows } = await this.pool.query<{ id: string; attempts: number; max_attempts: number }>(
      `WITH buried AS (
         UPDATE jobs SET state = 'dead', locked_by = NULL, locked_until = NULL, finished_at = now(), updated_at = now(),
                last_error = 'lease expired on the last attempt (held by ' || coalesce(locked_by, '?') || '): the worker stopped or crashed mid-job'
          WHERE state = 'running' AND locked_until < now() AND attempts >= max_attempts
         RETURNING id, attempts, max_attempts
       ), closed AS (
         UPDATE job_executions e SET finished_at = now(), outcome = 'failed', error = 'lease expired on the last attempt'
           FROM buried WHERE e.job_id = buried.id AND e.finished_at IS NULL
       )
       SELECT id, attempts, max_attempts FROM buried`,
    );
    return rows;
  }
}
