// The flags of `pooler-queue-e2e check` (scripts/cli.ts) and the profile variables they set.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const CHECK_FLAGS: Record<string, { env: string; meaning: string }> = {
  '--target': { env: 'E2E_TARGET', meaning: 'target profile name (default: $E2E_TARGET, else staging)' },
  '--api-url': { env: 'API_URL', meaning: "the deployed API's base URL" },
  '--database-url': { env: 'DATABASE_URL', meaning: 'the pooler URL the services use (prefer $DATABASE_URL: a flag shows in the process list)' },
  '--expected-commit': { env: 'EXPECTED_COMMIT', meaning: 'the commit that should run (7-40 hex digits; default: the CI commit)' },
  '--expected-branch': { env: 'EXPECTED_BRANCH', meaning: 'the branch it should deploy from (default: the CI branch)' },
  '--deadline': { env: 'E2E_DEADLINE_S', meaning: 'seconds the whole run may take (exit 5 past it; default 180)' },
  '--reports-dir': { env: 'E2E_REPORTS_DIR', meaning: 'where junit.xml, results.json, summary.md go (default: ./reports)' },
  '--env-dir': { env: 'E2E_ENV_DIR', meaning: 'folder of <target>.env profiles (default: ./env when it has the target, else none)' },
  '--pool-mode': { env: 'POOL_MODE', meaning: 'transaction (default) or session' },
};

/** Boolean flags of check. */
export const CHECK_SWITCHES: Record<string, string> = {
  '--no-ci-defaults': "no expected commit or branch from the CI's own (GITHUB_SHA, GITHUB_REF_NAME, …): for monitoring, where what is live is whatever was deployed last",
};

/** The CI variables the profile takes the expected release from (helpers/profile.ts, ciReleaseDefaults). */
export const CI_RELEASE_VARIABLES = ['GITHUB_SHA', 'CI_COMMIT_SHA', 'BUILDKITE_COMMIT', 'CIRCLE_SHA1', 'GIT_COMMIT', 'GITHUB_HEAD_REF', 'GITHUB_REF_NAME', 'CI_COMMIT_REF_NAME', 'BUILDKITE_BRANCH', 'CIRCLE_BRANCH', 'GIT_BRANCH'];

export class CliUsageError extends Error {}

/** The environment `check` gives scripts/run-e2e.ts: flags mapped to profile variables. */
export function checkEnv(argv: string[], env: NodeJS.ProcessEnv, cwd: string): { env: NodeJS.ProcessEnv; target: string; vitestArgs: string[] } {
  const out: NodeJS.ProcessEnv = { ...env };
  let vitestArgs: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      vitestArgs = argv.slice(i + 1);
      break;
    }
    if (arg in CHECK_SWITCHES) {
      if (arg === '--no-ci-defaults') for (const name of CI_RELEASE_VARIABLES) delete out[name];
      continue;
    }
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const known = CHECK_FLAGS[flag];
    if (!known) throw new CliUsageError(`unknown flag ${flag} for check`);
    const value = inline ?? argv[++i];
    if (value === undefined || (inline === undefined && value.startsWith('--'))) throw new CliUsageError(`${flag} needs a value`);
    out[known.env] = value;
  }
  const target = out.E2E_TARGET?.trim() || 'staging';
  out.E2E_TARGET = target;
  // A deployment, always: the local stack is `npm run e2e` in a clone of the project.
  if (!out.E2E_PROVIDER?.trim()) out.E2E_PROVIDER = 'external';
  out.E2E_REPORTS_DIR = path.resolve(cwd, out.E2E_REPORTS_DIR?.trim() || 'reports');
  if (out.E2E_ENV_DIR?.trim()) out.E2E_ENV_DIR = path.resolve(cwd, out.E2E_ENV_DIR);
  else {
    // The caller's own env/ folder when it describes this target; else the environment alone
    // (a folder without profiles, so the package's own env/local.env never applies).
    const own = path.join(cwd, 'env');
    out.E2E_ENV_DIR = [`${target}.env`, `${target}.local.env`].some((f) => existsSync(path.join(own, f))) ? own : path.join(ROOT, 'env', 'none');
  }
  return { env: out, target, vitestArgs };
}

