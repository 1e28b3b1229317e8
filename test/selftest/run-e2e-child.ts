// Runs `scripts/run-e2e.ts` against a target described only by profile variables, as CI would
// after a deploy, in a throwaway env/ and reports/ folder. Shared by the self-tests.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../../helpers/stack/processes/node-service.ts';

export interface E2eRun {
  code: number | null;
  output: string;
  summary: string;
  /** Every artefact's text: console output and each report file. */
  artefacts: { name: string; text: string }[];
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

/** `suites`: run only these suite files (what the case tests), not the whole e2e suite. */
export async function runE2eAgainst(profile: Record<string, string>, options: { wrap?: string[]; timeoutMs?: number; suites?: string[] } = {}): Promise<E2eRun> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'e2e-selftest-'));
  const envDir = path.join(work, 'env');
  const reportsDir = path.join(work, 'reports');
  mkdirSync(envDir);
  const stepSummary = path.join(work, 'github-step-summary.md');
  writeFileSync(path.join(envDir, 'remote.env'), Object.entries(profile).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
  const command = [...(options.wrap ?? []), process.execPath, '--import', 'tsx', path.join(REPO_ROOT, 'scripts/run-e2e.ts'), 'remote', ...(options.suites ?? [])];
  // A clean environment: no CI variables leaking an expected commit into the profile.
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, E2E_ENV_DIR: envDir, E2E_REPORTS_DIR: reportsDir, GITHUB_STEP_SUMMARY: stepSummary };
  const child = spawn(command[0]!, command.slice(1), { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
  const code: number | null = await new Promise((resolve) => child.on('close', resolve));
  clearTimeout(timer);
  const files = [...filesUnder(reportsDir), ...(existsSync(stepSummary) ? [stepSummary] : [])];
  const artefacts = [{ name: 'console', text: output }, ...files.map((f) => ({ name: path.relative(work, f), text: readFileSync(f, 'utf8') }))];
  rmSync(work, { recursive: true, force: true });
  const summaryFile = artefacts.find((a) => a.name === path.join('reports', 'summary.md'));
  return { code, output, summary: summaryFile?.text ?? '', artefacts };
}

/** The names of artefacts that contain any of the secrets (none, when redaction works). */
export function leaks(run: E2eRun, secrets: string[]): string[] {
  return run.artefacts.filter((a) => secrets.some((s) => s && a.text.includes(s))).map((a) => a.name);
}

/**
 * Every form a secret may take in an artefact: raw, URL-encoded, JSON-escaped (once and twice),
 * base64 (alone and as basic auth). A secret of 1–3 characters occurs inside ordinary text, so it
 * is searched for where it would sit: in a URL's userinfo, as a query value, as a JSON value.
 */
export function secretForms(secret: string, user = 'probe'): string[] {
  if (secret.length < 4) return [`:${secret}@`, `:${encodeURIComponent(secret)}@`, `password=${secret}`, `password=${encodeURIComponent(secret)}`, `"${secret}"`];
  const json = JSON.stringify(secret).slice(1, -1);
  return [...new Set([secret, encodeURIComponent(secret), json, JSON.stringify(json).slice(1, -1), Buffer.from(secret).toString('base64'), Buffer.from(`${user}:${secret}`).toString('base64')])];
}

/** "artefact: form" for every form of every secret found in any artefact (none, when redaction works). */
export function leaksInAnyForm(run: E2eRun, secrets: string[]): string[] {
  const found: string[] = [];
  for (const a of run.artefacts) for (const s of secrets) for (const f of secretForms(s)) if (a.text.includes(f)) found.push(`${a.name}: ${JSON.stringify(f)}`);
  return [...new Set(found)];
}
