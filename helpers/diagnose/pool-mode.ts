// Which pooling does DATABASE_URL give, as observed? Two clients and pg_backend_pid(), nothing
// else: no SET, no set_config, no object, no named statement, so no state is left anywhere.
// Client A asks for its backend's pid; client B opens a read-only transaction and asks for its
// own. Through a transaction-mode pooler A's backend goes back to the pool after each statement,
// so B is soon handed it (same pid) and A's next statement has to run on another backend. In
// session mode (or on a direct connection) each client keeps one backend for its whole session:
// B never gets A's, and A's pid never changes. The same effect the session-state probe shows,
// without the state. Used by `npm run doctor`.
import pg from 'pg';
import { withinBound } from './bound.ts';

export type ObservedPoolMode = 'transaction' | 'session';

export interface PoolModeObservation {
  mode?: ObservedPoolMode;
  /** What was seen, one sentence. */
  evidence: string;
  /** Tries it took (at most `attempts`). */
  tries: number;
  /** The Postgres port the backend reports (inet_server_port()), when it differs from the URL's: something sits in between. */
  backendPort?: number;
  /** Why no mode could be observed. */
  error?: string;
}

export async function observePoolMode(url: string, options: { boundMs: number; attempts?: number }): Promise<PoolModeObservation> {
  const attempts = options.attempts ?? 20;
  const a = new pg.Client({ connectionString: url, query_timeout: options.boundMs, connectionTimeoutMillis: options.boundMs });
  const b = new pg.Client({ connectionString: url, query_timeout: options.boundMs, connectionTimeoutMillis: options.boundMs });
  for (const c of [a, b]) c.on('error', () => undefined);
  const PID = 'SELECT pg_backend_pid() AS pid, inet_server_port() AS port';
  let bInTransaction = false;
  let tries = 0;
  try {
    return await withinBound(options.boundMs, 'pool mode', async (signal) => {
      signal.addEventListener('abort', () => {
        void a.end().catch(() => undefined);
        void b.end().catch(() => undefined);
      });
      await Promise.all([a.connect(), b.connect()]);
      const first = (await a.query<{ pid: number; port: number | null }>(PID)).rows[0]!;
      const backendPort = first.port ?? undefined;
      let mine = first.pid;
      for (tries = 1; tries <= attempts; tries++) {
        await b.query('BEGIN READ ONLY');
        bInTransaction = true;
        const theirs = (await b.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
        const next = (await a.query<{ pid: number }>(PID)).rows[0]!.pid;
        await b.query('ROLLBACK');
        bInTransaction = false;
        if (theirs === mine) {
          return { mode: 'transaction' as const, tries, backendPort, evidence: `another client was handed this client's backend (pid ${mine}) between two of its statements, and its next statement ran on pid ${next}: a backend per transaction` };
        }
        if (next !== mine) {
          return { mode: 'transaction' as const, tries, backendPort, evidence: `one client's statements ran on two backends (pid ${mine}, then ${next}): a backend per transaction` };
        }
        mine = next;
      }
      return { mode: 'session' as const, tries: attempts, backendPort, evidence: `over ${attempts} tries this client kept one backend (pid ${mine}) and another client was never handed it: a backend per client` };
    });
  } catch (error) {
    return { tries, evidence: `no observation: ${(error as Error).message}`, error: (error as Error).message };
  } finally {
    if (bInTransaction) await b.query('ROLLBACK').catch(() => undefined);
    await Promise.all([a.end().catch(() => undefined), b.end().catch(() => undefined)]);
  }
}

/** undefined when the observed mode is the one meant; otherwise the cause and fix. */
export function poolModeMismatch(meant: ObservedPoolMode, observed: ObservedPoolMode): { cause: string; fix: string } | undefined {
  if (meant === observed) return undefined;
  if (meant === 'transaction') {
    return {
      cause: 'DATABASE_URL is in session mode (each client keeps one backend) where transaction mode was meant',
      fix: "use the pooler's transaction-mode port (6543 on Supabase; pool_mode=transaction on PgBouncer): a session-mode pooler holds a server connection per client and runs out under load",
    };
  }
  return {
    cause: 'DATABASE_URL is in transaction mode (a backend per transaction) where session mode was meant',
    fix: 'services that rely on session state (SET, LISTEN, advisory locks, named prepared statements) break here: use the session port (5432 on the Supabase pooler) or the direct URL',
  };
}
