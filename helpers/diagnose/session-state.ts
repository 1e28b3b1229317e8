// Shows, with two clients, whether session state survives between transactions. Through a
// transaction-mode pooler it does not: client A's SET lands on a server connection that the next
// client may get (a leak), while A's next transaction may run elsewhere (the setting is gone).
// This is why the services must not rely on session state.
import { randomUUID } from 'node:crypto';
import pg from 'pg';

export interface SessionStateResult {
  /** A's own setting was still visible to A in its next transaction. */
  survived: boolean;
  /** B, another client, saw A's setting: state leaks across clients. */
  leakedToOtherClient: boolean;
  inconclusive?: string;
}

export async function probeSessionState(url: string, timeoutMs = 3_000): Promise<SessionStateResult> {
  const token = `probe-${randomUUID().slice(0, 8)}`;
  const a = new pg.Client({ connectionString: url, query_timeout: timeoutMs, connectionTimeoutMillis: timeoutMs });
  const b = new pg.Client({ connectionString: url, query_timeout: timeoutMs, connectionTimeoutMillis: timeoutMs });
  for (const c of [a, b]) c.on('error', () => undefined);
  const read = async (c: pg.Client) => ((await c.query(`SELECT current_setting('e2e.probe', true) AS v`)).rows[0].v as string | null) ?? '';
  try {
    await Promise.all([a.connect(), b.connect()]);
    await a.query(`SET e2e.probe = '${token}'`); // session-level on purpose: this is the probe
    await b.query('BEGIN'); // B holds a server connection: most likely the one A just used
    const leakedToOtherClient = (await read(b)) === token;
    let survived: boolean;
    try {
      survived = (await read(a)) === token;
    } catch (error) {
      return { survived: false, leakedToOtherClient, inconclusive: `the pooler has a single server connection (${(error as Error).message})` };
    }
    await b.query('RESET e2e.probe'); // do not leave the probe on a pooled connection
    await b.query('COMMIT');
    await a.query('RESET e2e.probe').catch(() => undefined);
    return { survived, leakedToOtherClient };
  } finally {
    await Promise.all([a.end().catch(() => undefined), b.end().catch(() => undefined)]);
  }
}
