// Test-only defect switches, for the failure catalogue (scenarios/): each reproduces, inside the
// reference services, a mistake real services make. Off by default; set E2E_DEFECTS to a comma
// list. Refused outright when NODE_ENV=production, so a stray variable cannot break a real deploy.
import { ConfigError } from './env-config.ts';

export const DEFECTS = {
  'ignore-port': 'api: ignores PORT and listens on API_PORT (or 8000), as code from before PORT support',
  'health-lies': 'api: /health reports the database as pass without touching it',
  'named-statements': 'worker: claims jobs with a named prepared statement',
  'startup-statement-timeout': 'api and worker: send statement_timeout as a connection startup parameter',
  'no-lease-reclaim': 'worker: never claims a job whose lease expired (a crashed worker\'s job stays running)',
  // Mutants (npm run mutants): each a small mistake a team could ship, each breaking one promise of
  // CONTRACT.md (its id in brackets), each caught by the check that names that id.
  'config-exit-1': 'api and worker: a configuration error exits 1 (the generic error code), not 78 [S-boot-78]',
  'release-wrong-variable': 'api and worker: the release identity is read from GIT_COMMIT/GIT_BRANCH only, never from RENDER_GIT_* [S-release]',
  'health-json-type': 'api: /health is sent with the default Content-Type application/json [H-shape]',
  'overall-ignores-workers': 'api: the overall /health status is taken from the database and config checks only [H-worst]',
  'health-503-on-warn': 'api: /health answers 503 whenever the status is not pass (a flipped comparison: warn is 503 too) [H-status]',
  'heartbeat-lists-stopped': 'api: worker:heartbeat lists workers marked stopped (the status clause dropped) [H-workers-listed]',
  'heartbeat-stalest-first': 'api: worker:heartbeat sorted with a flipped comparison: stalest first [H-freshest-first]',
  'stall-not-aged': 'api: a worker\'s age is its heartbeat\'s age only; a stalled worker never ages [H-stalled-ages]',
  'fail-threshold-seconds': 'api: HEALTH_HEARTBEAT_FAIL_MS taken for seconds (multiplied by 1000) [H-thresholds]',
  'secret-name-typo': 'api: config:env\'s list of secrets names DATABASE_URI, so DATABASE_URL\'s value is shown [H-config-env]',
  'live-checks-database': 'api: /health/live runs the database check [H-live]',
  'ready-missing-await': 'api: /health/ready does not await the database check (a missing await) [H-ready]',
  'db-call-missing-await': 'api: the job routes return the query promise without await inside try/catch: a database error becomes a 500 [H-jobs-503]',
  'max-attempts-dropped': 'api: the INSERT stores the default maxAttempts, not the one sent [J-stored-as-given]',
  'idempotency-text-compare': 'api: a replayed payload is compared as text, not as JSON (key order matters) [J-idempotent]',
  'payload-size-in-chars': 'api: the payload limit counts characters, not UTF-8 bytes [J-refusal-codes]',
  'insert-before-payload-check': 'api: the job row is written before its payload is validated [J-refusal-writes-nothing]',
  'executions-newest-first': 'api: executions listed newest first (ORDER BY id DESC) [J-executions]',
  'success-clears-last-error': 'worker: a success clears last_error [J-last-error-kept]',
  'dead-off-by-one': 'worker: a job is dead only when attempts > max_attempts (off by one) [J-states]',
  'flaky-off-by-one': 'worker: flaky fails attempts below n, not up to n (a flipped comparison) [J-types]',
  'api-key-header-name': 'worker: sends EXTERNAL_API_KEY as x-api-token [J-external]',
  'backoff-seconds': 'worker: the retry delay in ms is written as seconds (the /1000 forgotten) [J-backoff]',
  'claim-without-skip-locked': 'worker: the claim selects the next job without FOR UPDATE SKIP LOCKED [W-claim-once]',
  'lease-renew-slip': 'worker: the lease is renewed every 3 leases instead of every third of one [W-lease-renewed]',
  'outcome-ignores-lock': 'worker: outcome writes do not check locked_by [W-outcome-guarded]',
  'poll-seconds': 'worker: WORKER_POLL_MIN_MS/MAX_MS taken for seconds [W-poll]',
  'heartbeat-seconds': 'worker: WORKER_HEARTBEAT_MS taken for seconds: it beats at start only [W-heartbeat]',
  'abandoned-left-open': 'worker: claiming a job again leaves the crashed attempt\'s execution open [W-crash-closed]',
  'worker-gives-up': 'worker: a claim error missing from its list of transient errors ends the process [W-outage]',
  'release-keeps-attempt': 'worker: a job released on SIGTERM keeps the attempt it started [W-sigterm]',
  'api-exit-on-sigterm': 'api: exits on SIGTERM without waiting for in-flight requests [A-sigterm]',
  'log-raw-url': 'worker: a boot log line prints DATABASE_URL unmasked (console.log left in) [L-no-passwords]',
} as const;

export type Defect = keyof typeof DEFECTS;

/** For code that runs before the configuration is loaded (the config error path itself). */
export function defectOn(env: NodeJS.ProcessEnv, defect: Defect): boolean {
  return env.NODE_ENV !== 'production' && (env.E2E_DEFECTS ?? '').split(',').map((d) => d.trim()).includes(defect);
}

export function loadDefects(env: NodeJS.ProcessEnv): Set<Defect> {
  const raw = env.E2E_DEFECTS?.trim();
  if (!raw) return new Set();
  if (env.NODE_ENV === 'production') {
    throw new ConfigError(['E2E_DEFECTS: refused when NODE_ENV=production (defect switches are for the test catalogue only); unset it']);
  }
  const names = raw.split(',').map((d) => d.trim()).filter(Boolean);
  const unknown = names.filter((d) => !(d in DEFECTS));
  if (unknown.length) {
    throw new ConfigError([`E2E_DEFECTS: expected a comma list of ${Object.keys(DEFECTS).join(', ')}; got "${unknown.join(', ')}"`]);
  }
  return new Set(names as Defect[]);
}
