// The run's results as data, and their Markdown rendering. Written by the reporter (after a run)
// or by the runner (when the run never started: invalid profile, unreachable target).
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { redact } from '../redact.ts';
import type { E2eMeta } from './meta.ts';

export type Verdict = 'pass' | 'checks failed' | 'profile invalid' | 'target unreachable';

export const EXIT_CODES: Record<Verdict, number> = {
  pass: 0,
  'checks failed': 1,
  'profile invalid': 2,
  'target unreachable': 3,
};

export interface TestRecord {
  suite: string;
  name: string;
  state: 'passed' | 'failed' | 'skipped' | 'pending';
  durationMs?: number;
  error?: string;
  skipNote?: string;
  meta?: E2eMeta;
}

export interface RunResults {
  verdict: Verdict;
  target: string;
  provider?: string;
  apiUrl?: string;
  finishedAt: string;
  durationMs?: number;
  expected?: { commit?: string; branch?: string };
  counts: { passed: number; failed: number; skipped: number };
  tests: TestRecord[];
  /** Why the run did not start (profile problems, unreachable target). */
  problems?: string[];
}

export function reportsDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env.E2E_REPORTS_DIR?.trim() || 'reports');
}

function row(cells: (string | number | undefined)[]): string {
  return `| ${cells.map((c) => String(c ?? '').replace(/\|/g, '\\|').replace(/\n/g, '<br>')).join(' | ')} |`;
}

export function renderMarkdown(r: RunResults): string {
  const icon = r.verdict === 'pass' ? '✅' : '❌';
  const out: string[] = [
    `## ${icon} e2e ${r.target}: ${r.verdict}`,
    '',
    `Target \`${r.target}\` (provider ${r.provider ?? '?'}${r.apiUrl ? `, ${r.apiUrl}` : ''}) — ${r.counts.passed} passed, ${r.counts.failed} failed, ${r.counts.skipped} skipped` +
      (r.durationMs !== undefined ? ` in ${(r.durationMs / 1000).toFixed(1)} s` : ''),
    '',
  ];
  if (r.problems?.length) out.push('### Why the checks did not run', '', ...r.problems.map((p) => `- ${p}`), '');

  const releases = r.tests.flatMap((t) => t.meta?.release ?? []);
  if (releases.length) {
    out.push('### Release', '', row(['who', 'expected commit', 'deployed commit', 'expected branch', 'deployed branch']), row(['---', '---', '---', '---', '---']));
    for (const x of releases) out.push(row([x.who, x.expectedCommit ?? '(any)', x.deployedCommit, x.expectedBranch ?? '(any)', x.deployedBranch]));
    out.push('');
  }
  const latency = r.tests.map((t) => t.meta?.latency).find(Boolean);
  if (latency) {
    out.push(
      '### Enqueue-to-completion',
      '',
      row(['jobs', 'p50 (ms)', 'p95 (ms)', 'max (ms)', 'limits']),
      row(['---', '---', '---', '---', '---']),
      row([latency.jobs, latency.p50, latency.p95, latency.max, `p50 ≤ ${latency.limitP50}, p95 ≤ ${latency.limitP95}`]),
      '',
    );
  }
  const figures = r.tests.flatMap((t) => Object.entries(t.meta?.figures ?? {}));
  if (figures.length) out.push('### Figures', '', ...figures.map(([k, v]) => `- ${k}: ${v}`), '');

  const failed = r.tests.filter((t) => t.state === 'failed');
  if (failed.length) {
    out.push('### Failures', '');
    for (const t of failed) {
      out.push(`#### ${t.suite} › ${t.name}`, '', '```', (t.error ?? '').trim(), '```');
      const diagnosis = t.meta?.diagnosis;
      if (diagnosis?.length) out.push('', 'Diagnosis:', '', ...diagnosis.map((d) => `- ${d.replace(/\n/g, '\n  ')}`));
      out.push('');
    }
  }
  const skipped = r.tests.filter((t) => t.state === 'skipped' && t.skipNote);
  if (skipped.length) {
    out.push('### Skipped', '', ...skipped.map((t) => `- ${t.suite} › ${t.name}: ${t.skipNote}`), '');
  }
  const retries = r.tests.flatMap((t) => (t.meta?.retries ?? []).map((x) => `${t.suite} › ${t.name}: ${x}`));
  if (retries.length) out.push('### Transient-network retries', '', ...retries.map((x) => `- ${x}`), '');
  return out.join('\n');
}

/** Writes results.json and summary.md (and appends to GITHUB_STEP_SUMMARY), all redacted. */
export function writeResults(r: RunResults, secrets: readonly string[], env: NodeJS.ProcessEnv = process.env): string {
  const dir = reportsDir(env);
  mkdirSync(dir, { recursive: true });
  const markdown = redact(renderMarkdown(r), secrets);
  writeFileSync(path.join(dir, 'results.json'), redact(JSON.stringify(r, null, 2), secrets) + '\n');
  writeFileSync(path.join(dir, 'summary.md'), markdown + '\n');
  if (env.GITHUB_STEP_SUMMARY) appendFileSync(env.GITHUB_STEP_SUMMARY, markdown + '\n');
  return markdown;
}
