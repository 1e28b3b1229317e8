// Shards' and targets' results merged into one (helpers/merge-results.ts).
import { describe, expect, it } from 'vitest';
import { mergeJunit, mergeResults } from '../helpers/merge-results.ts';
import type { RunResults } from '../helpers/report/results.ts';

const shard = (n: number, verdict: RunResults['verdict'], counts: RunResults['counts'], target = 'local'): RunResults => ({
  verdict,
  target,
  provider: 'processes',
  finishedAt: `2026-01-01T00:0${n}:00.000Z`,
  durationMs: n * 1000,
  counts,
  tests: [{ suite: `suite${n}`, name: 'a check', state: verdict === 'pass' ? 'passed' : 'failed' }],
});

describe('mergeResults', () => {
  it('sums the counts, keeps every check, takes the slowest duration and the worst verdict', () => {
    const merged = mergeResults([
      { label: 'shard-1', results: shard(1, 'pass', { passed: 40, failed: 0, skipped: 2 }) },
      { label: 'shard-2', results: shard(2, 'checks failed', { passed: 41, failed: 1, skipped: 1 }) },
    ]);
    expect(merged).toMatchObject({ verdict: 'checks failed', target: 'local', counts: { passed: 81, failed: 1, skipped: 3 }, durationMs: 2000, finishedAt: '2026-01-01T00:02:00.000Z' });
    expect(merged.tests.map((t) => t.suite)).toEqual(['suite1', 'suite2']);
  });

  it('a missing part fails an otherwise green merge, named', () => {
    const merged = mergeResults([{ label: 'shard-1', results: shard(1, 'pass', { passed: 1, failed: 0, skipped: 0 }) }], ['shard-2']);
    expect(merged.verdict).toBe('checks failed');
    expect(merged.problems).toEqual(['shard-2: no results (the shard or target did not finish; see its job)']);
  });

  it('targets of a matrix keep their names on each check; an unreachable one is the verdict', () => {
    const merged = mergeResults([
      { label: 'staging', results: shard(1, 'pass', { passed: 1, failed: 0, skipped: 0 }, 'staging') },
      { label: 'preview', results: { ...shard(2, 'target unreachable', { passed: 0, failed: 0, skipped: 0 }, 'preview'), tests: [], problems: ['nothing listens'] } },
    ]);
    expect(merged.verdict).toBe('target unreachable');
    expect(merged.target).toBe('staging + preview');
    expect(merged.tests[0]!.suite).toBe('staging: suite1');
    expect(merged.problems).toEqual(['preview: nothing listens']);
  });
});

describe('mergeJunit', () => {
  it('puts every testsuite under one testsuites with summed figures', () => {
    const junit = (name: string, tests: number, failures: number) =>
      `<?xml version="1.0"?>\n<testsuites name="vitest tests" tests="${tests}" failures="${failures}" errors="0" time="1.5">\n<testsuite name="${name}" tests="${tests}"><testcase name="x"></testcase></testsuite>\n</testsuites>\n`;
    const merged = mergeJunit([junit('a', 3, 1), junit('b', 4, 0)]);
    expect(merged).toMatch(/<testsuites name="vitest tests" tests="7" failures="1" errors="0" time="1.5">/);
    expect(merged.match(/<testsuite /g)).toHaveLength(2);
  });
});
