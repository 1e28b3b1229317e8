// The monitoring webhook: what to say after a scheduled run, given this run's results and the state
// the previous run left, and one bounded JSON POST to say it. Used by scripts/notify.ts
// (`pooler-queue-e2e notify`).
//
// Payload (one POST, content-type application/json; every string redacted):
//   { "status": "failing" | "recovered", "target": "staging", "verdict": "checks failed",
//     "text": "one line for a chat channel", "apiUrl": "https://…", "counts": {passed, failed, skipped},
//     "failures": [{ "suite", "name", "error" }], "problems": ["…"], "since": ISO time the status began,
//     "previous": "passing" | "failing" | "unknown", "runUrl": "https://github.com/…/actions/runs/…",
//     "finishedAt": ISO time }
// It is sent when the status turns failing (from passing or unknown), when a failing run fails for
// another reason (its verdict or its set of failed checks changed), and when it recovers. A run that
// stays as it was sends nothing.
import type { RunResults } from './report/results.ts';
import { redact, redactDeep } from './redact.ts';

export type Status = 'passing' | 'failing';

/** What the previous run left (written by notify after each run; the monitoring workflow keeps it). */
export interface MonitorState {
  status: Status;
  verdict: string;
  /** The failed checks (suite › name), to tell a new failure from the same one. */
  failing: string[];
  since: string;
  runUrl?: string;
}

export interface WebhookPayload {
  status: 'failing' | 'recovered';
  target: string;
  verdict: string;
  text: string;
  apiUrl?: string;
  counts: { passed: number; failed: number; skipped: number };
  failures: { suite: string; name: string; error: string }[];
  problems: string[];
  since: string;
  previous: Status | 'unknown';
  runUrl?: string;
  finishedAt: string;
}

/** A failure's message for a chat line: its first line, at most 500 characters. */
function firstLine(text: string | undefined): string {
  const line = (text ?? '').split('\n').find((l) => l.trim()) ?? '';
  return line.length > 500 ? `${line.slice(0, 497)}...` : line;
}

/** The results of a run that wrote none (it broke before the reporter ran): from its exit code. */
export function resultsFromExitCode(target: string, exitCode: number): RunResults {
  const verdicts: Record<number, RunResults['verdict']> = { 0: 'pass', 1: 'checks failed', 2: 'profile invalid', 3: 'target unreachable', 5: 'deadline exceeded' };
  return {
    verdict: verdicts[exitCode] ?? 'checks failed',
    target,
    finishedAt: new Date().toISOString(),
    counts: { passed: 0, failed: 0, skipped: 0 },
    tests: [],
    problems: [`the check wrote no results (exit code ${exitCode}${exitCode === 4 ? ': the run itself broke' : ''}); see the run's log`],
  };
}

export interface Decision {
  /** The payload to POST, or undefined when there is nothing new to say. */
  payload?: WebhookPayload;
  /** The state to keep for the next run. */
  next: MonitorState;
  /** Why it sends or not, for the log. */
  reason: string;
}

export function decide(results: RunResults, previous: MonitorState | undefined, options: { runUrl?: string; secrets?: readonly string[]; now?: Date } = {}): Decision {
  const now = (options.now ?? new Date()).toISOString();
  const status: Status = results.verdict === 'pass' ? 'passing' : 'failing';
  const failed = results.tests.filter((t) => t.state === 'failed');
  const failing = failed.map((t) => `${t.suite} › ${t.name}`).sort();
  const sameStatus = previous?.status === status;
  const next: MonitorState = { status, verdict: results.verdict, failing, since: sameStatus ? previous!.since : now, runUrl: options.runUrl };
  const build = (kind: WebhookPayload['status']): WebhookPayload => {
    const head =
      kind === 'recovered'
        ? `${results.target}: recovered, all checks pass again (failing since ${previous!.since})`
        : `${results.target}: ${results.verdict}${failed.length ? ` (${failed.length} failed: ${failing.slice(0, 3).join('; ')}${failed.length > 3 ? '; …' : ''})` : results.problems?.length ? ` (${firstLine(results.problems[0])})` : ''}`;
    const payload: WebhookPayload = {
      status: kind,
      target: results.target,
      verdict: results.verdict,
      text: head,
      ...(results.apiUrl ? { apiUrl: results.apiUrl } : {}),
      counts: results.counts,
      failures: failed.map((t) => ({ suite: t.suite, name: t.name, error: firstLine(t.error) })),
      problems: (results.problems ?? []).map(firstLine),
      since: next.since,
      previous: previous?.status ?? 'unknown',
      ...(options.runUrl ? { runUrl: options.runUrl } : {}),
      finishedAt: results.finishedAt,
    };
    return redactDeep(payload, options.secrets ?? []);
  };
  if (status === 'passing') {
    if (previous?.status === 'failing') return { payload: build('recovered'), next, reason: 'recovered: the previous run failed, this one passes' };
    return { next, reason: previous ? 'still passing: nothing to say' : 'passing (no earlier state): nothing to say' };
  }
  if (!previous || previous.status === 'passing') return { payload: build('failing'), next, reason: previous ? 'failing: the previous run passed' : 'failing (no earlier state)' };
  const changed = previous.verdict !== results.verdict || previous.failing.join('\n') !== failing.join('\n');
  if (changed) return { payload: build('failing'), next, reason: 'still failing, for another reason than before' };
  return { next, reason: `still failing for the same reason since ${previous.since}: already said` };
}

export interface Delivery {
  ok: boolean;
  status?: number;
  ms: number;
  /** What went wrong, redacted (never the webhook URL's secret parts). */
  error?: string;
}

/** One POST, bounded end to end (connect, answer and body), no redirects followed. */
export async function postWebhook(url: string, payload: WebhookPayload, options: { timeoutMs?: number; secrets?: readonly string[] } = {}): Promise<Delivery> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const started = Date.now();
  const secrets = [...(options.secrets ?? []), ...webhookSecrets(url)];
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'pooler-queue-e2e-notify' },
      body: JSON.stringify(payload),
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = (await res.text()).slice(0, 300);
    const ms = Date.now() - started;
    if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status, ms };
    return { ok: false, status: res.status, ms, error: redact(`the webhook answered ${res.status}${body.trim() ? `: ${firstLine(body)}` : ''}`, secrets) };
  } catch (error) {
    const ms = Date.now() - started;
    const name = (error as Error).name;
    if (name === 'TimeoutError' || name === 'AbortError') return { ok: false, ms, error: `the webhook did not answer within ${timeoutMs} ms` };
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return { ok: false, ms, error: redact(`the webhook could not be reached (${cause?.code ?? cause?.message ?? (error as Error).message})`, secrets) };
  }
}

/** A webhook URL is itself a secret (Slack, Discord and most chat hooks carry a token in the path). */
export function webhookSecrets(url: string): string[] {
  try {
    const parsed = new URL(url);
    return [url, parsed.pathname.length > 1 ? parsed.pathname : '', parsed.search.slice(1), parsed.password, parsed.username].filter((s) => s && s.length >= 4);
  } catch {
    return [url];
  }
}

/** How a webhook URL is shown in logs: scheme, host and port only. */
export function displayWebhook(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}/***`;
  } catch {
    return '(not a URL)';
  }
}
