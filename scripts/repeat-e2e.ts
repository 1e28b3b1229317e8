// `npm run e2e:repeat -- N`: the full local e2e suite N times in a row, each on a fresh stack,
// to find flaky tests. Prints each run's result, then passes, failures (with the run and the
// message) and the slowest tests. No retries: a flake shows as a failure.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../helpers/stack/processes/node-service.ts';

const runs = Number(process.argv[2] ?? 5);
if (!Number.isInteger(runs) || runs < 1 || runs > 1000) {
  process.stderr.write(`e2e:repeat: expected a number of runs from 1 to 1000, e.g. npm run e2e:repeat -- 20; got "${process.argv[2]}"\n`);
  process.exit(2);
}

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
  `${runs} runs in ${((Date.now() - started) / 60_000).toFixed(1)} min: ${passedRuns} passed, ${runs - passedRuns} failed`,
  ...(failures.length ? ['failures:', ...failures.map((f) => `  run ${f.run}: ${f.test}: ${f.message}`)] : []),
  'slowest tests (max / mean over the runs):',
  ...slowest.map((s) => `  ${(s.max / 1000).toFixed(1).padStart(6)} s / ${(s.mean / 1000).toFixed(1).padStart(5)} s  ${s.name}`),
];
process.stdout.write(`${lines.join('\n')}\n`);
process.exit(passedRuns === runs ? 0 : 1);
