// `npm test`: the typecheck and every vitest project, each in a run of its own, two runs at a
// time. One vitest run for all projects would start every project's shared stack in its global
// setup at once and keep them all up to the end; one run after another left a core idle half the
// time (the runs mostly wait on leases, heartbeats and job timeouts) and took ten minutes. Two at a
// time is what the suites are sized for: every timeout holds with the other core busy (the load
// check `npm run e2e:repeat -- 10 --load 1` runs a CPU hog beside them). `--lanes 1` runs one at a
// time again. The self-tests are split in two runs so that the lanes come out even.
//
// Output: the first run streams live; a run that starts while another streams prints its whole
// output when it ends, under its own heading, so the log never interleaves two runs. The end is a
// per-run table, the list of what failed (each failed test with the first line of its error,
// secrets masked), and one closing line. Exit 1 when any run failed. Extra arguments go to every
// run (e.g. -- --reporter=dot), except --project (picks projects) and --lanes.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { envSecrets, redact } from '../helpers/redact.ts';
import { REPO_ROOT } from '../helpers/stack/repo-root.ts';

// The projects the config defines on this machine (containers and Python ones only where they can run).
const config = (await import('../vitest.config.ts')).default as { test?: { projects?: { test?: { name?: string } }[] } };
const defined = (config.test?.projects ?? []).map((p) => p.test?.name).filter((n): n is string => !!n);
const ORDER = ['unit', 'e2e', 'e2e-containers', 'e2e-python', 'e2e-python-containers', 'selftest'];

const args = process.argv.slice(2);
const asked: string[] = [];
let lanes = 2;
const extra: string[] = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i]!;
  const value = (flag: string) => (a === flag ? args[++i] : a.startsWith(`${flag}=`) ? a.slice(flag.length + 1) : undefined);
  const project = value('--project');
  if (project !== undefined) {
    asked.push(project);
    continue;
  }
  const laneValue = value('--lanes');
  if (laneValue !== undefined) {
    lanes = Number(laneValue);
    if (!Number.isInteger(lanes) || lanes < 1 || lanes > 4) throw new Error(`--lanes: expected an integer from 1 to 4; got "${laneValue}"`);
    continue;
  }
  extra.push(a);
}
for (const p of asked) if (!defined.includes(p)) throw new Error(`--project ${p}: no such vitest project here (${defined.join(', ')})`);
const projects = [...ORDER.filter((p) => defined.includes(p)), ...defined.filter((p) => !ORDER.includes(p))].filter((p) => !asked.length || asked.includes(p));

/** One vitest run: a project, or part of one (some of its files); or the typecheck (project ''). */
interface Unit { name: string; project: string; files: string[] }
// The typecheck runs beside the unit tests rather than before everything: ~10 s of one core.
const TYPECHECK: Unit = { name: 'typecheck (tsc --noEmit)', project: '', files: [] };

// The self-tests in two runs of about equal length (measured alone here: ~120 s and ~130 s): the
// failure catalogue, the packed CLI and doctor; and the post-deploy runner's live runs, the hostile
// targets, the mutants and the other self-tests (a new file goes there).
const SELFTEST_DIR = path.join(REPO_ROOT, 'test', 'selftest');
const FIRST_HALF = ['catalogue', 'cli-pack', 'doctor'];
function selftestUnits(): Unit[] {
  if (lanes === 1) return [{ name: 'selftest', project: 'selftest', files: [] }];
  const files = readdirSync(SELFTEST_DIR).filter((f) => f.endsWith('.test.ts')).map((f) => `test/selftest/${f}`);
  const first = files.filter((f) => FIRST_HALF.some((p) => f.endsWith(`/${p}.test.ts`)));
  const second = files.filter((f) => !first.includes(f));
  return [
    { name: 'selftest (catalogue, packed CLI, doctor)', project: 'selftest', files: first },
    { name: 'selftest (post-deploy runs, mutants, …)', project: 'selftest', files: second },
  ].filter((u) => u.files.length);
}
const units: Unit[] = [
  ...(asked.length ? [] : [TYPECHECK]),
  ...projects.flatMap((p) => (p === 'selftest' ? selftestUnits() : [{ name: p, project: p, files: [] }])),
];
// Longest first (measured here, 2 cores), so that the two lanes end close together; unit tests
// first of all, for fast feedback.
const EXPECTED_S: Record<string, number> = { unit: 20, 'selftest (post-deploy runs, mutants, …)': 130, 'selftest (catalogue, packed CLI, doctor)': 120, 'e2e-python': 55, e2e: 40, 'e2e-containers': 40, 'e2e-python-containers': 40 };
const first = (u: Unit) => (u === TYPECHECK ? 0 : u.project === 'unit' ? 1 : 2);
const queue = [...units].sort((a, b) => first(a) - first(b) || (EXPECTED_S[b.name] ?? 60) - (EXPECTED_S[a.name] ?? 60));

