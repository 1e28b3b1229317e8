// `npm run e2e:repeat -- N [--load K]`: the full local e2e suite N times in a row, each on a fresh
// stack, to find flaky tests. Prints each run's result, then passes, failures (with the run and
// the message) and the slowest tests. No retries: a flake shows as a failure. `--load K` keeps K
// CPU hogs (a busy loop each, one core's worth) running meanwhile, as on a busy CI machine; they
// stop with the runs, on failure and on Ctrl-C.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../helpers/stack/processes/node-service.ts';
import { redactProcessOutput } from '../helpers/redact.ts';

// Everything this command prints passes through the one redactor (the environment's secrets, URL
// passwords by shape), whatever prints it.
redactProcessOutput();

const argv = process.argv.slice(2);
const loadAt = argv.indexOf('--load');
const load = loadAt >= 0 ? Number(argv[loadAt + 1]) : 0;
const runsArg = argv.find((a, i) => !a.startsWith('--') && (loadAt < 0 || i !== loadAt + 1)) ?? '5';
const runs = Number(runsArg);
if (!Number.isInteger(runs) || runs < 1 || runs > 1000) {
  process.stderr.write(`e2e:repeat: expected a number of runs from 1 to 1000, e.g. npm run e2e:repeat -- 20; got "${runsArg}"\n`);
  process.exit(2);
}
if (!Number.isInteger(load) || load < 0 || load > 16) {
  process.stderr.write(`e2e:repeat: --load expects a number of CPU hogs from 0 to 16, e.g. --load 1; got "${argv[loadAt + 1]}"\n`);
  process.exit(2);
}

// The hogs: plain busy loops in child processes, killed however this script ends.
const hogs = Array.from({ length: load }, () => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
const stopHogs = () => hogs.forEach((h) => h.kill('SIGKILL'));
process.on('exit', stopHogs);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));
if (load) process.stdout.write(`e2e:repeat: ${load} CPU hog(s) running meanwhile\n`);

interface JsonReport {
  testResults: { name: string; assertionResults: { fullName: string; status: string; duration?: number; failureMessages: string[] }[] }[];
}

const work = mkdtempSync(path.join(os.tmpdir(), 'e2e-repeat-'));
const durations = new Map<string, number[]>();
const failures: { run: number; test: string; message: string }[] = [];
let passedRuns = 0;
const started = Date.now();

for (let run = 1; run <= runs; run++) {
  const out = path.join(work, `run-${run}.json`);
  const t0 = Date.now();
  const code: number = await new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'node_modules/vitest/vitest.mjs'), 'run', '--project', 'e2e', '--reporter=json', `--outputFile=${out}`], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, FORCE_COLOR: '0' },
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
    child.on('close', (c) => {
      if (c !== 0 && c !== 1) process.stderr.write(stderr);
      resolve(c ?? 1);
    });
  });
  let report: JsonReport | undefined;
  try {
    report = JSON.parse(readFileSync(out, 'utf8')) as JsonReport;
  } catch {
    failures.push({ run, test: '(the run itself)', message: `vitest exited ${code} without a report` });
  }
  let passed = 0;
  let failed = 0;
  for (const file of report?.testResults ?? []) {
    for (const t of file.assertionResults) {
      const name = `${path.relative(REPO_ROOT, file.name)} › ${t.fullName}`;
      if (t.duration !== undefined) durations.set(name, [...(durations.get(name) ?? []), t.duration]);
      if (t.status === 'passed') passed++;
      if (t.status === 'failed') {
        failed++;
        failures.push({ run, test: name, message: (t.failureMessages[0] ?? '').split('\n')[0]!.slice(0, 300) });
      }
    }
  }
  const ok = code === 0 && failed === 0 && report !== undefined;
  if (ok) passedRuns++;
  process.stdout.write(`run ${run}/${runs}: ${ok ? 'pass' : 'FAIL'} (${passed} passed, ${failed} failed) in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
}
rmSync(work, { recursive: true, force: true });

const slowest = [...durations.entries()]
  .map(([name, ms]) => ({ name, max: Math.max(...ms), mean: ms.reduce((a, b) => a + b, 0) / ms.length }))
  .sort((a, b) => b.max - a.max)
  .slice(0, 10);
const lines = [
  '',
  `${runs} runs in ${((Date.now() - started) / 60_000).toFixed(1)} min${load ? ` with ${load} CPU hog(s)` : ''}: ${passedRuns} passed, ${runs - passedRuns} failed`,
  ...(failures.length ? ['failures:', ...failures.map((f) => `  run ${f.run}: ${f.test}: ${f.message}`)] : []),
  'slowest tests (max / mean over the runs):',
  ...slowest.map((s) => `  ${(s.max / 1000).toFixed(1).padStart(6)} s / ${(s.mean / 1000).toFixed(1).padStart(5)} s  ${s.name}`),
];
process.stdout.write(`${lines.join('\n')}\n`);
process.exit(passedRuns === runs ? 0 : 1);
