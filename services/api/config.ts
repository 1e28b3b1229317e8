import { z } from 'zod';
import { ConfigError, derivedSetting, intInRange, parseEnv, postgresUrl, reportSettings, type SettingReport } from '../shared/env-config.ts';
import { listenAddressFromEnv, type ListenAddress } from '../shared/listen-address.ts';
import { releaseFromEnv, releaseSettings, type ReleaseIdentity } from '../shared/release.ts';
import { loadDefects, type Defect } from '../shared/defects.ts';

// Documented in CONTRACT.md ("API settings"); defaults are for optional settings only.
export const apiEnvShape = {
  DATABASE_URL: postgresUrl, // required: the pooler URL
  SERVICE_ID: z.string().min(1).max(100).default('api').describe('a service name of 1-100 characters'),
  SERVICE_VERSION: z.string().min(1).max(100).default('0.1.0').describe('a version string'),
  DB_POOL_MAX: intInRange(1, 100, 10),
  DB_QUERY_TIMEOUT_MS: intInRange(100, 120_000, 5_000),
  HEALTH_HEARTBEAT_WARN_MS: intInRange(1_000, 86_400_000, 30_000),
  HEALTH_HEARTBEAT_FAIL_MS: intInRange(1_000, 86_400_000, 120_000),
  SHUTDOWN_GRACE_MS: intInRange(0, 300_000, 10_000),
  // The reference's own limit on how long a request may take to arrive (not a contract rule).
  API_REQUEST_TIMEOUT_MS: intInRange(1_000, 300_000, 10_000),
};
const SECRETS = ['DATABASE_URL'];
/** Defect switch (mutants): a typo in the list of secrets. */
const SECRETS_WITH_TYPO = ['DATABASE_URI'];

export interface ApiConfig {
  databaseUrl: string;
  serviceId: string;
  version: string;
  poolMax: number;
  queryTimeoutMs: number;
  heartbeatWarnMs: number;
  heartbeatFailMs: number;
  shutdownGraceMs: number;
  requestTimeoutMs: number;
  listen: ListenAddress;
  release: ReleaseIdentity;
  settings: SettingReport[];
  defects: Set<Defect>;
}

export function loadApiConfig(env: NodeJS.ProcessEnv): ApiConfig {
  const parsed = parseEnv(apiEnvShape, env);
  const defects = loadDefects(env);
  // Defect switch: code from before PORT support only knows API_PORT.
  const listen = listenAddressFromEnv(defects.has('ignore-port') ? { ...env, PORT: undefined } : env);
  if (parsed.HEALTH_HEARTBEAT_FAIL_MS <= parsed.HEALTH_HEARTBEAT_WARN_MS) {
    throw new ConfigError([
      `HEALTH_HEARTBEAT_FAIL_MS: expected more than HEALTH_HEARTBEAT_WARN_MS (${parsed.HEALTH_HEARTBEAT_WARN_MS}); got "${parsed.HEALTH_HEARTBEAT_FAIL_MS}"`,
    ]);
  }
  const release = releaseFromEnv(env);
  const settings: SettingReport[] = [
    ...reportSettings(apiEnvShape, env, parsed, defects.has('secret-name-typo') ? SECRETS_WITH_TYPO : SECRETS),
    derivedSetting(listen.portSource === 'default' ? 'PORT' : listen.portSource, listen.portSource !== 'default', String(listen.port)),
    derivedSetting('API_HOST', listen.hostSource !== 'default', listen.host),
    ...releaseSettings(release),
  ];
  return {
    databaseUrl: parsed.DATABASE_URL,
    serviceId: parsed.SERVICE_ID,
    version: parsed.SERVICE_VERSION,
    poolMax: parsed.DB_POOL_MAX,
    queryTimeoutMs: parsed.DB_QUERY_TIMEOUT_MS,
    heartbeatWarnMs: parsed.HEALTH_HEARTBEAT_WARN_MS,
    // Defect switch (mutants): the fail threshold read as seconds.
    heartbeatFailMs: defects.has('fail-threshold-seconds') ? parsed.HEALTH_HEARTBEAT_FAIL_MS * 1000 : parsed.HEALTH_HEARTBEAT_FAIL_MS,
    shutdownGraceMs: parsed.SHUTDOWN_GRACE_MS,
    requestTimeoutMs: parsed.API_REQUEST_TIMEOUT_MS,
    listen,
    release,
    settings,
    defects,
  };
}