interface Outcome { unit: Unit; code: number | null; seconds: number; passed: number; failed: number; skipped: number; failures: string[] }
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

const running = new Set<ChildProcess>();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    for (const child of running) child.kill(signal);
    process.exit(130);
  });
}

/** The run that streams its output live; the others keep theirs until they end. */
let console_: Unit | undefined;
const started0 = Date.now();
const clock = () => `${((Date.now() - started0) / 1000).toFixed(0)} s`;

async function runUnit(unit: Unit, index: number): Promise<void> {
  const live = !console_;
  if (live) console_ = unit;
  const beside = [...active].filter((u) => u !== unit).map((u) => u.name);
  process.stdout.write(`\n=== npm test: ${unit.name} (at ${clock()}${beside.length ? `, beside ${beside.join(', ')}` : ''})${live ? '' : ': its output follows when it ends'} ===\n`);
  const started = Date.now();
  let buffered = '';
  let tail = '';
  const jsonFile = path.join(jsonDir, `${index}.json`);
  const code: number | null = await new Promise((resolve) => {
    const reporters = ownReporter ? [] : ['--reporter=default', '--reporter=json', `--outputFile.json=${jsonFile}`];
    const command = unit === TYPECHECK
      ? [path.join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', '.']
      : [path.join(REPO_ROOT, 'node_modules/vitest/vitest.mjs'), 'run', '--project', unit.project, ...reporters, ...extra, ...unit.files];
    const child = spawn(process.execPath, command, {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: process.env,
    });
    running.add(child);
    const take = (sink: NodeJS.WriteStream) => (chunk: Buffer) => {
      if (live) sink.write(chunk);
      else buffered += chunk.toString();
      if (sink === process.stdout) tail = (tail + chunk.toString()).slice(-4000);
    };
    child.stdout!.on('data', take(process.stdout));
    child.stderr!.on('data', take(process.stderr));
    child.on('close', (c) => {
      running.delete(child);
      resolve(c);
    });
  });
  const seconds = (Date.now() - started) / 1000;
  if (live) console_ = undefined;
  else process.stdout.write(`\n=== npm test: ${unit.name}, its output (ended at ${clock()}) ===\n${buffered}`);
  process.stdout.write(`=== npm test: ${unit.name} ${code === 0 ? 'passed' : 'FAILED'} in ${seconds.toFixed(0)} s ===\n`);
  // vitest's own summary line: "Tests  3 failed | 80 passed | 2 skipped (85)".
  const plain = tail.replace(/\x1b\[[0-9;]*m/g, '');
  const line = plain.split('\n').reverse().find((l) => /^\s*Tests\s/.test(l)) ?? '';
  const count = (word: string) => Number(new RegExp(`(\\d+) ${word}`).exec(line)?.[1] ?? 0);
  // tsc writes no report: its error lines ("file(line,col): error TS…") are the failures.
  const failures = unit === TYPECHECK ? plain.split('\n').filter((l) => /error TS\d+/.test(l)).slice(0, 20) : failuresIn(jsonFile);
  outcomes.push({ unit, code, seconds, passed: count('passed'), failed: count('failed'), skipped: count('skipped'), failures });
}

const active = new Set<Unit>();
let next = 0;
async function lane(): Promise<void> {
  while (next < queue.length) {
    const index = next++;
    const unit = queue[index]!;
    active.add(unit);
    try {
      await runUnit(unit, index);
    } finally {
      active.delete(unit);
    }
  }
}
process.stdout.write(`npm test: ${units.length} vitest runs, ${Math.min(lanes, units.length)} at a time (--lanes 1 for one at a time)\n`);
await Promise.all(Array.from({ length: Math.min(lanes, units.length) }, () => lane()));

const sum = (k: 'passed' | 'failed' | 'skipped') => outcomes.reduce((a, o) => a + o[k], 0);
const inOrder = [...outcomes].sort((a, b) => units.indexOf(a.unit) - units.indexOf(b.unit));
process.stdout.write(`\nnpm test, per run (${lanes} at a time; wall time ${clock()}):\n`);
for (const o of inOrder) {
  process.stdout.write(`  ${o.unit.name.padEnd(38)} ${o.code === 0 ? 'pass' : 'FAIL'}  ${o.passed} passed, ${o.failed} failed, ${o.skipped} skipped  ${o.seconds.toFixed(0)} s\n`);
}
const failedRuns = inOrder.filter((o) => o.code !== 0);
if (failedRuns.length) {
  process.stdout.write('\nwhat failed:\n');
  for (const o of failedRuns) {
    const lines = o.failures.length ? o.failures : [`vitest exited with code ${o.code} (no failed test in its report: see the run's output above)`];
    for (const line of lines) process.stdout.write(`  ${o.unit.name}: ${redact(line, envSecrets())}\n`);
  }
}
process.stdout.write(`\n${sum('passed')} passed, ${sum('failed')} failed, ${sum('skipped')} skipped\n`);
process.exit(failedRuns.length ? 1 : 0);
