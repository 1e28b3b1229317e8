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

export async function checkDatabase(pool: pg.Pool): Promise<HealthCheck> {
  const started = performance.now();
  const time = new Date().toISOString();
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

/** Age of the freshest heartbeat of a worker that has not said it stopped. */
export async function checkWorkerHeartbeat(pool: pg.Pool, config: ApiConfig): Promise<HealthCheck> {
  const time = new Date().toISOString();
  try {
    const { rows } = await pool.query<{ age_ms: string | null; live: string }>(
      `SELECT (EXTRACT(EPOCH FROM (now() - max(last_beat_at))) * 1000)::bigint AS age_ms, count(*) AS live
         FROM worker_heartbeats WHERE status <> 'stopped'`,
    );
    const row = rows[0]!;
    if (row.age_ms === null) {
      return { componentType: 'component', status: 'fail', time, output: 'no worker heartbeat recorded: no worker is running' };
    }
    const age = Number(row.age_ms);
    const status = heartbeatStatus(age, config.heartbeatWarnMs, config.heartbeatFailMs);
    return {
      componentType: 'component',
      observedValue: age,
      observedUnit: 'ms',
      status,
      time,
      workers: Number(row.live),
      warnAfterMs: config.heartbeatWarnMs,
      failAfterMs: config.heartbeatFailMs,
      ...(status === 'pass' ? {} : { output: `freshest worker heartbeat is ${Math.round(age / 1000)} s old: workers stopped or stuck` }),
    };
  } catch (error) {
    return { componentType: 'component', status: 'fail', time, output: `could not read worker heartbeats: ${(error as Error).message}` };
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
  const [database, heartbeat] = await Promise.all([checkDatabase(pool), checkWorkerHeartbeat(pool, config)]);
  const configCheck = checkConfig(config);
  return {
    status: worst([database.status, heartbeat.status, configCheck.status]),
    version: config.version,
    releaseId: config.release.commit,
    branch: config.release.branch,
    serviceId: config.serviceId,
    description: 'reference API of the job-queue stack',
    checks: {
      'postgres:connection': [database],
      'worker:heartbeat': [heartbeat],
      'config:env': [configCheck],
    },
  };
}

export const httpStatusFor = (status: HealthStatus): number => (status === 'fail' ? 503 : 200);
