// Diagnoses the road to the database, step by step, the way a person would after "Network is
// unreachable": what kind of URL it is, what the host resolves to (A and AAAA), whether each
// address can be reached, and whether Postgres accepts the login. Each step's result is kept so
// the report shows all of them, not just the first failure.
import dns from 'node:dns/promises';
import net from 'node:net';
import pg from 'pg';
import { classifyDatabaseUrl, type UrlClassification } from './database-url.ts';
import { diagnoseConnectError, type Diagnosis } from './connect-error.ts';

export interface AddressProbe {
  address: string;
  family: 4 | 6;
  ok: boolean;
  code?: string;
  ms: number;
}

export interface DatabaseReport {
  url: UrlClassification;
  resolved: { v4: string[]; v6: string[]; error?: string };
  probes: AddressProbe[];
  login: { ok: boolean; ms?: number; attempts: number; diagnosis?: Diagnosis };
  ok: boolean;
  /** One line naming the cause (or "ok"). */
  summary: string;
  /** Every step, printable. */
  lines: string[];
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

async function resolveHost(host: string): Promise<DatabaseReport['resolved']> {
  try {
    // lookup (not resolve4/6): it follows /etc/hosts and nsswitch, as the services' own driver does.
    const all = await dns.lookup(host, { all: true });
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
    await client.connect();
    await client.query('SELECT 1');
    return { ok: true, ms: Math.round(performance.now() - started) };
  } catch (error) {
    return { ok: false, error };
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function diagnoseDatabase(
  url: string,
  options: { poolMode: 'transaction' | 'session'; timeoutMs?: number; retries?: number; onRetry?: (why: string) => void },
): Promise<DatabaseReport> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const classified = classifyDatabaseUrl(url, options.poolMode);
  const lines = [...classified.notes, ...classified.warnings.map((w) => `warning: ${w}`)];
  const where = { host: classified.host, port: classified.port, user: classified.user, timeoutMs };
  const finish = (partial: Omit<DatabaseReport, 'url' | 'lines'>): DatabaseReport => ({ url: classified, lines, ...partial });

  const resolved = await resolveHost(classified.host);
  lines.push(
    resolved.error
      ? `resolve ${classified.host}: failed (${resolved.error})`
      : `resolve ${classified.host}: A ${resolved.v4.join(', ') || 'none'}; AAAA ${resolved.v6.join(', ') || 'none'}`,
  );
  if (resolved.error) {
    const diagnosis = diagnoseConnectError({ code: resolved.error }, where);
    return finish({ resolved, probes: [], login: { ok: false, attempts: 0, diagnosis }, ok: false, summary: `${diagnosis.cause}; fix: ${diagnosis.fix}` });
  }

  const probes: AddressProbe[] = [];
  for (const [family, list] of [[4, resolved.v4], [6, resolved.v6]] as const) {
    for (const address of list) {
      const p = await probe(address, family, classified.port, timeoutMs);
      probes.push(p);
      lines.push(`connect ${family === 6 ? `[${address}]` : address}:${classified.port}: ${p.ok ? `ok in ${p.ms} ms` : `failed (${p.code})`}`);
    }
  }
  if (!probes.some((p) => p.ok)) {
    const ipv6Only = resolved.v4.length === 0 && resolved.v6.length > 0 && probes.every((p) => NO_ROUTE.has(p.code ?? ''));
    const diagnosis: Diagnosis = ipv6Only
      ? { cause: IPV6_ONLY_DIAGNOSIS, fix: 'set DATABASE_URL to the pooler URL, which has IPv4 addresses (Supabase: <region>.pooler.supabase.com:6543, user postgres.<project-ref>)' }
      : diagnoseConnectError({ code: probes[0]?.code }, where);
    return finish({ resolved, probes, login: { ok: false, attempts: 0, diagnosis }, ok: false, summary: ipv6Only ? IPV6_ONLY_DIAGNOSIS : `${diagnosis.cause}; fix: ${diagnosis.fix}` });
  }

  // Bounded retries for transient network errors only; a refused login is never retried.
  const maxAttempts = 1 + (options.retries ?? 2);
  for (let attempt = 1; ; attempt++) {
    const result = await login(url, timeoutMs);
    if (result.ok) {
      lines.push(`login as ${classified.user} and SELECT 1: ok in ${result.ms} ms${attempt > 1 ? ` (after ${attempt - 1} retr${attempt === 2 ? 'y' : 'ies'})` : ''}`);
      return finish({ resolved, probes, login: { ok: true, ms: result.ms, attempts: attempt }, ok: true, summary: 'ok' });
    }
    const code = (result.error as NodeJS.ErrnoException).code ?? '';
    if (TRANSIENT.has(code) && attempt < maxAttempts) {
      options.onRetry?.(`database login: ${code}, retry ${attempt}/${maxAttempts - 1}`);
      lines.push(`login attempt ${attempt}: ${code} (transient), retrying`);
      continue;
    }
    const diagnosis = diagnoseConnectError(result.error, where);
    lines.push(`login as ${classified.user}: failed: ${diagnosis.cause}`);
    return finish({ resolved, probes, login: { ok: false, attempts: attempt, diagnosis }, ok: false, summary: `${diagnosis.cause}; fix: ${diagnosis.fix}` });
  }
}
