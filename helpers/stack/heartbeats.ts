// Waiting for workers' heartbeat rows, as both providers do when a stack starts and when a worker
// is started again. One connection polls for all of them: a new connection per poll costs a
// backend process and a SCRAM login, about 18 ms of CPU (100 polls: 1.8 CPU-seconds against 0.05
// on one connection), taken from the very services that are booting meanwhile.
import pg from 'pg';
import { waitUntil } from '../wait.ts';

export interface HeartbeatWait {
  /** The workers' instance ids. */
  names: string[];
  /** Only a heartbeat row started at or after this (compared with the database's clock): a worker started again. */
  since?: Date;
  timeoutMs: number;
  /** Why waiting is pointless (a worker exited), or undefined to go on. */
  abortIf?: () => string | undefined;
}

/** Resolves once every named worker has a running heartbeat row; fails naming those still missing. */
export async function waitForHeartbeats(db: string | pg.ClientConfig, wait: HeartbeatWait): Promise<void> {
  if (!wait.names.length) return;
  const config = typeof db === 'string' ? { connectionString: db } : db;
  let client: pg.Client | undefined;
  /** The kept connection, made again when the last one broke (a restarted Postgres, a dropped socket). */
  const connection = async () => {
    if (client) return client;
    const fresh = new pg.Client({ ...config, connectionTimeoutMillis: 5_000, query_timeout: 5_000 });
    fresh.on('error', () => undefined);
    try {
      await fresh.connect();
    } catch (error) {
      await fresh.end().catch(() => undefined);
      throw error;
    }
    return (client = fresh);
  };
  let missing = wait.names;
  try {
    await waitUntil(
      async () => {
        const db = await connection();
        try {
          const { rows } = await db.query<{ id: string }>(
            `SELECT instance_id AS id FROM worker_heartbeats WHERE instance_id = ANY($1) AND status = 'running' AND ($2::timestamptz IS NULL OR started_at >= $2)`,
            [wait.names, wait.since ?? null],
          );
          missing = wait.names.filter((n) => !rows.some((r) => r.id === n));
          return missing.length === 0;
        } catch (error) {
          // The connection may be gone with the error: the next poll connects again.
          client = undefined;
          await db.end().catch(() => undefined);
          throw error;
        }
      },
      { what: wait.names.length === 1 ? `${wait.names[0]} heartbeat` : 'a heartbeat from every worker', timeoutMs: wait.timeoutMs, intervalMs: 25, abortIf: wait.abortIf },
    );
  } catch (error) {
    throw new Error(`${(error as Error).message} (still waiting for ${missing.join(', ')})`);
  } finally {
    await client?.end().catch(() => undefined);
  }
}
