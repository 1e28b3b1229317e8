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
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
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
  const value = (flag: string) => {
    if (a.startsWith(`${flag}=`)) return a.slice(flag.length + 1);
    if (a !== flag) return undefined;
    const v = args[++i];
    if (v === undefined || v.startsWith('-')) throw new Error(`${flag}: expected a value after it`);
    return v;
  };
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
// `--project typecheck` asks for the typecheck, which runs by default only when no project is named.
for (const p of asked) if (p !== 'typecheck' && !defined.includes(p)) throw new Error(`--project ${p}: no such vitest project here (typecheck, ${defined.join(', ')})`);
const projects = [...ORDER.filter((p) => defined.includes(p)), ...defined.filter((p) => !ORDER.includes(p))].filter((p) => !asked.length || asked.includes(p));
// File filters given to vitest (arguments that are not flags) narrow every run; vitest adds them to
// a run's own files, so the self-tests are not split then.
const fileFilters = extra.some((a) => !a.startsWith('-'));

/**
 * One vitest run: a project, or part of one (some of its files); or the typecheck (project '').
 * `expectedS`: about how long it takes alone here (2 cores), to start the longest first.
 */
interface Unit { name: string; project: string; files: string[]; expectedS: number }
// The typecheck runs beside the unit tests rather than before everything: ~10 s of one core.
const TYPECHECK: Unit = { name: 'typecheck (tsc --noEmit)', project: '', files: [], expectedS: 15 };

// The self-tests in two runs of about equal length (measured alone here: ~120 s each): the failure
// catalogue, the packed CLI, doctor and the hostile targets (mostly waiting out deadlines, beside
// the CPU-hungry catalogue); and the post-deploy runner's live runs, the mutants and the other
// self-tests (a new file goes there).
const SELFTEST_DIR = path.join(REPO_ROOT, 'test', 'selftest');
const PROJECT_S: Record<string, number> = { unit: 20, 'e2e-python': 55, e2e: 40, 'e2e-containers': 40, 'e2e-python-containers': 40 };
const FIRST_HALF = ['catalogue', 'cli-pack', 'doctor', 'hostile-targets'];
function selftestUnits(): Unit[] {
  if (lanes === 1 || fileFilters) return [{ name: 'selftest', project: 'selftest', files: [], expectedS: 250 }];
  const files = readdirSync(SELFTEST_DIR).filter((f) => f.endsWith('.test.ts')).map((f) => `test/selftest/${f}`);
  const first = files.filter((f) => FIRST_HALF.some((p) => f.endsWith(`/${p}.test.ts`)));
  const second = files.filter((f) => !first.includes(f));
  return [
    { name: 'selftest (catalogue, packed CLI, doctor, hostile targets)', project: 'selftest', files: first, expectedS: 125 },
    { name: 'selftest (post-deploy runs, mutants, …)', project: 'selftest', files: second, expectedS: 120 },
  ].filter((u) => u.files.length);
}
const units: Unit[] = [
  ...(!asked.length || asked.includes('typecheck') ? [TYPECHECK] : []),
  ...projects.flatMap((p) => (p === 'selftest' ? selftestUnits() : [{ name: p, project: p, files: [], expectedS: PROJECT_S[p] ?? 60 }])),
];
// Longest first, so that the two lanes end close together; the typecheck and unit tests first of
// all, for fast feedback.
const first = (u: Unit) => (u === TYPECHECK ? 0 : u.project === 'unit' ? 1 : 2);
const queue = [...units].sort((a, b) => first(a) - first(b) || b.expectedS - a.expectedS);

interface Outcome { unit: Unit; code: number | null; seconds: number; passed: number; failed: number; skipped: number; failures: string[] }
const outcomes: Outcome[] = [];
// Each run also writes vitest's JSON report here, read back for the closing list of failures (a
// CI log is often shown by its tail only). Unredacted, so it stays out of reports/ and is removed.
const jsonDir = mkdtempSync(path.join(os.tmpdir(), 'npm-test-'));
// vitest's own temporary files (module runner caches) and the stacks' run directories, when not in
// memory, go in a folder of this run's (TMPDIR for each run), removed at the end: a run stopped by
// Ctrl-C cannot remove its own. Readable by the postgres user, which runs the stacks' databases.
const tmpRoot = mkdtempSync(path.join(os.tmpdir(), 'npm-test-tmp-'));
chmodSync(tmpRoot, 0o755);
process.on('exit', () => {
  rmSync(jsonDir, { recursive: true, force: true });
  rmSync(tmpRoot, { recursive: true, force: true });
});
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

/** A run in progress: its child, and its output kept until it may stream. */
interface Active { unit: Unit; child?: ChildProcess; live: boolean; buffered: string }
const active: Active[] = [];
const started0 = Date.now();
const clock = () => `${((Date.now() - started0) / 1000).toFixed(0)} s`;

/** One run streams live at a time; when it ends, the oldest run beside it prints what it kept and streams on. */
function handOver(): void {
  if (active.some((a) => a.live)) return;
  const next = active[0];
  if (!next) return;
  next.live = true;
  process.stdout.write(`\n=== npm test: ${next.unit.name}, its output so far (now at ${clock()}) ===\n${next.buffered}`);
  next.buffered = '';
}

// Ctrl-C reaches the runs from the terminal themselves (one process group): each stops its stacks.
// SIGTERM is for this process only, so it is passed on. Either way no new run starts, the runs'
// output is still read and printed, and the table shows what ran.
let stopping: NodeJS.Signals | undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = signal;
    process.stdout.write(`\nnpm test: ${signal}: no new run starts; waiting for ${active.map((a) => a.unit.name).join(', ') || 'nothing'} to stop\n`);
    if (signal === 'SIGTERM') for (const a of active) a.child?.kill('SIGTERM');
    // Bounded: a run that does not stop in 60 s is killed (its stacks' watchdogs clean up after it).
    setTimeout(() => {
      for (const a of active) a.child?.kill('SIGKILL');
    }, 60_000).unref();
  });
}

