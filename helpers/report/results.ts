// The run's results as data, and their Markdown rendering. Written by the reporter (after a run)
// or by the runner (when the run never started: invalid profile, unreachable target; or when it
// passed its deadline).
//
// Everything in the results may come from the target (error texts, health answers, release names),
// so it is data, never Markdown: multi-line text goes into an HTML-escaped <pre> block, short text
// has every character that could start a fence, heading, link, image, HTML or autolink replaced by
// its character reference. Secrets are redacted in the values before anything is serialised.
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { redact, redactDeep } from '../redact.ts';
import type { CleanupReport } from '../run-rows.ts';
import type { E2eMeta } from './meta.ts';

export type Verdict = 'pass' | 'checks failed' | 'profile invalid' | 'target unreachable' | 'deadline exceeded';

export const EXIT_CODES: Record<Verdict, number> = {
  pass: 0,
  'checks failed': 1,
  'profile invalid': 2,
  'target unreachable': 3,
  'deadline exceeded': 5,
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
  /** Why the run did not start (profile problems, unreachable target), or why it stopped (deadline). */
  problems?: string[];
  /** The id prefix every job of the run carried. */
  runId?: string;
  /** What the run wrote on a live target, what it removed, and what it left with why. */
  cleanup?: CleanupReport;
}

export function reportsDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env.E2E_REPORTS_DIR?.trim() || 'reports');
}

const CHAR_REFS: Record<string, string> = {
  '&': '&amp;', '<': '&lt;', '>': '&gt;', '`': '&#96;', '[': '&#91;', ']': '&#93;', '!': '&#33;', '#': '&#35;',
  '|': '&#124;', '~': '&#126;', '$': '&#36;', '\\': '&#92;', '@': '&#64;',
};

/**
 * Short text from the target as inert Markdown: one line, no construct can start in it (no fence,
 * code span, heading, quote, table cell, link, image, HTML, autolink or math). Emphasis (`*`, `_`)
 * is left alone: it cannot link or escape, and escaping it would garble every variable name.
 */
export function mdText(value: unknown): string {
  return String(value ?? '')
    .replace(/[&<>`[\]!#|~$\\@]/g, (c) => CHAR_REFS[c]!)
    .replace(/:\/\//g, '&#58;//') // no bare-URL autolink
    .replace(/\bwww\./gi, (m) => `${m.slice(0, 3)}&#46;`)
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '\ufffd')
    .replace(/\r?\n/g, '<br>');
}

/** Multi-line text from the target as an HTML-escaped block: Markdown is not parsed inside it. */
export function mdBlock(value: unknown): string {
  const text = String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '\ufffd');
  return `<pre>${text}</pre>`;
}

/** How target text is shown: escaped for Markdown files, plain (control characters removed) for a terminal. */
interface Show {
  text: (value: unknown) => string;
  block: (value: unknown) => string;
}
const MARKDOWN: Show = { text: mdText, block: mdBlock };
const noControl = (value: unknown) => String(value ?? '').replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '\ufffd');
export const TERMINAL: Show = {
  text: (v) => noControl(v).replace(/\n/g, '\n  '),
  block: (v) => ['```', noControl(v).trim(), '```'].join('\n'),
};

