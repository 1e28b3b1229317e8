// Health endpoints in the shape of draft-inadarei-api-health-check (application/health+json).
//   /health        full report: database round trip, worker heartbeat age, configuration sources
//   /health/live   the process answers; touches nothing else
//   /health/ready  503 until the database answers through the pooler
import type pg from 'pg';
import type { ApiConfig } from './config.ts';

export type HealthStatus = 'pass' | 'warn' | 'fail';

export interface HealthCheck {
  componentType?: string;
  observedValue?: unknown;
  observedUnit?: string;
  status: HealthStatus;
  time: string;
  output?: string;
  [extra: string]: unknown;
}

export interface HealthReport {
  status: HealthStatus;
  version: string;
  releaseId: string;
  branch: string;
  serviceId: string;
  description: string;
  checks: Record<string, HealthCheck[]>;
}

const worst = (statuses: HealthStatus[]): HealthStatus =>
  statuses.includes('fail') ? 'fail' : statuses.includes('warn') ? 'warn' : 'pass';

export async function checkDatabase(pool: pg.Pool, config: ApiConfig): Promise<HealthCheck> {
  const started = performance.now();
  const time = new Date().toISOString();
  // Defect switch: a health check that never touches the database.
  if (config.defects.has('health-lies')) return { componentType: 'datastore', observedValue: 0.1, observedUnit: 'ms', status: 'pass', time };
  try {
    await pool.query('SELECT 1');
    return {
      componentType: 'datastore',
      observedValue: Math.round((performance.now() - started) * 10) / 10,
      observedUnit: 'ms',
      status: 'pass',
      time,
    };
  } catch (error) {
    return { componentType: 'datastore', status: 'fail', time, output: `database round trip through DATABASE_URL failed: ${(error as Error).message}` };
  }
}

/** pass below the warn threshold, warn from it, fail from the fail threshold (CONTRACT.md). */
export function heartbeatStatus(ageMs: number, warnMs: number, failMs: number): HealthStatus {
  return ageMs >= failMs ? 'fail' : ageMs >= warnMs ? 'warn' : 'pass';
}

/**
 * One entry per worker that beat recently (within 3 × the fail threshold), freshest first, each
 * with its own age, status and release identity: the platform gives workers no health check, so
 * this is how anyone outside learns which code the workers run. With no such worker, a single
 * fail entry says so. The component's status is that of the freshest worker.
 */
export async function checkWorkerHeartbeat(pool: pg.Pool, config: ApiConfig): Promise<HealthCheck[]> {
  const time = new Date().toISOString();
  try {
    const { rows } = await pool.query<{
      instance_id: string; age_ms: string; stalled_ms: string; release_commit: string; branch: string; jobs_done: string; started_at: Date; status: string;
      last_error: string | null; error_age_ms: string | null;
    }>(
      `SELECT instance_id, (EXTRACT(EPOCH FROM (now() - last_beat_at)) * 1000)::bigint AS age_ms,
              (EXTRACT(EPOCH FROM (now() - coalesce(last_progress_at, now()))) * 1000)::bigint AS stalled_ms,
              release_commit, branch, jobs_done, started_at, status, last_error,
              (EXTRACT(EPOCH FROM (now() - last_error_at)) * 1000)::bigint AS error_age_ms
         FROM worker_heartbeats
        WHERE ${config.defects.has('heartbeat-lists-stopped') ? '' : "status <> 'stopped' AND "}last_beat_at > now() - make_interval(secs => $1::double precision / 1000)
        ORDER BY last_beat_at DESC
        LIMIT 50`,
      [config.heartbeatFailMs * 3],
    );
    if (rows.length === 0) {
      return [{ componentType: 'worker', status: 'fail', time, output: 'no worker heartbeat in the last ' + Math.round((config.heartbeatFailMs * 3) / 1000) + ' s: no worker is running' }];
    }
    const entries = rows.map((row) => {
      const beatAge = Number(row.age_ms);
      const stalled = Number(row.stalled_ms);
      // A worker is as old as the older of its beat and its progress: alive but not consuming
      // (every slot stuck in a job) ages like a worker that stopped beating.
      // Defect switch (mutants): the heartbeat alone, as before progress was tracked.
      const age = config.defects.has('stall-not-aged') ? beatAge : Math.max(beatAge, stalled);
      // A database error met within the warn window (failing claims, say) makes the worker warn.
      const recentError = row.last_error !== null && row.error_age_ms !== null && Number(row.error_age_ms) < config.heartbeatWarnMs;
      const status = worst([heartbeatStatus(age, config.heartbeatWarnMs, config.heartbeatFailMs), recentError ? 'warn' : 'pass']);
      const why = recentError && age < config.heartbeatWarnMs
        ? `database errors: ${row.last_error}`
        :
        stalled > beatAge
          ? `alive but not consuming: every slot has been busy for ${Math.round(stalled / 1000)} s (jobs done: ${row.jobs_done}); a handler hangs`
          : `heartbeat is ${Math.round(beatAge / 1000)} s old: the worker stopped or is stuck`;
      return {
        componentId: row.instance_id,
        componentType: 'worker',
        observedValue: age,
        observedUnit: 'ms',
        status,
        time,
        releaseId: row.release_commit,
        branch: row.branch,
        jobsDone: Number(row.jobs_done),
        startedAt: row.started_at.toISOString(),
        warnAfterMs: config.heartbeatWarnMs,
        failAfterMs: config.heartbeatFailMs,
        beatAgeMs: beatAge,
        stalledMs: stalled,
        ...(row.last_error ? { lastError: row.last_error, lastErrorAgeMs: Number(row.error_age_ms) } : {}),
        ...(status === 'pass' ? {} : { output: why }),
      };
    });
    // Freshest first: the healthiest worker speaks for the component.
    // Defect switch (mutants): a flipped comparison puts the stalest first.
    return entries.sort((a, b) => (config.defects.has('heartbeat-stalest-first') ? b.observedValue - a.observedValue : a.observedValue - b.observedValue));
  } catch (error) {
    return [{ componentType: 'worker', status: 'fail', time, output: `could not read worker heartbeats: ${(error as Error).message}` }];
  }
}

export function checkConfig(config: ApiConfig): HealthCheck {
  return {
    componentType: 'system',
    status: config.release.commitSource === 'unset' ? 'warn' : 'pass',
    time: new Date().toISOString(),
    ...(config.release.commitSource === 'unset'
      ? { output: 'release identity unknown: set RENDER_GIT_COMMIT or GIT_COMMIT' }
      : {}),
    settings: config.settings,
  };
}

export async function healthReport(pool: pg.Pool, config: ApiConfig): Promise<HealthReport> {
  const [database, heartbeats] = await Promise.all([checkDatabase(pool, config), checkWorkerHeartbeat(pool, config)]);
  const configCheck = checkConfig(config);
  return {
    // The freshest worker (listed first) speaks for the workers: one live worker keeps jobs moving.
    // Defect switch (mutants): the workers left out of the overall status.
    status: worst(config.defects.has('overall-ignores-workers') ? [database.status, configCheck.status] : [database.status, heartbeats[0]!.status, configCheck.status]),
    version: config.version,
    releaseId: config.release.commit,
    branch: config.release.branch,
    serviceId: config.serviceId,
    description: 'reference API of the job-queue stack',
    checks: {
      'postgres:connection': [database],
      'worker:heartbeat': heartbeats,
      'config:env': [configCheck],
    },
  };
}

export const httpStatusFor = (status: HealthStatus): number => (status === 'fail' ? 503 : 200);
