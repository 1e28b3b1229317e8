// The run's rows: ids, the pattern that finds them, and how what was left is told.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '../helpers/report/results.ts';
import { cleanupConnection, cleanupRun, describeCleanup, newRunPrefix, readLedger, runPattern, SUITE_RUN_PREFIX } from '../helpers/run-rows.ts';
import { tempDir } from './support/temp-dir.ts';

describe('run ids and cleanup', () => {
  it('one prefix per run, with the suite prefix the checker role is fenced to', () => {
    const a = newRunPrefix();
    expect(a.startsWith(SUITE_RUN_PREFIX)).toBe(true);
    expect(a).toMatch(/^[a-z0-9-]+$/);
    expect(newRunPrefix()).not.toBe(a);
    expect(runPattern(a)).toBe(`${a}-%`);
    expect(() => runPattern("e2e-x%' OR true")).toThrow(/lowercase letters, digits and dashes/);
  });

  it('least privilege first: the checker, then a direct URL, then DATABASE_URL', () => {
    expect(cleanupConnection({ E2E_CHECKER_DATABASE_URL: 'postgres://c', DATABASE_URL: 'postgres://d' }).via).toBe('E2E_CHECKER_DATABASE_URL');
    expect(cleanupConnection({ E2E_DIRECT_DATABASE_URL: 'postgres://x', DATABASE_URL: 'postgres://d' }).via).toBe('E2E_DIRECT_DATABASE_URL');
    expect(cleanupConnection({ DATABASE_URL: 'postgres://d' }).via).toBe('DATABASE_URL');
    expect(cleanupConnection({}).url).toBeUndefined();
  });

  it('without a database, every job of the ledger is named as left, with why; a job without the run id is a suite bug', async () => {
    const dir = tempDir('ledger');
    const file = path.join(dir, 'jobs.jsonl');
    writeFileSync(file, `${JSON.stringify({ id: 'j1', runId: 'e2e-r1-echo-1' })}\n${JSON.stringify({ id: 'j2', runId: null })}\n`);
    const report = await cleanupRun({ runId: 'e2e-r1', via: 'no database URL', ledger: readLedger(file) });
    expect(report.left).toEqual([
      { id: 'j2', why: expect.stringMatching(/created without this run's id/) },
      { id: 'j1', why: expect.stringMatching(/no database connection to remove it with/) },
    ]);
    expect(describeCleanup(report)).toMatch(/removed 0 job row\(s\).*; 2 left \(j2: created without/);
  });

  it('a database that does not answer: the rows are named, with the error, within the bound', async () => {
    const started = Date.now();
    const report = await cleanupRun({ runId: 'e2e-r2', via: 'DATABASE_URL', databaseUrl: 'postgresql://u:pw@127.0.0.1:1/db', connectTimeoutMs: 2_000, ledger: [{ id: 'j3', runId: 'e2e-r2-x-1' }] });
    expect(report.left).toEqual([{ id: 'j3', why: expect.stringMatching(/the cleanup failed: .*ECONNREFUSED/) }]);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('the summary lists rows left, target text escaped', () => {
    const md = renderMarkdown({
      verdict: 'pass', target: 't', finishedAt: '', counts: { passed: 0, failed: 0, skipped: 0 }, tests: [],
      cleanup: { runId: 'e2e-r3', via: 'DATABASE_URL', removed: { jobs: 5, executions: 7 }, removedUnfinished: 1, waitedMs: 15_000, durationMs: 20, left: [{ id: 'j9', state: 'queued', why: 'the cleanup failed: <img src=x>' }] },
    });
    expect(md).toContain('### Rows written and removed');
    expect(md).toMatch(/removed 5 job rows and 7 execution rows through DATABASE_URL .*\(1 still unfinished after waiting 15\.0 s, removed anyway\)/);
    expect(md).toContain('- left behind: 1\n  - j9 (queued): the cleanup failed: &lt;img src=x&gt;');
  });
});
