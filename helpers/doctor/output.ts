// How doctor prints: one line per step as it ends (status, target, title, time, bound, what it
// found), then the verdict, its cause on the first line. Or, with --json, one object. Every string
// passes through the redactor with the run's secrets: no password or API userinfo is printed.
import { maskUrlPasswords, redact } from '../redact.ts';
import { urlPasswords } from '../stack/secrets.ts';
import { formatBound } from './bounds.ts';
import type { DoctorStep } from './step.ts';
import type { Verdict } from './verdict.ts';

/** Passwords of the database URL, and the API URL's whole userinfo (user and password). */
export function secretsOf(urls: { databaseUrl?: string; apiUrl?: string }): string[] {
  const out = [...urlPasswords(urls.databaseUrl), ...urlPasswords(urls.apiUrl)];
  if (urls.apiUrl) {
    try {
      const user = new URL(urls.apiUrl).username;
      if (user) out.push(user, decodeURIComponent(user));
    } catch {
      /* not a URL: nothing to take from it */
    }
  }
  return [...new Set(out)];
}

/** A URL fit to print: the password masked; for the API, the whole userinfo. */
export function displayUrl(url: string, hideUser = false): string {
  if (!hideUser) return maskUrlPasswords(url);
  try {
    const u = new URL(url);
    if (!u.username && !u.password) return u.href;
    return u.href.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]*@/i, '$1***@');
  } catch {
    return maskUrlPasswords(url);
  }
}

const MARK = { pass: 'ok  ', warn: 'WARN', fail: 'FAIL', skip: 'skip' } as const;

export function stepLine(step: DoctorStep): string {
  const where = `${step.target === 'database' ? 'db ' : 'api'} ${step.title}`.padEnd(22);
  const time = `${step.ms} ms`.padStart(7);
  return `${MARK[step.status]}  ${where} ${time} ${`(≤ ${formatBound(step.boundMs)})`.padEnd(10)} ${step.found}`;
}

export function verdictLines(v: Verdict): string[] {
  const lines = [`verdict: ${v.status} — ${v.cause}`];
  if (v.fix) lines.push(...v.fix.split('\n').map((l, i) => (i === 0 ? `  fix: ${l}` : `  ${l}`)));
  for (const a of v.also) lines.push(`  also: ${a}`);
  for (const w of v.warnings) lines.push(`  warning: ${w}`);
  return lines;
}

export interface DoctorJson {
  steps: DoctorStep[];
  verdict: Verdict & { line: string };
  exitCode: number;
  totalMs: number;
}

/** A value with every string redacted. */
export function redactDeep<T>(value: T, secrets: string[]): T {
  return JSON.parse(JSON.stringify(value), (_key, v) => (typeof v === 'string' ? redact(v, secrets) : v)) as T;
}
