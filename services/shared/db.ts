// Database access that is safe through a transaction-mode pooler (PgBouncer, Supabase :6543):
// - no named prepared statements (every query is unnamed);
// - no session state (no SET, no temp tables, no LISTEN): each transaction may land on another
//   server connection;
// - no startup parameters such as statement_timeout (the pooler rejects them): timeouts are
//   enforced client-side with query_timeout.
import pg from 'pg';

export interface PoolOptions {
  connectionString: string;
  max?: number;
  applicationName?: string;
  queryTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** Defect switch: send statement_timeout as a startup parameter (a transaction pooler refuses it). */
  startupStatementTimeout?: boolean;
}

export function createPool(options: PoolOptions, onError: (error: Error) => void): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 5,
    // application_name is one of the few startup parameters poolers accept.
    application_name: options.applicationName,
    query_timeout: options.queryTimeoutMs ?? 5_000,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 3_000,
    idleTimeoutMillis: 10_000,
    ...(options.startupStatementTimeout ? { statement_timeout: 5_000 } : {}),
  });
  // An idle client losing its connection (pooler restart) must not crash the process.
  pool.on('error', onError);
  return pool;
}

/** Runs `fn` in one transaction on one connection; rolls back on any error. */
export async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    // If even ROLLBACK fails the connection is gone: destroy it instead of pooling it.
    await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
    throw error;
  } finally {
    client.release(broken);
  }
}

export { maskUrlPasswords as maskUrl } from '../../contract/mask.ts';