async function runUnit(unit: Unit, index: number): Promise<void> {
  const me: Active = { unit, live: false, buffered: '' };
  const beside = active.map((a) => a.unit.name);
  active.push(me);
  me.live = !active.some((a) => a !== me && a.live);
  process.stdout.write(`\n=== npm test: ${unit.name} (at ${clock()}${beside.length ? `, beside ${beside.join(', ')}` : ''})${me.live ? '' : ': its output follows when the run beside it ends'} ===\n`);
  const started = Date.now();
  let tail = '';
  const jsonFile = path.join(jsonDir, `${index}.json`);
  const code: number | null = await new Promise((resolve) => {
    const reporters = ownReporter ? [] : ['--reporter=default', '--reporter=json', `--outputFile.json=${jsonFile}`];
    const command = unit === TYPECHECK
      ? [path.join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', '.']
      : [path.join(REPO_ROOT, 'node_modules/vitest/vitest.mjs'), 'run', '--project', unit.project, ...reporters, ...extra, ...unit.files];
    const child = spawn(process.execPath, command, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TMPDIR: tmpRoot } });
    me.child = child;
    const take = (sink: NodeJS.WriteStream) => (text: string) => {
      if (me.live) sink.write(text);
      else me.buffered += text;
      if (sink === process.stdout) tail = (tail + text).slice(-4000);
    };
    // Whole characters (✓ × ›), not bytes cut between two chunks.
    child.stdout!.setEncoding('utf8').on('data', take(process.stdout));
    child.stderr!.setEncoding('utf8').on('data', take(process.stderr));
    child.on('error', (error) => take(process.stderr)(`npm test: could not start ${unit.name}: ${error.message}\n`));
    child.on('close', resolve);
  });
  const seconds = (Date.now() - started) / 1000;
  active.splice(active.indexOf(me), 1);
  if (!me.live) process.stdout.write(`\n=== npm test: ${unit.name}, its output (ended at ${clock()}) ===\n${me.buffered}`);
  process.stdout.write(`=== npm test: ${unit.name} ${code === 0 ? 'passed' : 'FAILED'} in ${seconds.toFixed(0)} s ===\n`);
  if (me.live) handOver();
  // vitest's own summary line: "Tests  3 failed | 80 passed | 2 skipped (85)".
  const plain = tail.replace(/\x1b\[[0-9;]*m/g, '');
  const line = plain.split('\n').reverse().find((l) => /^\s*Tests\s/.test(l)) ?? '';
  const count = (word: string) => Number(new RegExp(`(\\d+) ${word}`).exec(line)?.[1] ?? 0);
  // tsc writes no report: its error lines ("file(line,col): error TS…") are the failures.
  const failures = unit === TYPECHECK ? plain.split('\n').filter((l) => /error TS\d+/.test(l)).slice(0, 20) : failuresIn(jsonFile);
  outcomes.push({ unit, code, seconds, passed: count('passed'), failed: count('failed'), skipped: count('skipped'), failures });
}

let next = 0;
async function lane(): Promise<void> {
  while (next < queue.length && !stopping) {
    const index = next++;
    await runUnit(queue[index]!, index);
  }
}
process.stdout.write(`npm test: ${units.length} runs, ${Math.min(lanes, units.length)} at a time (--lanes 1 for one at a time)\n`);
await Promise.all(Array.from({ length: Math.min(lanes, units.length) }, () => lane()));

const sum = (k: 'passed' | 'failed' | 'skipped') => outcomes.reduce((a, o) => a + o[k], 0);
const inOrder = [...outcomes].sort((a, b) => units.indexOf(a.unit) - units.indexOf(b.unit));
process.stdout.write(`\nnpm test, per run (${lanes} at a time; wall time ${clock()}):\n`);
const width = Math.max(...inOrder.map((o) => o.unit.name.length));
for (const o of inOrder) {
  process.stdout.write(`  ${o.unit.name.padEnd(width)} ${o.code === 0 ? 'pass' : 'FAIL'}  ${o.passed} passed, ${o.failed} failed, ${o.skipped} skipped  ${o.seconds.toFixed(0)} s\n`);
}
const failedRuns = inOrder.filter((o) => o.code !== 0);
if (failedRuns.length) {
  process.stdout.write('\nwhat failed:\n');
  for (const o of failedRuns) {
    const tool = o.unit === TYPECHECK ? 'tsc' : 'vitest';
    const lines = o.failures.length ? o.failures : [`${tool} exited with code ${o.code} (no failed ${o.unit === TYPECHECK ? 'file in its output' : 'test in its report'}: see the run's output above)`];
    for (const line of lines) process.stdout.write(`  ${o.unit.name}: ${redact(line, envSecrets())}\n`);
  }
}
// The closing line (a CI log's tail) names the runs that failed: a typecheck counts no tests.
const notRun = queue.length - outcomes.length;
process.stdout.write(
  `\n${sum('passed')} passed, ${sum('failed')} failed, ${sum('skipped')} skipped` +
    `${failedRuns.length ? `; FAILED: ${failedRuns.map((o) => o.unit.name).join(', ')}` : ''}${notRun ? `; ${notRun} run(s) not started (${stopping})` : ''}\n`,
);
process.exit(stopping ? (stopping === 'SIGINT' ? 130 : 143) : failedRuns.length ? 1 : 0);
