// The worker's only health signal: a row per instance with its release identity, refreshed every
// WORKER_HEARTBEAT_MS. The API's /health and the suite read its age and jobs_done.
import type pg from 'pg';
import type { WorkerConfig } from './config.ts';

export class Heartbeat {
  constructor(
    private readonly pool: pg.Pool,
    private readonly config: WorkerConfig,
  ) {}

  async start(): Promise<void> {
    await this.pool.query(
      `INSERT INTO worker_heartbeats (instance_id, service, release_commit, branch, started_at, last_beat_at, jobs_done, jobs_failed, status)
       VALUES ($1, $2, $3, $4, now(), now(), 0, 0, 'running')
       ON CONFLICT (instance_id) DO UPDATE
         SET service = EXCLUDED.service, release_commit = EXCLUDED.release_commit, branch = EXCLUDED.branch,
             started_at = now(), last_beat_at = now(), jobs_done = 0, jobs_failed = 0, status = 'running',
             last_progress_at = now(), running_jobs = 0, last_error = NULL, last_error_at = NULL`,
      [this.config.instanceId, this.config.serviceId, this.config.release.commit, this.config.release.branch],
    );
  }

  async beat(
    state: { done: number; failed: number; running: number; progressAgeMs: number; lastError?: { message: string; ageMs: number } },
    status: 'running' | 'stopping' | 'stopped' = 'running',
  ): Promise<void> {
    await this.pool.query(
      `UPDATE worker_heartbeats
          SET last_beat_at = now(), jobs_done = $2, jobs_failed = $3, status = $4, running_jobs = $5,
              last_progress_at = now() - make_interval(secs => $6::double precision / 1000),
              last_error = coalesce($7, last_error),
              last_error_at = CASE WHEN $7::text IS NULL THEN last_error_at ELSE now() - make_interval(secs => $8::double precision / 1000) END
        WHERE instance_id = $1`,
      [this.config.instanceId, state.done, state.failed, status, state.running, state.progressAgeMs, state.lastError?.message.slice(0, 500) ?? null, state.lastError?.ageMs ?? 0],
    );
  }
}
