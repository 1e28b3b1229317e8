// `npm test` after the typecheck: every vitest project, one after another, each in a run of its own.
// One run for all projects would start every project's stack in its global setup at once (four
// shared stacks, containers among them) and keep them all up to the end; on 2 cores that load is
// what makes timing-sensitive checks flaky. Each project's output streams as it runs; the end is
// a per-project table and one closing line. Exit 1 when any project failed. Extra arguments go to
// every run (e.g. -- --reporter=dot).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from '../helpers/stack/repo-root.ts';

// The projects the config defines on this machine (containers and Python ones only where they can run).
const config = (await import('../vitest.config.ts')).default as { test?: { projects?: { test?: { name?: string } }[] } };
const defined = (config.test?.projects ?? []).map((p) => p.test?.name).filter((n): n is string => !!n);
// Unit tests first (fast feedback), then the suites, then the self-tests, as the config's groups do.
const ORDER = ['unit', 'e2e', 'e2e-containers', 'e2e-python', 'e2e-python-containers', 'selftest'];
const projects = [...ORDER.filter((p) => defined.includes(p)), ...defined.filter((p) => !ORDER.includes(p))];
const extra = process.argv.slice(2);

interface Outcome { project: string; code: number | null; seconds: number; passed: number; failed: number; skipped: number }
const outcomes: Outcome[] = [];
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
    current = spawn(process.execPath, [path.join(REPO_ROOT, 'node_modules/vitest/vitest.mjs'), 'run', '--project', project, ...extra], {
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
  outcomes.push({ project, code, seconds: (Date.now() - started) / 1000, passed: count('passed'), failed: count('failed'), skipped: count('skipped') });
}

const sum = (k: 'passed' | 'failed' | 'skipped') => outcomes.reduce((a, o) => a + o[k], 0);
process.stdout.write('\nnpm test, per project:\n');
for (const o of outcomes) {
  process.stdout.write(`  ${o.project.padEnd(22)} ${o.code === 0 ? 'pass' : 'FAIL'}  ${o.passed} passed, ${o.failed} failed, ${o.skipped} skipped  ${o.seconds.toFixed(0)} s\n`);
}
const failedProjects = outcomes.filter((o) => o.code !== 0);
process.stdout.write(`\n${sum('passed')} passed, ${sum('failed')} failed, ${sum('skipped')} skipped\n`);
process.exit(failedProjects.length ? 1 : 0);
