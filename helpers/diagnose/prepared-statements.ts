// Shows whether named prepared statements survive between one client's transactions. Client A
// prepares a named statement (node-postgres sends Parse once, then only Bind/Execute). Client B then
// holds, in an open transaction, the backend A's statement was prepared on (same pg_backend_pid).
// Through a transaction-mode pooler A's next execution must run on another backend, where the
// statement does not exist. On a direct or session-mode connection B never gets A's backend and the
// statement keeps working.
import { randomUUID } from 'node:crypto';
import pg from 'pg';

export interface NamedStatementResult {
  /** The error the second execution met, e.g. `prepared statement "…" does not exist`. */
  error?: string;
  attempts: number;
}

const ATTEMPTS = 30;

export async function probeNamedStatements(url: string, timeoutMs = 3_000): Promise<NamedStatementResult> {
  const name = `e2e_named_${randomUUID().slice(0, 8)}`;
  const a = new pg.Client({ connectionString: url, query_timeout: timeoutMs, connectionTimeoutMillis: timeoutMs });
  const b = new pg.Client({ connectionString: url, query_timeout: timeoutMs, connectionTimeoutMillis: timeoutMs });
  for (const c of [a, b]) c.on('error', () => undefined);
  const named = () => a.query<{ pid: number }>({ name, text: 'SELECT pg_backend_pid() AS pid' });
  // node-postgres parses a named statement once per client, so it exists on one backend: the one
  // the first execution ran on. The finally block deallocates it there.
  let preparedOn: number | undefined;
  let bHolds: number | undefined;
  try {
    await Promise.all([a.connect(), b.connect()]);
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      let pid: number;
      try {
        pid = (await named()).rows[0]!.pid;
        preparedOn ??= pid;
      } catch (error) {
        return { error: (error as Error).message, attempts: attempt }; // already landed elsewhere
      }
      await b.query('BEGIN');
      const theirs = (await b.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      bHolds = theirs;
      if (theirs !== pid) {
        await b.query('COMMIT');
        bHolds = undefined;
        continue;
      }
      let error: string | undefined;
      try {
        await named();
      } catch (e) {
        error = (e as Error).message;
      }
      if (error) return { error, attempts: attempt };
      await b.query('COMMIT');
      bHolds = undefined;
    }
    return { attempts: ATTEMPTS };
  } finally {
    await deallocate(b, name, preparedOn, bHolds);
    await Promise.all([a.end().catch(() => undefined), b.end().catch(() => undefined)]);
  }
}

/**
 * Leaves no prepared statement on a pooled backend, whatever happened: B deallocates it on the
 * backend it holds when that is the one (then ends its transaction), else looks for that backend a
 * bounded number of times. Errors are ignored: this is cleanup.
 */
async function deallocate(b: pg.Client, name: string, preparedOn: number | undefined, bHolds: number | undefined): Promise<void> {
  const end = () => b.query('COMMIT').catch(() => b.query('ROLLBACK').catch(() => undefined));
  if (bHolds !== undefined) {
    if (bHolds === preparedOn) {
      await b.query(`DEALLOCATE ${name}`).catch(() => undefined);
      preparedOn = undefined;
    }
    await end();
  }
  for (let tries = 0; preparedOn !== undefined && tries < 10; tries++) {
    try {
      await b.query('BEGIN');
      const pid = (await b.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      if (pid === preparedOn) {
        await b.query(`DEALLOCATE ${name}`).catch(() => undefined);
        preparedOn = undefined;
      }
    } catch {
      /* the connection is gone: nothing more to do from here */
      return;
    } finally {
      await end();
    }
  }
}
