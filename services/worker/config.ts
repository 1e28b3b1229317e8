import os from 'node:os';
import { z } from 'zod';
import { ConfigError, httpUrl, intInRange, parseEnv, postgresUrl, reportSettings, type SettingReport } from '../shared/env-config.ts';
import { releaseFromEnv, releaseSettings, type ReleaseIdentity } from '../shared/release.ts';
import { loadDefects } from '../shared/defects.ts';

// Documented in CONTRACT.md ("Worker settings").
export const workerEnvShape = {
  DATABASE_URL: postgresUrl, // required: the pooler URL
  SERVICE_ID: z.string().min(1).max(100).default('worker').describe('a service name of 1-100 characters'),
  WORKER_INSTANCE_ID: z.string().regex(/^[\w.:-]{1,100}$/).optional().describe('1-100 letters, digits, . _ : -'),
  WORKER_CONCURRENCY: intInRange(1, 64, 2),
  WORKER_POLL_MIN_MS: intInRange(1, 10_000, 5),
  WORKER_POLL_MAX_MS: intInRange(1, 60_000, 50),
  WORKER_LEASE_MS: intInRange(500, 3_600_000, 30_000),
  WORKER_HEARTBEAT_MS: intInRange(100, 600_000, 5_000),
  JOB_BACKOFF_BASE_MS: intInRange(1, 3_600_000, 1_000),
  JOB_BACKOFF_MAX_MS: intInRange(1, 86_400_000, 60_000),
  DB_POOL_MAX: intInRange(1, 100, 4),
  DB_QUERY_TIMEOUT_MS: intInRange(100, 120_000, 5_000),
  SHUTDOWN_GRACE_MS: intInRange(0, 300_000, 10_000),
  EXTERNAL_API_URL: httpUrl.optional().describe('an http:// or https:// URL'),
  EXTERNAL_API_KEY: z.string().min(8).optional().describe('an API key of at least 8 characters'),
  EXTERNAL_TIMEOUT_MS: intInRange(100, 120_000, 5_000),
};
const SECRETS = ['DATABASE_URL', 'EXTERNAL_API_KEY'];

export type WorkerConfig = ReturnType<typeof loadWorkerConfig>;

export function loadWorkerConfig(env: NodeJS.ProcessEnv) {
  const p = parseEnv(workerEnvShape, env);
  const defects = loadDefects(env);
  const problems: string[] = [];
  if (p.WORKER_POLL_MAX_MS < p.WORKER_POLL_MIN_MS) problems.push(`WORKER_POLL_MAX_MS: expected at least WORKER_POLL_MIN_MS (${p.WORKER_POLL_MIN_MS}); got "${p.WORKER_POLL_MAX_MS}"`);
  if (p.JOB_BACKOFF_MAX_MS < p.JOB_BACKOFF_BASE_MS) problems.push(`JOB_BACKOFF_MAX_MS: expected at least JOB_BACKOFF_BASE_MS (${p.JOB_BACKOFF_BASE_MS}); got "${p.JOB_BACKOFF_MAX_MS}"`);
  if (p.EXTERNAL_API_URL && !p.EXTERNAL_API_KEY) problems.push('EXTERNAL_API_KEY: expected an API key because EXTERNAL_API_URL is set; it is not set');
  if (problems.length) throw new ConfigError(problems);
  const release: ReleaseIdentity = releaseFromEnv(env);
  const settings: SettingReport[] = [...reportSettings(workerEnvShape, env, p, SECRETS), ...releaseSettings(release)];
  return {
    databaseUrl: p.DATABASE_URL,
    serviceId: p.SERVICE_ID,
    instanceId: p.WORKER_INSTANCE_ID ?? `${os.hostname()}-${process.pid}`,
    concurrency: p.WORKER_CONCURRENCY,
    pollMinMs: p.WORKER_POLL_MIN_MS,
    pollMaxMs: p.WORKER_POLL_MAX_MS,
    leaseMs: p.WORKER_LEASE_MS,
    heartbeatMs: p.WORKER_HEARTBEAT_MS,
    backoff: { baseMs: p.JOB_BACKOFF_BASE_MS, maxMs: p.JOB_BACKOFF_MAX_MS },
    poolMax: p.DB_POOL_MAX,
    queryTimeoutMs: p.DB_QUERY_TIMEOUT_MS,
    shutdownGraceMs: p.SHUTDOWN_GRACE_MS,
    external: p.EXTERNAL_API_URL ? { url: p.EXTERNAL_API_URL, apiKey: p.EXTERNAL_API_KEY!, timeoutMs: p.EXTERNAL_TIMEOUT_MS } : undefined,
    release,
    settings,
    defects,
  };
}
