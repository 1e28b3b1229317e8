// Several runs' results (the shards of one local run on several CI runners, or several targets of
// one matrix) as one: counts summed, checks listed once each, the worst verdict. Used by
// scripts/merge-reports.ts (`pooler-queue-e2e merge-reports`).
import type { RunResults, Verdict } from './report/results.ts';

/** Worst first: the merged verdict is the first of these any part has. */
const SEVERITY: Verdict[] = ['profile invalid', 'target unreachable', 'deadline exceeded', 'checks failed', 'pass'];

export interface Part {
  /** Where it came from (a file name), for the problems it reports. */
  label: string;
  results: RunResults;
}

export function mergeResults(parts: Part[], missing: string[] = []): RunResults {
  if (!parts.length) throw new Error('nothing to merge');
  const all = parts.map((p) => p.results);
  const verdict = missing.length && all.every((r) => r.verdict === 'pass') ? 'checks failed' : SEVERITY.find((v) => all.some((r) => r.verdict === v))!;
  const targets = [...new Set(all.map((r) => r.target))];
  const multiTarget = targets.length > 1;
  const tests = parts.flatMap(({ results }) => results.tests.map((t) => (multiTarget ? { ...t, suite: `${results.target}: ${t.suite}` } : t)));
  const sum = (k: keyof RunResults['counts']) => all.reduce((n, r) => n + r.counts[k], 0);
  const problems = [
    ...missing.map((m) => `${m}: no results (the shard or target did not finish; see its job)`),
    ...parts.flatMap(({ label, results }) => (results.problems ?? []).map((p) => `${label}: ${p}`)),
  ];
  const first = all[0]!;
  const durations = all.map((r) => r.durationMs).filter((d): d is number => d !== undefined);
  return {
    verdict,
    target: targets.join(' + '),
    provider: [...new Set(all.map((r) => r.provider ?? '?'))].join(' + '),
    ...(multiTarget ? {} : { apiUrl: first.apiUrl, expected: first.expected }),
    finishedAt: all.map((r) => r.finishedAt).sort().at(-1)!,
    // Shards run side by side: the merged run took as long as its slowest part.
    ...(durations.length ? { durationMs: Math.max(...durations) } : {}),
    counts: { passed: sum('passed'), failed: sum('failed'), skipped: sum('skipped') },
    tests,
    ...(problems.length ? { problems } : {}),
  };
}

/** JUnit files as one: every <testsuite> of each, under one <testsuites> with summed figures. */
export function mergeJunit(files: string[]): string {
  const suites = files.flatMap((xml) => xml.match(/<testsuite[\s>][\s\S]*?<\/testsuite>/g) ?? []);
  const attr = (name: string) => files.reduce((n, xml) => n + Number(new RegExp(`<testsuites[^>]*\\s${name}="([\\d.]+)"`).exec(xml)?.[1] ?? 0), 0);
  return [
    '<?xml version="1.0" encoding="UTF-8" ?>',
    `<testsuites name="vitest tests" tests="${attr('tests')}" failures="${attr('failures')}" errors="${attr('errors')}" time="${Math.max(0, ...files.map((xml) => Number(/<testsuites[^>]*\stime="([\d.]+)"/.exec(xml)?.[1] ?? 0)))}">`,
    ...suites.map((s) => `    ${s}`),
    '</testsuites>',
    '',
  ].join('\n');
}
