// The rows one run writes, and their removal. Every job of a run carries the run's id: a prefix
// made once per run (by the runner, or by the global setup when vitest runs alone), followed by a
// label per test. After the run the cleanup waits, within a bound, for the run's jobs a worker holds,
// then deletes every row of the run (jobs, and their job_executions) in one transaction under a
// statement timeout, checks what is left, and says why for each row it could not remove.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import pg from 'pg';
import { WaitTimeout, waitUntil } from './wait.ts';

/** Every run id of the suite starts with this (env/checker-role.sql restricts the checker role to it). */
export const SUITE_RUN_PREFIX = 'e2e-';

/** A new run's id prefix, e.g. e2e-mk2x9a1c-3f9a2b: sortable by time, unique. */
export function newRunPrefix(): string {
  return `${SUITE_RUN_PREFIX}${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/** The LIKE pattern matching every job of the run (prefixes are [a-z0-9-] only: nothing to escape). */
export function runPattern(runPrefix: string): string {
  if (!/^[a-z0-9-]+$/.test(runPrefix)) throw new Error(`run id prefix "${runPrefix}" must be lowercase letters, digits and dashes`);
  return `${runPrefix}-%`;
}

export interface LeftRow {
  id: string;
  state?: string;
  why: string;
}

export interface CleanupReport {
  runId: string;
  /** Which connection did the work (a variable name), or why none. */
  via: string;
  /** Jobs and executions deleted. */
  removed: { jobs: number; executions: number };
  /** Jobs that were still unfinished when the wait ended, removed anyway. */
  removedUnfinished: number;
  waitedMs: number;
  left: LeftRow[];
  durationMs: number;
}

export interface CleanupOptions {
  runId: string;
  /** The connection for reading and deleting, and the name of the variable it came from. */
  databaseUrl?: string;
  via: string;
  /** How long to wait for unfinished jobs before removing them anyway. */
  waitMs?: number;
  statementTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** Jobs the run created (from the ledger), to name rows that cannot be found by run id. */
  ledger?: { id: string; runId: string | null }[];
}

/** Jobs recorded by the API client (E2E_JOB_LEDGER): one JSON line per created job. */
export function readLedger(file: string | undefined): { id: string; runId: string | null }[] | undefined {
  if (!file || !existsSync(file)) return file ? [] : undefined;
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { id: string; runId: string | null });
}

export async function cleanupRun(options: CleanupOptions): Promise<CleanupReport> {
  const started = Date.now();
  const waitMs = options.waitMs ?? 20_000;
  const statementTimeoutMs = options.statementTimeoutMs ?? 5_000;
  const pattern = runPattern(options.runId);
  const report: CleanupReport = { runId: options.runId, via: options.via, removed: { jobs: 0, executions: 0 }, removedUnfinished: 0, waitedMs: 0, left: [], durationMs: 0 };
  const ledger = options.ledger ?? [];
  // Jobs created without the run's id cannot be found (or seen by the checker role) by run id.
  const untagged = ledger.filter((j) => !j.runId?.startsWith(`${options.runId}-`));
  for (const j of untagged) report.left.push({ id: j.id, why: `created without this run's id (run id ${j.runId ?? 'none'}): a suite bug; remove it by id` });

  if (!options.databaseUrl) {
    const tagged = ledger.filter((j) => !untagged.includes(j));
    for (const j of tagged) report.left.push({ id: j.id, why: `no database connection to remove it with (${options.via}); the API has no delete` });
    report.durationMs = Date.now() - started;
    return report;
  }

  const client = new pg.Client({ connectionString: options.databaseUrl, connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000, query_timeout: statementTimeoutMs + 2_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    // Wait (bounded) while a worker holds one of the run's jobs under a live lease, so no worker is
    // cut off mid-job. Jobs no worker holds (queued, retrying, or held by a worker whose lease
    // lapsed) are not waited for: with the workers stopped that wait would only run out. Past the
    // bound the delete runs anyway: unfinished rows are removed and counted.
    const waitStart = Date.now();
    await waitUntil(
      async () =>
        (await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM jobs WHERE run_id LIKE $1 AND state = 'running' AND locked_until > now()`, [pattern])).rows[0]!.n === 0,
      { what: "the run's jobs held by a worker to end", timeoutMs: waitMs, intervalMs: 250 },
    ).catch((error: Error) => {
      if (!(error instanceof WaitTimeout)) throw error;
    });
    report.waitedMs = Date.now() - waitStart;
    // One transaction; SET LOCAL keeps the timeout off the pooled connection afterwards.
    await client.query('BEGIN');
    try {
      await client.query(`SET LOCAL statement_timeout = ${Math.round(statementTimeoutMs)}`);
      const unfinished = await client.query(`SELECT id FROM jobs WHERE run_id LIKE $1 AND state NOT IN ('succeeded', 'dead')`, [pattern]);
      const executions = await client.query(`DELETE FROM job_executions WHERE job_id IN (SELECT id FROM jobs WHERE run_id LIKE $1)`, [pattern]);
      const jobs = await client.query(`DELETE FROM jobs WHERE run_id LIKE $1`, [pattern]);
      await client.query('COMMIT');
      report.removed = { jobs: jobs.rowCount ?? 0, executions: executions.rowCount ?? 0 };
      report.removedUnfinished = unfinished.rowCount ?? 0;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
    // Anything left now arrived after the delete: a request still in flight when the run stopped.
    const after = await client.query<{ id: string; state: string }>(`SELECT id, state FROM jobs WHERE run_id LIKE $1`, [pattern]);
    for (const r of after.rows) report.left.push({ id: r.id, state: r.state, why: 'created after the cleanup ran (a request still in flight when the run stopped)' });
  } catch (error) {
    const why = `the cleanup failed: ${(error as Error).message}`;
    // Name what is left: from the database if it still answers, else from the ledger.
    const rows = await client
      .query<{ id: string; state: string }>(`SELECT id, state FROM jobs WHERE run_id LIKE $1`, [pattern])
      .then((r) => r.rows)
      .catch(() => ledger.filter((j) => !untagged.includes(j)).map((j) => ({ id: j.id, state: undefined as unknown as string })));
    for (const r of rows) report.left.push({ id: r.id, state: r.state, why });
    if (rows.length === 0) report.left.push({ id: `(every job with run id ${options.runId}-*)`, why });
  } finally {
    await client.end().catch(() => undefined);
  }
  report.durationMs = Date.now() - started;
  return report;
}

/** One line for the console and the summary. */
export function describeCleanup(r: CleanupReport): string {
  const removed = `removed ${r.removed.jobs} job row(s) and ${r.removed.executions} execution row(s) of run ${r.runId} through ${r.via}`;
  const unfinished = r.removedUnfinished ? `, ${r.removedUnfinished} of them still unfinished after waiting ${(r.waitedMs / 1000).toFixed(1)} s` : '';
  return `${removed}${unfinished}; ${r.left.length} left${r.left.length ? ` (${r.left.map((l) => `${l.id}${l.state ? ` ${l.state}` : ''}: ${l.why}`).join('; ')})` : ''}`;
}

/** Which connection removes the run's rows on a live target, least privilege first. */
export function cleanupConnection(profile: { E2E_CHECKER_DATABASE_URL?: string; E2E_DIRECT_DATABASE_URL?: string; DATABASE_URL?: string }): { url?: string; via: string } {
  if (profile.E2E_CHECKER_DATABASE_URL) return { url: profile.E2E_CHECKER_DATABASE_URL, via: 'E2E_CHECKER_DATABASE_URL' };
  if (profile.E2E_DIRECT_DATABASE_URL) return { url: profile.E2E_DIRECT_DATABASE_URL, via: 'E2E_DIRECT_DATABASE_URL' };
  if (profile.DATABASE_URL) return { url: profile.DATABASE_URL, via: 'DATABASE_URL' };
  return { via: 'the profile gives no database URL (set E2E_CHECKER_DATABASE_URL)' };
}
