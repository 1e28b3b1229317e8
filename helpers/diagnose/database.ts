// Diagnoses the road to the database, step by step, the way a person would after "Network is
// unreachable": what kind of URL it is (and the user form the hosted pooler needs), what the host
// resolves to (A and AAAA), whether each address can be reached, whether the server speaks TLS,
// and whether Postgres accepts the login. Each step's result is kept, with its time and the bound
// it ran under, so the report shows all of them, not just the first failure. The pooler suite and
// `npm run doctor` both run this.
import dns from 'node:dns/promises';
import net from 'node:net';
import pg from 'pg';
import { classifyDatabaseUrl, type UrlClassification } from './database-url.ts';
import { diagnoseConnectError, type Diagnosis } from './connect-error.ts';
import { withinBound } from './bound.ts';
import { probeTls, urlWantsTls, type TlsProbe } from './tls.ts';

export interface AddressProbe {
  address: string;
  family: 4 | 6;
  ok: boolean;
  code?: string;
  ms: number;
}

export type StepStatus = 'pass' | 'warn' | 'fail' | 'skip';

/** One step of a diagnosis: what was checked, what was found, how long it took, under which bound. */
export interface DiagnosisStep {
  id: string;
  title: string;
  status: StepStatus;
  ms: number;
  /** The longest the step may take; 0 for a step without I/O. */
  boundMs: number;
  found: string;
  /** For a failed (or warned) step: the cause and its fix. */
  diagnosis?: Diagnosis;
}

export interface DatabaseBounds {
  resolveMs: number;
  /** Each address is tried in parallel, so this bounds the whole step. */
  connectMs: number;
  tlsMs: number;
  /** One login attempt (connect, authenticate, SELECT 1). */
  loginMs: number;
}

export interface DatabaseReport {
  url: UrlClassification;
  resolved: { v4: string[]; v6: string[]; error?: string };
  probes: AddressProbe[];
  tls?: TlsProbe;
  login: { ok: boolean; ms?: number; attempts: number; diagnosis?: Diagnosis };
  ok: boolean;
  /** One line naming the cause (or "ok"). */
  summary: string;
  /** Every step, printable. */
  lines: string[];
  /** Every step, structured, in order (skipped ones included). */
  steps: DiagnosisStep[];
}

const NO_ROUTE = new Set(['ENETUNREACH', 'EHOSTUNREACH', 'EADDRNOTAVAIL']);
const TRANSIENT = new Set(['ECONNRESET', 'EAI_AGAIN', 'EPIPE']);
export const IPV6_ONLY_DIAGNOSIS = 'direct host is IPv6-only and this network has no IPv6 route: use the pooler URL';

function probe(address: string, family: 4 | 6, port: number, timeoutMs: number): Promise<AddressProbe> {
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = net.connect({ host: address, port, family });
    const done = (ok: boolean, code?: string) => {
      socket.destroy();
      resolve({ address, family, ok, code, ms: Math.round(performance.now() - started) });
    };
    socket.setTimeout(timeoutMs, () => done(false, 'ETIMEDOUT'));
    socket.once('connect', () => done(true));
    socket.once('error', (error: NodeJS.ErrnoException) => done(false, error.code ?? error.message));
  });
}

async function resolveHost(host: string, boundMs: number): Promise<DatabaseReport['resolved']> {
  try {
    // lookup (not resolve4/6): it follows /etc/hosts and nsswitch, as the services' own driver does.
    const all = await withinBound(boundMs, `resolve ${host}`, () => dns.lookup(host, { all: true }));
    return { v4: all.filter((a) => a.family === 4).map((a) => a.address), v6: all.filter((a) => a.family === 6).map((a) => a.address) };
  } catch (error) {
    return { v4: [], v6: [], error: (error as NodeJS.ErrnoException).code ?? (error as Error).message };
  }
}

async function login(url: string, timeoutMs: number): Promise<{ ok: true; ms: number } | { ok: false; error: unknown }> {
  const started = performance.now();
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs });
  client.on('error', () => undefined);
  try {
    await withinBound(timeoutMs, 'login', async (signal) => {
      signal.addEventListener('abort', () => void client.end().catch(() => undefined));
      await client.connect();
      await client.query('SELECT 1');
    });
    return { ok: true, ms: Math.round(performance.now() - started) };
  } catch (error) {
    return { ok: false, error };
  } finally {
    await client.end().catch(() => undefined);
  }
}

const since = (started: number) => Math.round(performance.now() - started);
const text = (d: Diagnosis) => `${d.cause}; fix: ${d.fix}`;

