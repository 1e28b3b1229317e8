// What the catalogue and the mutants share: a run of the e2e runner (scripts/run-e2e.ts) as a child
// process with a profile of its own, read back through its results.json; the line of evidence a
// check printed; and a small pool that runs such children a few at a time.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RunResults } from '../../helpers/report/results.ts';
import { registerTeardown } from '../../helpers/stack/cleanup.ts';
import { REPO_ROOT } from '../../helpers/stack/repo-root.ts';

// Stopped from outside (Ctrl-C, or SIGTERM from CI): the stacks' own teardown mechanism
// (helpers/stack/cleanup.ts: bounded, then exit 130/143) stops the runs, each of which stops its
// stack and writes its last report; their temporary folders go after them, or at exit.
const workDirs = new Set<string>();
const children = new Set<ChildProcess>();
let stopping = false;
const removeWorkDirs = () => {
  for (const dir of workDirs) rmSync(dir, { recursive: true, force: true });
};
process.on('exit', removeWorkDirs);
registerTeardown(async () => {
  stopping = true;
  const closed = [...children].map((c) => new Promise((resolve) => c.once('close', resolve)));
  for (const child of children) child.kill('SIGTERM'); // Ctrl-C reached them already; a second stop is a no-op there
  await Promise.all(closed);
  removeWorkDirs();
});

export interface ChildRun {
  /** The run's results.json; undefined when the run broke before writing it. */
  results?: RunResults;
  /** Everything the child printed, for a failure's context. */
  output: string;
  seconds: number;
}

/**
 * `run-e2e.ts local <args>` with only PATH, HOME and `env` from here (nothing of this shell's
 * profile leaks in), reports in a temporary directory removed afterwards. `prefix` runs the
 * command inside something (e.g. `ip netns exec NAME`).
 */
export async function runE2eChild(args: string[], env: Record<string, string>, prefix: string[] = []): Promise<ChildRun> {
  if (stopping) throw new Error('stopped: no new run starts');
  const work = mkdtempSync(path.join(os.tmpdir(), 'e2e-child-'));
  workDirs.add(work);
  const started = Date.now();
  try {
    const command = [...prefix, process.execPath, '--import', 'tsx', path.join(REPO_ROOT, 'scripts/run-e2e.ts'), 'local', ...args];
    const child = spawn(command[0]!, command.slice(1), {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env, E2E_REPORTS_DIR: path.join(work, 'reports') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    await new Promise((resolve) => child.on('close', resolve));
    children.delete(child);
    let results: RunResults | undefined;
    try {
      results = JSON.parse(readFileSync(path.join(work, 'reports', 'results.json'), 'utf8')) as RunResults;
    } catch {
      /* the run broke before its report: the caller says so, with the output */
    }
    return { results, output, seconds: (Date.now() - started) / 1000 };
  } finally {
    rmSync(work, { recursive: true, force: true });
    workDirs.delete(work);
  }
}

/** The evidence's first line that matches, without the assertion's own tail ("…: expected 1 to be 2"). */
export function evidenceLine(text: string, match: RegExp, max = 220): string {
  const line = text.split('\n').find((l) => match.test(l)) ?? text.split('\n')[0] ?? '';
  const tail = line.lastIndexOf(': expected ');
  const cut = tail >= 0 && / to (be|equal|deeply equal|match|strictly equal|have length)\b/.test(line.slice(tail)) ? line.slice(0, tail) : line;
  return cut.trim().slice(0, max);
}

/** Runs the jobs `parallel` at a time, in order of start; results in the jobs' order. */
export async function inPool<T>(jobs: (() => Promise<T>)[], parallel: number, onDone: (result: T) => void = () => undefined): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(parallel, jobs.length)) }, async () => {
      while (next < jobs.length) {
        const i = next++;
        results[i] = await jobs[i]!();
        onDone(results[i]!);
      }
    }),
  );
  return results;
}
