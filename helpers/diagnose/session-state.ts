// Shows, with two clients, whether session state survives between one client's transactions.
// Client A sets a session-level value on the backend its statement ran on; client B then opens a
// transaction. Through a transaction-mode pooler B is soon handed that very backend (the same
// pg_backend_pid), and sees A's value (a leak), while A's next statement has to run on another
// backend, where the value is gone. On a direct or session-mode connection B never gets A's backend
// and A keeps its value. This is why the services must not rely on session state.
import { randomUUID } from 'node:crypto';
import pg from 'pg';

export interface SessionStateResult {
  /** A's own setting was still visible to A in its next transaction. */
  survived: boolean;
  /** B, another client, saw A's setting: state leaks across clients. */
  leakedToOtherClient: boolean;
  /** How many tries it took B to be handed A's backend (undefined: never, as on a direct connection). */
  sharedAfter?: number;
  inconclusive?: string;
}

const ATTEMPTS = 30;

export async function probeSessionState(url: string, timeoutMs = 3_000): Promise<SessionStateResult> {
  // A fresh value per attempt: a backend that kept an earlier attempt's value must not count.
  const run = `probe-${randomUUID().slice(0, 8)}`;
  let token = run;
  const a = new pg.Client({ connectionString: url, query_timeout: timeoutMs, connectionTimeoutMillis: timeoutMs });
  const b = new pg.Client({ connectionString: url, query_timeout: timeoutMs, connectionTimeoutMillis: timeoutMs });
  for (const c of [a, b]) c.on('error', () => undefined);
  const SET_AND_PID = `SELECT pg_backend_pid() AS pid, set_config('e2e.probe', $1, false) AS v`; // session-level on purpose
  const PID_AND_VALUE = `SELECT pg_backend_pid() AS pid, coalesce(current_setting('e2e.probe', true), '') AS v`;
  let bInTransaction = false;
  try {
    await Promise.all([a.connect(), b.connect()]);
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      token = `${run}-${attempt}`;
      const mine = (await a.query(SET_AND_PID, [token])).rows[0].pid as number;
      await b.query('BEGIN');
      bInTransaction = true;
      const theirs = (await b.query(PID_AND_VALUE)).rows[0] as { pid: number; v: string };
      if (theirs.pid !== mine) {
        await b.query('COMMIT');
        bInTransaction = false;
        continue;
      }
      // B holds the backend A just used: A's next statement must run elsewhere.
      let next: { pid: number; v: string };
      try {
        next = (await a.query(PID_AND_VALUE)).rows[0];
      } catch (error) {
        return { survived: false, leakedToOtherClient: theirs.v === token, sharedAfter: attempt, inconclusive: `the pooler has a single server connection (${(error as Error).message})` };
      }
      return { survived: next.v === token, leakedToOtherClient: theirs.v === token, sharedAfter: attempt };
    }
    // Never handed A's backend: a session of its own (direct or session mode). Does A keep its value?
    const last = (await a.query(PID_AND_VALUE)).rows[0] as { v: string };
    return { survived: last.v === token, leakedToOtherClient: false };
  } finally {
    // Whatever happened above, leave no setting behind on a pooled backend and no open transaction:
    // B clears it on the backend it holds (A's, when they met), A on the one it reaches next.
    const clear = `SELECT set_config('e2e.probe', '', false)`;
    if (bInTransaction) {
      await b.query(clear).catch(() => undefined);
      await b.query('COMMIT').catch(() => b.query('ROLLBACK').catch(() => undefined));
    }
    await a.query(clear).catch(() => undefined);
    await Promise.all([a.end().catch(() => undefined), b.end().catch(() => undefined)]);
  }
}