export async function diagnoseDatabase(
  url: string,
  options: {
    poolMode: 'transaction' | 'session';
    /** Default for every bound below. */
    timeoutMs?: number;
    bounds?: Partial<DatabaseBounds>;
    retries?: number;
    onRetry?: (why: string) => void;
    /** Called as each step ends (for live output). */
    onStep?: (step: DiagnosisStep) => void;
  },
): Promise<DatabaseReport> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const bounds: DatabaseBounds = { resolveMs: timeoutMs, connectMs: timeoutMs, tlsMs: timeoutMs, loginMs: timeoutMs, ...options.bounds };
  const classified = classifyDatabaseUrl(url, options.poolMode);
  const lines = [...classified.notes, ...classified.warnings.map((w) => `warning: ${w}`)];
  const steps: DiagnosisStep[] = [];
  const step = (s: DiagnosisStep) => {
    steps.push(s);
    options.onStep?.(s);
  };
  const where = { host: classified.host, port: classified.port, user: classified.user, timeoutMs: bounds.loginMs };
  const skipRest = (reason: string) => {
    const order: [string, string, number][] = [
      ['connect', 'each address', bounds.connectMs],
      ['tls', 'TLS', bounds.tlsMs],
      ['login', 'login', bounds.loginMs],
    ];
    for (const [id, title, boundMs] of order) if (!steps.some((s) => s.id === id)) step({ id, title, status: 'skip', ms: 0, boundMs, found: `skipped: ${reason}` });
  };
  const finish = (partial: Omit<DatabaseReport, 'url' | 'lines' | 'steps'>): DatabaseReport => ({ url: classified, lines, steps, ...partial });

  // The URL by eye: kind and port, then the user form.
  const userWarning = classified.warnings.find((w) => w.startsWith('user '));
  const urlWarnings = classified.warnings.filter((w) => w !== userWarning);
  const kindText =
    classified.kind === 'supabase-pooler'
      ? `the hosted pooler, ${classified.mode === 'transaction' ? 'transaction mode (6543)' : classified.mode === 'session' ? 'session mode (5432)' : `port ${classified.port}`}`
      : classified.kind === 'supabase-direct'
        ? `the direct database host, port ${classified.port}`
        : `host ${classified.host}, port ${classified.port}${classified.port === 6543 ? ' (the pooler\'s transaction port)' : classified.port === 5432 ? ' (Postgres\' or a session-mode port)' : ''}`;
  step({
    id: 'url', title: 'URL kind', status: urlWarnings.length ? 'warn' : 'pass', ms: 0, boundMs: 0,
    found: [`${kindText}, user ${classified.user}, database ${classified.database}${classified.sslmode ? `, sslmode=${classified.sslmode}` : ''}`, ...urlWarnings].join('; warning: '),
    diagnosis: urlWarnings.length ? { cause: urlWarnings[0]!, fix: 'see the warning' } : undefined,
  });
  step({
    id: 'user', title: 'pooler user form', status: userWarning ? 'warn' : 'pass', ms: 0, boundMs: 0,
    found: userWarning ?? (classified.kind === 'supabase-pooler' ? `user ${classified.user} has the form postgres.<project-ref>` : 'not the hosted pooler: no particular user form needed'),
    diagnosis: userWarning ? { cause: userWarning, fix: 'use the user the provider shows for the pooler: postgres.<project-ref>' } : undefined,
  });

  let started = performance.now();
  const resolved = await resolveHost(classified.host, bounds.resolveMs);
  const resolvedLine = resolved.error
    ? `resolve ${classified.host}: failed (${resolved.error})`
    : `resolve ${classified.host}: A ${resolved.v4.join(', ') || 'none'}; AAAA ${resolved.v6.join(', ') || 'none'}`;
  lines.push(resolvedLine);
  if (resolved.error) {
    const diagnosis =
      resolved.error === 'ETIMEDOUT'
        ? { cause: `resolving ${classified.host} took longer than ${bounds.resolveMs} ms (no DNS answer)`, fix: 'check the host name and this network\'s DNS resolver' }
        : diagnoseConnectError({ code: resolved.error }, where);
    step({ id: 'resolve', title: 'DNS A/AAAA', status: 'fail', ms: since(started), boundMs: bounds.resolveMs, found: resolvedLine, diagnosis });
    skipRest('the host does not resolve');
    return finish({ resolved, probes: [], login: { ok: false, attempts: 0, diagnosis }, ok: false, summary: text(diagnosis) });
  }
  step({ id: 'resolve', title: 'DNS A/AAAA', status: 'pass', ms: since(started), boundMs: bounds.resolveMs, found: resolvedLine });

  // Every address, in parallel (so the bound holds for the step), reported in order: IPv4 first.
  started = performance.now();
  const targets = [...resolved.v4.map((a) => [4, a] as const), ...resolved.v6.map((a) => [6, a] as const)];
  const probes: AddressProbe[] = await Promise.all(targets.map(([family, address]) => probe(address, family, classified.port, bounds.connectMs)));
  const probeLines = probes.map((p) => `connect ${p.family === 6 ? `[${p.address}]` : p.address}:${classified.port}: ${p.ok ? `ok in ${p.ms} ms` : `failed (${p.code})`}`);
  lines.push(...probeLines);
  if (!probes.some((p) => p.ok)) {
    const ipv6Only = resolved.v4.length === 0 && resolved.v6.length > 0 && probes.every((p) => NO_ROUTE.has(p.code ?? ''));
    const diagnosis: Diagnosis = ipv6Only
      ? { cause: IPV6_ONLY_DIAGNOSIS, fix: 'set DATABASE_URL to the pooler URL, which has IPv4 addresses (Supabase: <region>.pooler.supabase.com:6543, user postgres.<project-ref>)' }
      : diagnoseConnectError({ code: probes[0]?.code }, { ...where, timeoutMs: bounds.connectMs });
    step({ id: 'connect', title: 'each address', status: 'fail', ms: since(started), boundMs: bounds.connectMs, found: probeLines.join('; '), diagnosis });
    skipRest('no address answers');
    return finish({ resolved, probes, login: { ok: false, attempts: 0, diagnosis }, ok: false, summary: ipv6Only ? IPV6_ONLY_DIAGNOSIS : text(diagnosis) });
  }
  const unanswered = probes.filter((p) => !p.ok);
  step({
    id: 'connect', title: 'each address', status: unanswered.length ? 'warn' : 'pass', ms: since(started), boundMs: bounds.connectMs, found: probeLines.join('; '),
    diagnosis: unanswered.length
      ? { cause: `${unanswered.length} of ${probes.length} addresses do not answer`, fix: 'a client that tries only those fails: check the host\'s addresses (or this network\'s IPv6 route)' }
      : undefined,
  });

  // TLS: does the server offer it, and does the URL insist on it? (A refusal shows at login.)
  started = performance.now();
  const first = probes.find((p) => p.ok)!;
  const tls = await probeTls(first.address, classified.port, bounds.tlsMs);
  const wants = urlWantsTls(classified.sslmode);
  const tlsLine = `TLS: ${tls.offer === 'offered' ? 'the server offers it' : tls.offer === 'not-offered' ? 'the server offers none' : `no answer (${tls.error})`}; ` +
    `the URL ${wants ? `insists on it (sslmode=${classified.sslmode})` : classified.sslmode === 'disable' ? 'turns it off (sslmode=disable)' : 'does not ask for it (no sslmode)'}`;
  lines.push(tlsLine);
  const tlsDiagnosis: Diagnosis | undefined =
    wants && tls.offer === 'not-offered'
      ? { cause: 'TLS was required by the URL but the server offers none', fix: 'drop sslmode=require for this server, or enable TLS on it' }
      : tls.error
        ? { cause: `the server did not answer the TLS question (${tls.error}): is this a Postgres server or pooler?`, fix: 'check the host and port in DATABASE_URL' }
        : undefined;
  step({ id: 'tls', title: 'TLS', status: tlsDiagnosis ? (tls.error ? 'warn' : 'fail') : 'pass', ms: since(started), boundMs: bounds.tlsMs, found: tlsLine, diagnosis: tlsDiagnosis });

  // Bounded retries for transient network errors only; a refused login is never retried.
  const maxAttempts = 1 + (options.retries ?? 2);
  started = performance.now();
  for (let attempt = 1; ; attempt++) {
    const result = await login(url, bounds.loginMs);
    if (result.ok) {
      const line = `login as ${classified.user} and SELECT 1: ok in ${result.ms} ms${attempt > 1 ? ` (after ${attempt - 1} retr${attempt === 2 ? 'y' : 'ies'})` : ''}`;
      lines.push(line);
      step({ id: 'login', title: 'login', status: 'pass', ms: since(started), boundMs: bounds.loginMs * maxAttempts, found: line });
      return finish({ resolved, probes, tls, login: { ok: true, ms: result.ms, attempts: attempt }, ok: true, summary: 'ok' });
    }
    const code = (result.error as NodeJS.ErrnoException).code ?? '';
    if (TRANSIENT.has(code) && attempt < maxAttempts) {
      options.onRetry?.(`database login: ${code}, retry ${attempt}/${maxAttempts - 1}`);
      lines.push(`login attempt ${attempt}: ${code} (transient), retrying`);
      continue;
    }
    const diagnosis = diagnoseConnectError(result.error, where);
    const line = `login as ${classified.user}: failed: ${diagnosis.cause}`;
    lines.push(line);
    step({ id: 'login', title: 'login', status: 'fail', ms: since(started), boundMs: bounds.loginMs * maxAttempts, found: line, diagnosis });
    return finish({ resolved, probes, tls, login: { ok: false, attempts: attempt, diagnosis }, ok: false, summary: text(diagnosis) });
  }
}
