// `npm run mutants`: proof that each check can fail. For every promise of CONTRACT.md a defect in the
// reference services breaks it (scenarios/mutants.ts); the stack is started with that defect and only
// the suite files (and tests) holding the promise's checks run. Fails unless the healthy stack passes
// those suites, and every mutant is caught by a check naming its promise's id, with a diagnosis
// naming the cause. Two runs at a time (a 2-core machine). Writes reports/mutants.md.
//
//   npm run mutants                      every mutant, and the healthy stack
//   npm run mutants -- NAME…             only these mutants (and "healthy" for the healthy run)
//   npm run mutants -- --list            the mutants, their promises and suites
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../helpers/stack/repo-root.ts';
import { evidenceLine, inPool, runE2eChild, type ChildRun } from './lib/e2e-child.ts';
import { MUTANTS, type Mutant } from '../scenarios/mutants.ts';

const args = process.argv.slice(2);
if (args.includes('--list')) {
  for (const m of MUTANTS) process.stdout.write(`${m.name.padEnd(28)} [${m.promises.join(', ')}]  ${m.suites.join(' ')}${m.tests ? `  -t "${m.tests}"` : ''}\n`);
  process.exit(0);
}
const PARALLEL = Math.max(1, Number(process.env.MUTANTS_PARALLEL ?? 2));
const only = args.filter((a) => !a.startsWith('--'));
const unknown = only.filter((n) => n !== 'healthy' && !MUTANTS.some((m) => m.name === n));
if (unknown.length) {
  process.stderr.write(`mutants: unknown ${unknown.join(', ')}; see npm run mutants -- --list\n`);
  process.exit(2);
}

interface Row {
  name: string;
  promises: string[];
  detected: boolean;
  check: string;
  diagnosis: string;
  others: number;
  seconds: number;
}

/** Runs suite files (and a test filter) through the e2e runner, as a mutant or healthy. */
function run(suites: string[], tests: string | undefined, mutant: Mutant | undefined): Promise<ChildRun> {
  return runE2eChild([...suites, ...(tests ? ['-t', tests] : [])], {
    // Defect switches exist in the reference services, run as native processes.
    E2E_PROVIDER: 'processes',
    ...(mutant ? { E2E_SCENARIO: mutant.name, E2E_DEFECTS: mutant.name } : {}),
  });
}

async function healthy(): Promise<Row> {
  // Every file a mutant uses, whole: the healthy stack must pass all their checks.
  const suites = [...new Set(MUTANTS.flatMap((m) => m.suites))].sort();
  const { results, output, seconds } = await run(suites, undefined, undefined);
  const failed = (results?.tests ?? []).filter((t) => t.state === 'failed');
  const ok = !!results && results.counts.failed === 0;
  if (!ok) process.stdout.write(`healthy: FAILS\n${output.slice(-4000)}\n`);
  return {
    name: 'healthy', promises: [], detected: ok,
    check: ok ? `all ${results!.counts.passed} checks of ${suites.length} files pass` : failed.map((t) => `${t.suite} › ${t.name}`).join('; ') || 'the run broke',
    diagnosis: ok ? '' : evidenceLine(failed[0]?.error ?? output.slice(-500), /./), others: failed.length, seconds,
  };
}

async function detect(m: Mutant): Promise<Row> {
  const { results, output, seconds } = await run(m.suites, m.tests, m);
  const failed = (results?.tests ?? []).filter((t) => t.state === 'failed');
  const meant = failed.find((t) => m.detect.check.test(`${t.suite} › ${t.name}`));
  const evidence = meant ? `${meant.error ?? ''}\n${(meant.meta?.diagnosis ?? []).join('\n')}` : '';
  const detected = !!meant && m.detect.diagnosis.test(evidence);
  if (!detected) process.stdout.write(`${m.name}: NOT DETECTED\n${meant ? `evidence:\n${evidence.slice(0, 2000)}\n` : ''}${output.slice(-3000)}\n`);
  return {
    name: m.name, promises: m.promises, detected,
    check: meant ? `${meant.suite} › ${meant.name}` : `not failed (${failed.length} others failed${results ? '' : '; the run broke'})`,
    diagnosis: meant ? evidenceLine(evidence, m.detect.diagnosis) : '', others: failed.length - (meant ? 1 : 0), seconds,
  };
}

const jobs: (() => Promise<Row>)[] = [
  ...(only.length === 0 || only.includes('healthy') ? [healthy] : []),
  ...MUTANTS.filter((m) => only.length === 0 || only.includes(m.name)).map((m) => () => detect(m)),
];
const started = Date.now();
const rows = await inPool(jobs, PARALLEL, (row) => {
  process.stdout.write(`${row.name}: ${row.name === 'healthy' ? (row.detected ? 'passes' : 'FAILS') : row.detected ? 'caught' : 'NOT CAUGHT'} in ${row.seconds.toFixed(1)} s\n`);
});
const order = (name: string) => (name === 'healthy' ? -1 : MUTANTS.findIndex((m) => m.name === name));
rows.sort((a, b) => order(a.name) - order(b.name));

const cell = (t: string) => t.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const table = [
  '| defect | promise | result | check that failed | diagnosis | other failures | seconds |',
  '|---|---|---|---|---|---|---|',
  ...rows.map((r) =>
    `| ${r.name} | ${r.promises.join(', ')} | ${r.name === 'healthy' ? (r.detected ? '✅ passes' : '❌ fails') : r.detected ? '✅ caught' : '❌ not caught'} | ${cell(r.check)} | ${cell(r.diagnosis)} | ${r.others} | ${r.seconds.toFixed(1)} |`,
  ),
].join('\n');
const caught = rows.filter((r) => r.name !== 'healthy' && r.detected).length;
const total = rows.filter((r) => r.name !== 'healthy').length;
const wall = (Date.now() - started) / 1000;
const markdown = `# Mutants\n\n${caught} of ${total} defects caught by the check naming their promise; healthy stack: ${rows.find((r) => r.name === 'healthy')?.detected ?? 'not run'}. Wall time ${(wall / 60).toFixed(1)} min (${PARALLEL} at a time).\n\n${table}\n`;
mkdirSync(path.join(REPO_ROOT, 'reports'), { recursive: true });
writeFileSync(path.join(REPO_ROOT, 'reports', 'mutants.md'), markdown);
process.stdout.write(`\n${table}\n\n${caught}/${total} caught; wall time ${wall.toFixed(0)} s; written to reports/mutants.md\n`);
process.exit(rows.every((r) => r.detected) ? 0 : 1);