export function renderMarkdown(r: RunResults, show: Show = MARKDOWN): string {
  const t = show.text;
  const row = (cells: (string | number | undefined)[]) =>
    `| ${cells.map((c) => (show === MARKDOWN ? t(c) : noControl(c).replace(/\|/g, '\\|').replace(/\n/g, ' '))).join(' | ')} |`;
  const rule = (n: number) => `|${' --- |'.repeat(n)}`;
  const icon = r.verdict === 'pass' ? '✅' : '❌';
  const out: string[] = [
    `## ${icon} e2e ${t(r.target)}: ${r.verdict}`,
    '',
    `Target ${t(r.target)} (provider ${t(r.provider ?? '?')}${r.apiUrl ? `, ${t(r.apiUrl)}` : ''}) — ${r.counts.passed} passed, ${r.counts.failed} failed, ${r.counts.skipped} skipped` +
      (r.durationMs !== undefined ? ` in ${(r.durationMs / 1000).toFixed(1)} s` : ''),
    '',
  ];
  if (r.problems?.length) out.push(r.verdict === 'deadline exceeded' ? '### Why the run stopped' : '### Why the checks did not run', '', ...r.problems.map((p) => `- ${t(p)}`), '');

  const releases = r.tests.flatMap((x) => x.meta?.release ?? []);
  if (releases.length) {
    out.push('### Release', '', row(['who', 'expected commit', 'deployed commit', 'expected branch', 'deployed branch']), rule(5));
    for (const x of releases) out.push(row([x.who, x.expectedCommit ?? '(any)', x.deployedCommit, x.expectedBranch ?? '(any)', x.deployedBranch]));
    out.push('');
  }
  const latency = r.tests.map((x) => x.meta?.latency).find(Boolean);
  if (latency) {
    out.push(
      '### Enqueue-to-completion',
      '',
      row(['jobs', 'p50 (ms)', 'p95 (ms)', 'max (ms)', 'limits']),
      rule(5),
      row([latency.jobs, latency.p50, latency.p95, latency.max, latency.limitP50 || latency.limitP95 ? `p50 ≤ ${latency.limitP50 ?? '-'}, p95 ≤ ${latency.limitP95 ?? '-'}` : 'none (reported only)']),
      '',
    );
  }
  const figures = r.tests.flatMap((x) => Object.entries(x.meta?.figures ?? {}));
  if (figures.length) out.push('### Figures', '', ...figures.map(([k, v]) => `- ${t(k)}: ${t(v)}`), '');

  const failed = r.tests.filter((x) => x.state === 'failed');
  if (failed.length) {
    out.push('### Failures', '');
    for (const test of failed) {
      out.push(`#### ${t(test.suite)} › ${t(test.name)}`, '', show.block((test.error ?? '').trim()));
      const diagnosis = test.meta?.diagnosis;
      if (diagnosis?.length) out.push('', 'Diagnosis:', '', show === MARKDOWN ? show.block(diagnosis.join('\n')) : diagnosis.map((d) => `- ${t(d)}`).join('\n'));
      out.push('');
    }
  }
  const skipped = r.tests.filter((x) => x.state === 'skipped' && x.skipNote);
  if (skipped.length) {
    out.push('### Skipped', '', ...skipped.map((x) => `- ${t(x.suite)} › ${t(x.name)}: ${t(x.skipNote)}`), '');
  }
  const retries = r.tests.flatMap((x) => (x.meta?.retries ?? []).map((why) => `${x.suite} › ${x.name}: ${why}`));
  if (retries.length) out.push('### Transient-network retries', '', ...retries.map((x) => `- ${t(x)}`), '');
  if (r.cleanup) {
    const c = r.cleanup;
    out.push(
      '### Rows written and removed',
      '',
      `- run id ${t(c.runId)}: removed ${c.removed.jobs} job rows and ${c.removed.executions} execution rows through ${t(c.via)} in ${(c.durationMs / 1000).toFixed(1)} s` +
        (c.removedUnfinished ? ` (${c.removedUnfinished} still unfinished after waiting ${(c.waitedMs / 1000).toFixed(1)} s, removed anyway)` : ''),
      `- left behind: ${c.left.length}`,
      ...c.left.map((l) => `  - ${t(l.id)}${l.state ? ` (${t(l.state)})` : ''}: ${t(l.why)}`),
      '',
    );
  }
  return out.join('\n');
}

/**
 * Writes results.json and summary.md (and appends to GITHUB_STEP_SUMMARY). Values are redacted
 * before they are serialised or escaped (so no escaped form of a secret can slip through), and the
 * serialised text is searched for the run's secrets once more. Returns the summary for a terminal.
 */
export function writeResults(r: RunResults, secrets: readonly string[], env: NodeJS.ProcessEnv = process.env): string {
  const dir = reportsDir(env);
  mkdirSync(dir, { recursive: true });
  const clean = redactDeep(r, secrets);
  const markdown = redact(renderMarkdown(clean), secrets);
  writeFileSync(path.join(dir, 'results.json'), redact(JSON.stringify(clean, null, 2), secrets, { shapes: false }) + '\n');
  writeFileSync(path.join(dir, 'summary.md'), markdown + '\n');
  if (env.GITHUB_STEP_SUMMARY) appendFileSync(env.GITHUB_STEP_SUMMARY, markdown + '\n');
  return redact(renderMarkdown(clean, TERMINAL), secrets);
}
