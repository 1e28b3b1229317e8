// `npm run doctor` flags. Anything wrong here is bad usage: exit 2, naming the flag.
import { DOCTOR_BOUNDS, formatBound, HEARTBEAT_MAX_AGE_MS } from './bounds.ts';

export interface DoctorOptions {
  databaseUrl?: string;
  apiUrl?: string;
  expectedCommit?: string;
  expectedBranch?: string;
  /** The pooling DATABASE_URL is meant to give (default transaction: the services are written for it). */
  poolMode: 'transaction' | 'session';
  json: boolean;
  help: boolean;
}

export class UsageError extends Error {}

const VALUE_FLAGS = ['--database-url', '--api-url', '--expected-commit', '--expected-branch', '--pool-mode'] as const;

export function parseArgs(argv: string[], env: NodeJS.ProcessEnv): DoctorOptions {
  const values: Partial<Record<(typeof VALUE_FLAGS)[number], string>> = {};
  let json = false;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--json') json = true;
    else if (arg === '--help' || arg === '-h') help = true;
    else {
      const eq = arg.indexOf('=');
      const name = (eq > 0 ? arg.slice(0, eq) : arg) as (typeof VALUE_FLAGS)[number];
      if (!VALUE_FLAGS.includes(name)) throw new UsageError(`unknown ${arg.startsWith('-') ? 'flag' : 'argument'} ${JSON.stringify(name.replace(/:\/\/[^@\s]*@/, '://***@'))} (see --help)`);
      const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined || (eq < 0 && value.startsWith('--'))) throw new UsageError(`${name} needs a value`);
      values[name] = value;
    }
  }
  const options: DoctorOptions = {
    databaseUrl: values['--database-url'] ?? (env.DATABASE_URL || undefined),
    apiUrl: values['--api-url'] ?? (env.API_URL || undefined),
    expectedCommit: values['--expected-commit'] ?? (env.EXPECTED_COMMIT || undefined),
    expectedBranch: values['--expected-branch'] ?? (env.EXPECTED_BRANCH || undefined),
    poolMode: (values['--pool-mode'] ?? (env.POOL_MODE || 'transaction')) as DoctorOptions['poolMode'],
    json,
    help,
  };
  if (help) return options;
  const from = (flag: string, envName: string, given: string | undefined) => (given !== undefined ? flag : envName);
  if (options.databaseUrl !== undefined) checkUrl(from('--database-url', 'DATABASE_URL', values['--database-url']), options.databaseUrl, ['postgres:', 'postgresql:']);
  if (options.apiUrl !== undefined) checkUrl(from('--api-url', 'API_URL', values['--api-url']), options.apiUrl, ['http:', 'https:']);
  if (!options.databaseUrl && !options.apiUrl) throw new UsageError('nothing to diagnose: give --database-url and/or --api-url (or set DATABASE_URL / API_URL)');
  if (options.expectedCommit !== undefined && !/^[0-9a-fA-F]{7,40}$/.test(options.expectedCommit)) {
    throw new UsageError(`${from('--expected-commit', 'EXPECTED_COMMIT', values['--expected-commit'])}: expected a git commit, 7 to 40 hex digits; got ${JSON.stringify(options.expectedCommit)}`);
  }
  if (options.expectedBranch !== undefined && !options.expectedBranch.trim()) throw new UsageError('--expected-branch: empty');
  if ((options.expectedCommit || options.expectedBranch) && !options.apiUrl) {
    throw new UsageError('--expected-commit/--expected-branch are compared with the API\'s release: give --api-url too');
  }
  if (!['transaction', 'session'].includes(options.poolMode)) {
    throw new UsageError(`${from('--pool-mode', 'POOL_MODE', values['--pool-mode'])}: expected transaction or session; got ${JSON.stringify(options.poolMode)}`);
  }
  return options;
}

function checkUrl(name: string, value: string, protocols: string[]): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    // Never echo the value: it may hold a password.
    throw new UsageError(`${name}: not a URL (expected ${protocols[0]}//…)`);
  }
  if (!protocols.includes(url.protocol)) throw new UsageError(`${name}: expected a ${protocols.map((p) => `${p}//`).join(' or ')} URL; got ${url.protocol}//…`);
  if (!url.hostname) throw new UsageError(`${name}: the URL has no host`);
  if (url.port && (Number(url.port) < 1 || Number(url.port) > 65535)) throw new UsageError(`${name}: port ${url.port} is out of range`);
}

export function helpText(): string {
  const b = (id: keyof typeof DOCTOR_BOUNDS) => formatBound(DOCTOR_BOUNDS[id]).padStart(6);
  return `npm run doctor -- [--database-url URL] [--api-url URL] [--expected-commit SHA] [--expected-branch B] [--pool-mode transaction|session] [--json]

Diagnoses what it is given, and nothing more: no profile, no stack, no jobs, no objects created,
no session state left. Each step prints its time; the verdict's first line names the cause.

  --database-url URL     the URL the services use (default: $DATABASE_URL)
  --api-url URL          the deployed API's base URL (default: $API_URL)
  --expected-commit SHA  the commit that should run, 7-40 hex digits (default: $EXPECTED_COMMIT)
  --expected-branch B    the branch it should deploy from (default: $EXPECTED_BRANCH)
  --pool-mode MODE       the pooling DATABASE_URL is meant to give (default: $POOL_MODE, else transaction)
  --json                 one JSON object: { steps, verdict, exitCode }
  --help                 this text

Steps and their bounds (each enforced; "no I/O" steps only read what earlier ones found):
  database  URL kind (direct or pooler host, 5432 or 6543)        ${b('db.url')}
            hosted-pooler user form postgres.<project-ref>        ${b('db.user')}
            DNS A/AAAA                                            ${b('db.resolve')}
            each address reached (in parallel)                    ${b('db.connect')}
            TLS offered by the server vs sslmode                  ${b('db.tls')}
            login and SELECT 1 (one attempt)                      ${b('db.login')}
            transaction or session mode, as observed              ${b('db.pool-mode')}
  api       the port answers (TCP)                                ${b('api.port')}
            GET /health/live                                      ${b('api.live')}
            GET /health/ready                                     ${b('api.ready')}
            GET /health                                           ${b('api.health')}
            release vs --expected-commit/--expected-branch        ${b('api.release')}
            workers' heartbeats (fresher than ${HEARTBEAT_MAX_AGE_MS / 1000} s) and releases  ${b('api.workers')}

Exit codes: 0 all fine (warnings allowed) · 1 a problem, named on the verdict's first line · 2 bad usage
`;
}
