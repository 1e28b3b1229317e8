// Mutants: one defect switch per promise of CONTRACT.md (services/shared/defects.ts), each a small
// mistake a team could ship. `npm run mutants` starts the stack with each and runs only the suite
// files (and tests) that hold the promise's checks: the check naming the promise's id must fail,
// with a diagnosis naming the cause. A mutant is a scenario like the catalogue's (E2E_SCENARIO), so
// the same machinery starts the stack broken; the defect also reaches extra services and the
// resilience suites' own stacks through E2E_DEFECTS in the run's environment.
import type { Defect } from '../services/shared/defects.ts';
import type { Scenario } from './types.ts';

export interface Mutant extends Scenario {
  name: Defect;
  promises: string[];
  /** Suite files holding the checks (relative to the repository). */
  suites: string[];
  /** Test names to run in them (vitest -t), when not all. */
  tests?: string;
}

const SUITE = (name: string) => `suites/${name}.e2e.test.ts`;

function mutant(name: Defect, promise: string, suite: string, diagnosis: RegExp, tests?: string): Mutant {
  return {
    name,
    story: `defect ${name}: breaks [${promise}]`,
    // Both services get the switch; each reads only its own defects.
    stack: { serviceEnv: { E2E_DEFECTS: name } },
    promises: [promise],
    suites: [SUITE(suite)],
    tests,
    detect: { check: new RegExp(`\\[${promise}\\]`), diagnosis },
  };
}

export const MUTANTS: Mutant[] = [
  mutant('config-exit-1', 'S-boot-78', 'config', /must end the process with exit code 78 \(EX_CONFIG\), not 1/, 'exits 78'),
  mutant('release-wrong-variable', 'S-release', 'deploy', /reports no release identity/, 'the API runs the expected commit'),
  mutant('health-json-type', 'H-shape', 'health', /must be sent as application\/health\+json/, 'draft-inadarei'),
  mutant('health-503-on-warn', 'H-status', 'resilience/stuck-worker', /must answer 200 while its status is warn/),
  mutant('overall-ignores-workers', 'H-worst', 'resilience/stuck-worker', /overall status must be the worst of the checks/),
  mutant('heartbeat-lists-stopped', 'H-workers-listed', 'resilience/shutdown', /still lists .* stopped/, 'short job'),
  mutant('heartbeat-stalest-first', 'H-freshest-first', 'health', /is not freshest first/, 'freshest'),
  mutant('stall-not-aged', 'H-stalled-ages', 'resilience/stuck-worker', /alive but not consuming must age/),
  mutant('fail-threshold-seconds', 'H-thresholds', 'resilience/stuck-worker', /past HEALTH_HEARTBEAT_FAIL_MS/),
  mutant('secret-name-typo', 'H-config-env', 'health', /must report DATABASE_URL as a secret/, 'config:env'),
  mutant('live-checks-database', 'H-live', 'health', /liveness must touch no dependency/, 'cannot be reached'),
  mutant('ready-missing-await', 'H-ready', 'health', /readiness must ask the database/, 'cannot be reached'),
  mutant('db-call-missing-await', 'H-jobs-503', 'health', /the contract asks for 503 database_unavailable/, 'cannot be reached'),
  mutant('max-attempts-dropped', 'J-stored-as-given', 'queue', /maxAttempts was sent as 7 but is 3/, 'keeps every field'),
  mutant('idempotency-text-compare', 'J-idempotent', 'jobs', /compared as JSON, not as text/, 'idempotencyKey returns'),
  mutant('payload-size-in-chars', 'J-refusal-codes', 'api-input', /answered 202 instead of 413 payload_too_large/),
  mutant('insert-before-payload-check', 'J-refusal-writes-nothing', 'api-input', /a refusal must write nothing/),
  mutant('executions-newest-first', 'J-executions', 'jobs', /every attempt in order \(oldest first\)/, 'flaky succeeds'),
  mutant('success-clears-last-error', 'J-last-error-kept', 'jobs', /kept after a later success/, 'flaky succeeds'),
  mutant('dead-off-by-one', 'J-states', 'jobs', /ends the job dead: no attempt more/, 'fail ends dead'),
  mutant('flaky-off-by-one', 'J-types', 'jobs', /fails attempts 1 and 2, then succeeds on attempt 3/, 'flaky succeeds'),
  mutant('api-key-header-name', 'J-external', 'jobs', /missing x-api-key header/, 'external sends'),
  mutant('backoff-seconds', 'J-backoff', 'queue', /unit slip \(seconds for milliseconds\)/, 'retry delay'),
  mutant('claim-without-skip-locked', 'W-claim-once', 'jobs', /jobs executed more than once/, '200 jobs'),
  mutant('lease-renew-slip', 'W-lease-renewed', 'queue', /was not renewed while it ran/, 'longer than its lease'),
  mutant('outcome-ignores-lock', 'W-outcome-guarded', 'queue', /outcome writes must check locked_by/, 'lease was taken over'),
  mutant('poll-seconds', 'W-poll', 'queue', /idle poll is slower than WORKER_POLL_MAX_MS/, 'idle workers'),
  mutant('heartbeat-seconds', 'W-heartbeat', 'deploy', /no new heartbeat within/, 'new heartbeat'),
  mutant('abandoned-left-open', 'W-crash-closed', 'jobs', /execution \(ghost-worker\) is still open/, 'worker died'),
  // The 10 s outage: long enough for every slot to give up recording and try a claim; a restart of a
  // few hundred ms may end before any claim is attempted, so it proves nothing either way.
  mutant('worker-gives-up', 'W-outage', 'resilience/outage', /exited during the outage; its log names the error/, 'pooler down for 10 s'),
  mutant('release-keeps-attempt', 'W-sigterm', 'resilience/shutdown', /a released attempt is given back/, 'longer than the grace period'),
  mutant('api-exit-on-sigterm', 'A-sigterm', 'resilience/shutdown', /exited before its in-flight request finished/, 'SIGTERM to the API'),
  mutant('log-raw-url', 'L-no-passwords', 'deploy', /a service log shows a secret of the stack/, 'never contain a password'),
];

export function findMutant(name: string): Mutant | undefined {
  return MUTANTS.find((m) => m.name === name);
}
