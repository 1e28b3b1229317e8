// pooler: the local pooler behaves like the hosted transaction-mode pooler (so a service that
// would break on Supabase :6543 breaks here too), and the services work through it.
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { withPgClient } from '../helpers/db-client.ts';

const stack = inject('stack');

describe.skipIf(!stack.poolerUrl)('transaction-mode pooler', () => {
  it('unnamed parameterised queries work through the pooler', async () => {
    await withPgClient(stack.poolerUrl!, async (db) => {
      const { rows } = await db.query('SELECT $1::int + 1 AS n', [41]);
      expect(rows[0].n).toBe(42);
    });
  });

  it('named prepared statements fail through it, as on the hosted pooler', async () => {
    const pool = new pg.Pool({ connectionString: stack.poolerUrl!, max: 4 });
    pool.on('error', () => undefined);
    try {
      const named = (i: number) => pool.query({ name: 'e2e_named', text: 'SELECT $1::int AS i', values: [i] });
      const results = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => named(i)));
      const errors = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => (r.reason as Error).message);
      expect(errors.length, 'named statements all succeeded: is the pooler really in transaction mode?').toBeGreaterThan(0);
      expect(errors.join('\n')).toMatch(/prepared statement "e2e_named" (already exists|does not exist)/);
    } finally {
      await pool.end();
    }
  });

  it('statement_timeout as a startup parameter is rejected, as on the hosted pooler', async () => {
    const client = new pg.Client({ connectionString: stack.poolerUrl!, statement_timeout: 1000 });
    client.on('error', () => undefined);
    await expect(client.connect()).rejects.toThrow(/unsupported startup parameter: statement_timeout/);
    await client.end().catch(() => undefined);
  });
});
