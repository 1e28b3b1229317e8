// The longest each `doctor` step may take, in ms. Enforced (socket timeouts, AbortSignal, a race
// against the bound) and printed by --help and the README. 0: no I/O, the step is a computation.
export const DOCTOR_BOUNDS = {
  'db.url': 0,
  'db.user': 0,
  'db.resolve': 3_000,
  'db.connect': 3_000, // every address in parallel
  'db.tls': 3_000,
  'db.login': 5_000, // one attempt, no retry
  'db.pool-mode': 5_000,
  'api.port': 3_000,
  'api.live': 5_000,
  'api.ready': 5_000,
  'api.health': 5_000,
  'api.release': 0,
  'api.workers': 0,
} as const;

export type DoctorStepId = keyof typeof DOCTOR_BOUNDS;

/** A worker heartbeat older than this counts as no worker (the suites' E2E_HEARTBEAT_MAX_AGE_MS default). */
export const HEARTBEAT_MAX_AGE_MS = 30_000;

export const formatBound = (ms: number) => (ms === 0 ? 'no I/O' : `${ms / 1000} s`);
