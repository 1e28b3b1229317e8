// The target profile: everything the suites need to know about the system they check. A profile
// is env/<target>.env (committed for local, from staging.env.example for live targets), overlaid
// by env/<target>.local.env (git-ignored) and then by real environment variables.
import { z } from 'zod';

const int = (min: number, max: number, fallback: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback).describe(`an integer from ${min} to ${max}`);

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
  E2E_LATENCY_P50_MS: int(1, 600_000, 50),
  E2E_LATENCY_P95_MS: int(1, 600_000, 250),
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
