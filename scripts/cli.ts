// `pooler-queue-e2e`: the suite as an installed command (bin/pooler-queue-e2e.mjs registers tsx and
// imports this file). Run from any directory:
//
//   pooler-queue-e2e check --target staging --api-url https://… --expected-commit SHA
//   pooler-queue-e2e doctor --database-url "$DATABASE_URL"
//   pooler-queue-e2e notify --results reports/results.json --webhook-url "$URL"
//   pooler-queue-e2e merge-reports shard-1/results.json shard-2/results.json --out reports
//
// `check` maps its flags to the profile variables and runs scripts/run-e2e.ts with the same
// profiles and exit codes; the others delegate to their scripts. Exit codes are the scripts'.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { CHECK_FLAGS, CHECK_SWITCHES, checkEnv, CliUsageError } from '../helpers/cli-args.ts';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { redactProcessOutput } from '../helpers/redact.ts';

// Everything this command prints passes through the one redactor (the environment's secrets, URL
// passwords by shape), whatever prints it.
redactProcessOutput();

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const VERSION = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
/** tsx's loader, resolved from this package's own dependencies (not from the caller's directory). */
const TSX = import.meta.resolve('tsx');

const HELP = `pooler-queue-e2e ${VERSION}: post-deploy checks for an API + worker sharing a Postgres job queue behind a pooler

usage:
  pooler-queue-e2e check [flags] [-- vitest args]   run the live-safe e2e suites against a deployment
  pooler-queue-e2e doctor [flags]                   diagnose one DATABASE_URL and/or API URL, step by step (doctor --help)
  pooler-queue-e2e notify [flags]                   POST a run's verdict to a webhook (notify --help)
  pooler-queue-e2e merge-reports [flags] FILE…      merge several results.json (shards) into one report (merge-reports --help)
  pooler-queue-e2e --help | --version

check flags (each sets the profile variable named; a real environment variable is overridden by the flag):
${Object.entries(CHECK_FLAGS)
  .map(([flag, { env, meaning }]) => `  ${`${flag} VALUE`.padEnd(26)}${env.padEnd(17)}${meaning}`)
  .join('\n')}
${Object.entries(CHECK_SWITCHES)
  .map(([flag, meaning]) => `  ${flag.padEnd(43)}${meaning}`)
  .join('\n')}

check always checks a deployment (E2E_PROVIDER=external): any other profile variable (env/staging.env.example
in this package documents them all) can come from the environment or from <env-dir>/<target>.env.

check exit codes: 0 every check passed · 1 checks failed (each with its diagnosis) · 2 the profile is invalid
                  3 the target is unreachable · 4 the run itself broke · 5 the run passed its deadline
`;

/** Runs a script of this package with tsx, in the caller's directory; resolves with its exit code. */
function runScript(script: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const child = spawn(process.execPath, ['--import', TSX, path.join(ROOT, 'scripts', script), ...args], { stdio: 'inherit', env });
  // Ctrl-C or a CI cancel reaches the child (it stops its own run and writes what it has).
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
  return new Promise((resolve) => child.on('close', (code, signal) => resolve(code ?? (signal ? 128 + 15 : 4))));
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(HELP);
      return command === undefined ? 2 : 0;
    case '--version':
    case '-v':
      process.stdout.write(`${VERSION}\n`);
      return 0;
    case 'check': {
      if (rest.includes('--help') || rest.includes('-h')) {
        process.stdout.write(HELP);
        return 0;
      }
      const { env, target, vitestArgs } = checkEnv(rest, process.env, process.cwd());
      return runScript('run-e2e.ts', [target, ...vitestArgs], env);
    }
    case 'doctor':
      return runScript('doctor.ts', rest);
    case 'notify':
      return runScript('notify.ts', rest);
    case 'merge-reports':
      return runScript('merge-reports.ts', rest);
    default:
      throw new CliUsageError(`unknown command "${command}"`);
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof CliUsageError)) throw error;
  process.stderr.write(`pooler-queue-e2e: ${error.message}\nrun pooler-queue-e2e --help for the commands and flags\n`);
  process.exitCode = 2;
}
