// `npm test` after the typecheck: every vitest project, one after another, each in a run of its own.
// One run for all projects would start every project's stack in its global setup at once (four
// shared stacks, containers among them) and keep them all up to the end; on 2 cores that load is
// what makes timing-sensitive checks flaky. Each project's output streams as it runs; the end is
// a per-project table and one closing line. Exit 1 when any project failed. Extra arguments go to
// every run (e.g. -- --reporter=dot), except --project, which picks the projects to run.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { envSecrets, redact } from '../helpers/redact.ts';
import { REPO_ROOT } from '../helpers/stack/repo-root.ts';

// The projects the config defines on this machine (containers and Python ones only where they can run).
const config = (await import('../vitest.config.ts')).default as { test?: { projects?: { test?: { name?: string } }[] } };
const defined = (config.test?.projects ?? []).map((p) => p.test?.name).filter((n): n is string => !!n);
// Unit tests first (fast feedback), then the suites, then the self-tests, as the config's groups do.
const ORDER = ['unit', 'e2e', 'e2e-containers', 'e2e-python', 'e2e-python-containers', 'selftest'];
const args = process.argv.slice(2);
// `npm test -- --project unit --project e2e` runs just those, still one run each.
const asked: string[] = [];
const extra = args.filter((a, i) => {
  if (a === '--project') return false;
  if (args[i - 1] === '--project') return !asked.push(a);
  if (a.startsWith('--project=')) return !asked.push(a.slice('--project='.length));
  return true;
});
for (const p of asked) if (!defined.includes(p)) throw new Error(`--project ${p}: no such vitest project here (${defined.join(', ')})`);
const projects = [...ORDER.filter((p) => defined.includes(p)), ...defined.filter((p) => !ORDER.includes(p))].filter((p) => !asked.length || asked.includes(p));

interface Outcome { project: string; code: number | null; seconds: number; passed: number; failed: number; skipped: number; failures: string[] }
const outcomes: Outcome[] = [];
// Each run also writes vitest's JSON report here, read back for the closing list of failures (a
// CI log is often shown by its tail only). Unredacted, so it stays out of reports/ and is removed.
const jsonDir = mkdtempSync(path.join(os.tmpdir(), 'npm-test-'));
process.on('exit', () => rmSync(jsonDir, { recursive: true, force: true }));
const ownReporter = extra.some((a) => a.startsWith('--reporter'));

/** "file > test name: first line of the error", for each failed test (and each file that failed to load). */
function failuresIn(jsonFile: string): string[] {
  let report: { testResults?: { name: string; status: string; message?: string; assertionResults?: { status: string; fullName: string; failureMessages?: string[] }[] }[] };
  try {
    report = JSON.parse(readFileSync(jsonFile, 'utf8'));
  } catch {
    return [];
  }
  const firstLine = (m: string | undefined) => (m ?? '').split('\n').find((l) => l.trim())?.trim().slice(0, 300) ?? '';
  return (report.testResults ?? []).flatMap((file) => {
    const rel = path.relative(REPO_ROOT, file.name);
    const tests = (file.assertionResults ?? []).filter((t) => t.status === 'failed').map((t) => `${rel} > ${t.fullName}: ${firstLine(t.failureMessages?.[0])}`);
    return tests.length || file.status !== 'failed' ? tests : [`${rel}: ${firstLine(file.message)}`];
  });
}
let current: ReturnType<typeof spawn> | undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    current?.kill(signal);
    process.exit(130);
  });
}

for (const project of projects) {
  process.stdout.write(`\n=== npm test: project ${project} ===\n`);
  const started = Date.now();
  let tail = '';
  const code: number | null = await new Promise((resolve) => {
    const jsonFile = path.join(jsonDir, `${project}.json`);
    const reporters = ownReporter ? [] : ['--reporter=default', '--reporter=json', `--outputFile.json=${jsonFile}`];
    current = spawn(process.execPath, [path.join(REPO_ROOT, 'node_modules/vitest/vitest.mjs'), 'run', '--project', project, ...reporters, ...extra], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: process.env,
    });
    current.stdout!.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk);
      tail = (tail + chunk.toString()).slice(-4000);
    });
    current.on('close', resolve);
  });
  // vitest's own summary line: "Tests  3 failed | 80 passed | 2 skipped (85)".
  const plain = tail.replace(/\x1b\[[0-9;]*m/g, '');
  const line = plain.split('\n').reverse().find((l) => /^\s*Tests\s/.test(l)) ?? '';
  const count = (word: string) => Number(new RegExp(`(\\d+) ${word}`).exec(line)?.[1] ?? 0);
  const failures = failuresIn(path.join(jsonDir, `${project}.json`));
  outcomes.push({ project, code, seconds: (Date.now() - started) / 1000, passed: count('passed'), failed: count('failed'), skipped: count('skipped'), failures });
}

const sum = (k: 'passed' | 'failed' | 'skipped') => outcomes.reduce((a, o) => a + o[k], 0);
process.stdout.write('\nnpm test, per project:\n');
for (const o of outcomes) {
  process.stdout.write(`  ${o.project.padEnd(22)} ${o.code === 0 ? 'pass' : 'FAIL'}  ${o.passed} passed, ${o.failed} failed, ${o.skipped} skipped  ${o.seconds.toFixed(0)} s\n`);
}
const failedProjects = outcomes.filter((o) => o.code !== 0);
if (failedProjects.length) {
  process.stdout.write('\nwhat failed:\n');
  for (const o of failedProjects) {
    const lines = o.failures.length ? o.failures : [`vitest exited with code ${o.code} (no failed test in its report: see the project's output above)`];
    for (const line of lines) process.stdout.write(`  ${o.project}: ${redact(line, envSecrets())}\n`);
  }
}
process.stdout.write(`\n${sum('passed')} passed, ${sum('failed')} failed, ${sum('skipped')} skipped\n`);
process.exit(failedProjects.length ? 1 : 0);
