// The target profile: everything the suites need to know about the system they check. A profile
// is env/<target>.env (committed for local, from staging.env.example for live targets), overlaid
// by env/<target>.local.env (git-ignored) and then by real environment variables.
import { z } from 'zod';

const int = (min: number, max: number, fallback: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback).describe(`an integer from ${min} to ${max}`);

const command = z.string().min(1).max(4096).refine((v) => !v.includes('\0')).optional().describe('a command line, run with sh -c');
// A docker image reference: [registry/]name[:tag][@digest], lowercase name components.
const image = z.string().regex(/^[a-z0-9]+([._\/-][a-z0-9]+)*(:[0-9]+\/[a-z0-9._\/-]+)?(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[0-9a-f]{64})?$/).optional().describe('a Docker image reference such as my-api:1.2');

export const profileShape = {
  E2E_TARGET: z.string().regex(/^[a-z0-9][a-z0-9-]*$/).describe('a target name of lowercase letters, digits and dashes'),
  E2E_PROVIDER: z.enum(['auto', 'processes', 'containers', 'external']).default('auto').describe('one of auto, processes, containers, external'),
  /** Base URL of the API; required for the external provider, set by the stack otherwise. */
  API_URL: z.string().refine((v) => /^https?:\/\//.test(v) && URL.canParse(v)).optional().describe('an http:// or https:// URL'),
  /** The services' DATABASE_URL (the pooler URL), for the pooler checks of a live target. */
  DATABASE_URL: z.string().refine((v) => /^postgres(ql)?:\/\//.test(v) && URL.canParse(v)).optional().describe('a postgres:// or postgresql:// URL'),
  POOL_MODE: z.enum(['transaction', 'session']).default('transaction').describe('transaction or session'),
  EXPECTED_COMMIT: z.string().regex(/^[0-9a-fA-F]{7,40}$/).optional().describe('a git commit: 7 to 40 hex digits'),
  EXPECTED_BRANCH: z.string().min(1).max(200).optional().describe('a branch name'),
  E2E_JOB_TIMEOUT_MS: int(100, 600_000, 15_000),
  E2E_HEARTBEAT_MAX_AGE_MS: int(100, 86_400_000, 30_000),
  E2E_LATENCY_JOBS: int(1, 10_000, 50),
  // Latency limits are a live target's SLO: set, they fail the run; unset (the local default),
  // the figures are only reported, so a busy machine never fails a run on timing.
  E2E_LATENCY_P50_MS: z.coerce.number().int().min(1).max(600_000).optional().describe('an integer from 1 to 600000'),
  E2E_LATENCY_P95_MS: z.coerce.number().int().min(1).max(600_000).optional().describe('an integer from 1 to 600000'),
  /** A live run ends after this many seconds whatever the target does (exit 5); cleanup gets a bounded grace on top. */
  E2E_DEADLINE_S: int(10, 3_600, 180),
  /**
   * On a live target, create jobs that fail attempts (`fail`, which ends dead, and `flaky`)? Off by
   * default: the team's alerting would see them. Local stacks always run them.
   */
  E2E_LIVE_DEAD_JOBS: z.enum(['true', 'false']).default('false').transform((v) => v === 'true').describe('true or false'),
  /**
   * A least-privilege connection for reading and removing the suite's own rows on a live target
   * (env/checker-role.sql). DATABASE_URL stays what the connectivity diagnosis checks.
   */
  E2E_CHECKER_DATABASE_URL: z.string().refine((v) => /^postgres(ql)?:\/\//.test(v) && URL.canParse(v)).optional().describe('a postgres:// or postgresql:// URL'),
  // Your own services (default: the reference services in services/). See README "Check your own services".
  E2E_API_CMD: command,
  E2E_WORKER_CMD: command,
  E2E_MIGRATE_CMD: command,
  E2E_SERVICES_DIR: z.string().max(4096).optional().describe('a directory, absolute or relative to the project root'),
  E2E_API_IMAGE: image,
  E2E_WORKER_IMAGE: image,
  // A live target's optional extra reach (a stack you run yourself): rows read back, the mock's view.
  E2E_DIRECT_DATABASE_URL: z.string().refine((v) => /^postgres(ql)?:\/\//.test(v) && URL.canParse(v)).optional().describe('a postgres:// or postgresql:// URL'),
  E2E_MOCK_EXTERNAL_URL: z.string().refine((v) => /^https?:\/\//.test(v) && URL.canParse(v)).optional().describe('an http:// or https:// URL'),
};

export type Profile = z.infer<z.ZodObject<typeof profileShape>>;

/**
 * Rules that span variables; each problem names the variable to fix. Works on raw values too, so
 * a profile with a malformed variable still hears about a missing one in the same run.
 */
export function crossCheck(p: Record<string, unknown>): string[] {
  const problems: string[] = [];
  if ((p.E2E_PROVIDER ?? 'auto') === 'external' && !p.API_URL) {
    problems.push("API_URL: expected the deployed API's base URL because E2E_PROVIDER is external; it is not set");
  }
  problems.push(...servicesProblems(p));
  // `npm run e2e` checks a local stack; an E2E_PROVIDER=external left in a shell must not turn it
  // into a live run against whatever API_URL says.
  if ((p.E2E_TARGET ?? 'local') === 'local' && p.E2E_PROVIDER === 'external') {
    problems.push(
      'E2E_PROVIDER: external is a live run, but the target is "local" (npm run e2e starts a local stack); ' +
        'unset E2E_PROVIDER for a local run, or name the live target: npm run e2e:staging, or E2E_TARGET=<name> with env/<name>.env',
    );
  }
  const p50 = Number(p.E2E_LATENCY_P50_MS);
  const p95 = Number(p.E2E_LATENCY_P95_MS);
  if (Number.isFinite(p50) && Number.isFinite(p95) && p.E2E_LATENCY_P50_MS !== undefined && p.E2E_LATENCY_P95_MS !== undefined && p95 < p50) {
    problems.push(`E2E_LATENCY_P95_MS: expected at least E2E_LATENCY_P50_MS (${p50}); got "${p95}"`);
  }
  return problems;
}

const set = (v: unknown) => typeof v === 'string' && v.trim() !== '';

/** Your own services: complete, and something the chosen provider can run. Each problem names its variable. */
function servicesProblems(p: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const provider = p.E2E_PROVIDER ?? 'auto';
  const commands = set(p.E2E_API_CMD) || set(p.E2E_WORKER_CMD);
  const images = set(p.E2E_API_IMAGE) || set(p.E2E_WORKER_IMAGE);
  for (const [have, other] of [['E2E_API_CMD', 'E2E_WORKER_CMD'], ['E2E_WORKER_CMD', 'E2E_API_CMD'], ['E2E_API_IMAGE', 'E2E_WORKER_IMAGE'], ['E2E_WORKER_IMAGE', 'E2E_API_IMAGE']]) {
    if (set(p[have!]) && !set(p[other!])) problems.push(`${other}: expected it too, because ${have} is set (the stack runs your API and your worker, or neither); it is not set`);
  }
  if ((commands || images) && !set(p.E2E_MIGRATE_CMD)) {
    problems.push(`E2E_MIGRATE_CMD: expected the command that creates the schema CONTRACT.md lists, because ${commands ? 'E2E_API_CMD' : 'E2E_API_IMAGE'} is set; it is not set`);
  }
  if (set(p.E2E_MIGRATE_CMD) && !commands && !images) problems.push('E2E_MIGRATE_CMD: set only with your own services (E2E_API_CMD and E2E_WORKER_CMD, or E2E_API_IMAGE and E2E_WORKER_IMAGE); the reference services migrate themselves');
  if (set(p.E2E_SERVICES_DIR) && !commands) problems.push('E2E_SERVICES_DIR: set only with E2E_API_CMD and E2E_WORKER_CMD (it is their working directory)');
  if (provider === 'processes' && images && !commands) {
    problems.push('E2E_API_IMAGE: the processes provider runs commands, not images: set E2E_API_CMD and E2E_WORKER_CMD, or E2E_PROVIDER=containers');
  }
  if (provider === 'containers' && commands && !images) {
    problems.push('E2E_API_CMD: the containers provider runs images, not commands: set E2E_API_IMAGE and E2E_WORKER_IMAGE, or E2E_PROVIDER=processes');
  }
  if (provider === 'external') {
    for (const name of ['E2E_API_CMD', 'E2E_WORKER_CMD', 'E2E_MIGRATE_CMD', 'E2E_SERVICES_DIR', 'E2E_API_IMAGE', 'E2E_WORKER_IMAGE']) {
      if (set(p[name])) problems.push(`${name}: the external provider starts nothing (it checks the deployment at API_URL): unset it, or choose E2E_PROVIDER=processes or containers`);
    }
  } else {
    for (const name of ['E2E_DIRECT_DATABASE_URL', 'E2E_MOCK_EXTERNAL_URL']) {
      if (set(p[name])) problems.push(`${name}: only for E2E_PROVIDER=external (a local stack brings its own); unset it`);
    }
  }
  return problems;
}
