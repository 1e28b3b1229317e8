// pooler: the local pooler behaves like the hosted transaction-mode pooler (so a service that
// would break on Supabase :6543 breaks here too), and the services work through it.
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { withPgClient } from '../helpers/db-client.ts';
import { skipUnless } from '../helpers/skip.ts';
import { diagnoseDatabase } from '../helpers/diagnose/database.ts';
import { probeSessionState } from '../helpers/diagnose/session-state.ts';
import { probeNamedStatements } from '../helpers/diagnose/prepared-statements.ts';
import { redact } from '../helpers/redact.ts';
import { addMeta } from '../helpers/report/meta.ts';

const stack = inject('stack');
const profile = inject('profile');

// The URL diagnosed: the profile's DATABASE_URL when it gives one (a live target's, or staging's
// URL reproduced locally), else the pooler URL the local stack's services use.
const diagnosedUrl = profile.DATABASE_URL ?? stack.poolerUrl;

describe('database connectivity, diagnosed', () => {
  skipUnless(!!diagnosedUrl, 'the profile gives no DATABASE_URL to diagnose');

  it('DATABASE_URL resolves, every address answers, and the login works', async ({ task }) => {
    const report = await diagnoseDatabase(diagnosedUrl!, {
      poolMode: profile.POOL_MODE,
      timeoutMs: 5_000,
      onRetry: (why) => addMeta(task, { retries: [why] }),
    });
    addMeta(task, { diagnosis: report.lines.map((l) => redact(l, stack.secrets)) });
    console.log(redact(report.lines.join('\n'), stack.secrets));
    expect(report.ok, redact(report.summary, stack.secrets)).toBe(true);
    expect(report.url.warnings, report.url.warnings.join('\n')).toEqual([]);
  });

  it('in transaction mode, session state does not survive between transactions', async ({ task, skip }) => {
    if (profile.POOL_MODE !== 'transaction') skip('POOL_MODE is session: session state is expected to survive');
    const result = await probeSessionState(stack.poolerUrl!);
    const seen =
      `a session-level SET ${result.survived ? 'was still there' : 'was gone'} in the same client's next transaction` +
      `${result.leakedToOtherClient ? ', and another client saw it (state leaks across clients)' : ''}`;
    addMeta(task, { diagnosis: [seen + (result.inconclusive ? ` (${result.inconclusive})` : '')] });
    // Not shown is not shown to hold: a probe that never saw another client handed this client's
    // backend, or could not finish, proves nothing about transaction pooling.
    expect(result.inconclusive, `the session-state probe was inconclusive: ${result.inconclusive}`).toBeUndefined();
    expect(
      result.sharedAfter,
      'another client was never handed this client\'s backend in 30 tries: DATABASE_URL does not pool per transaction (a session-mode pooler, or a direct connection); use the pooler\'s transaction port (6543)',
    ).toBeDefined();
    expect(
      result.survived,
      `${seen}: DATABASE_URL behaves like a session (or direct) connection, not a transaction-mode pooler; use the pooler's transaction port (6543)`,
    ).toBe(false);
  });
});

describe('transaction-mode pooler', () => {
  skipUnless(!!stack.poolerUrl && profile.POOL_MODE === 'transaction', 'the profile gives no DATABASE_URL in transaction mode');
  it('unnamed parameterised queries work through the pooler', async () => {
    await withPgClient(stack.poolerUrl!, async (db) => {
      const { rows } = await db.query('SELECT $1::int + 1 AS n', [41]);
      expect(rows[0].n).toBe(42);
    });
  });

  it('named prepared statements fail through it, as on the hosted pooler', async () => {
    const result = await probeNamedStatements(stack.poolerUrl!);
    expect(result.error, `a named statement kept working over ${result.attempts} tries: is the pooler really in transaction mode?`).toMatch(
      /prepared statement "e2e_named_\w+" does not exist/,
    );
  });

  it('statement_timeout as a startup parameter is rejected, as on the hosted pooler', async () => {
    const client = new pg.Client({ connectionString: stack.poolerUrl!, statement_timeout: 1000 });
    client.on('error', () => undefined);
    await expect(client.connect()).rejects.toThrow(/unsupported startup parameter: statement_timeout/);
    await client.end().catch(() => undefined);
  });
});
