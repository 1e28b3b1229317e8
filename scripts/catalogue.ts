// `npm run catalogue`: runs the checks against the healthy stack and against every broken-stack
// scenario (scenarios/), and prints scenario → detected or not → which check failed → diagnosis.
// Fails unless the healthy stack passes with no failure and every scenario is caught by the check
// meant for it, with a diagnosis naming the cause. Writes reports/catalogue.md.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../helpers/stack/repo-root.ts';
import { evidenceLine, inPool, runE2eChild, type ChildRun } from './lib/e2e-child.ts';
import { SCENARIOS, type Scenario } from '../scenarios/index.ts';
import { redactProcessOutput } from '../helpers/redact.ts';

// Everything this command prints passes through the one redactor (the environment's secrets, URL
// passwords by shape), whatever prints it.
redactProcessOutput();

/** The suites that detect; fault-injecting suites (resilience) and input suites are not needed here. */
const SUITES = ['suites/deploy.e2e.test.ts', 'suites/health.e2e.test.ts', 'suites/pooler.e2e.test.ts', 'suites/jobs.e2e.test.ts'];
/** The readiness-gating check starts a second API of its own: it detects nothing here, and waits long on a broken database. */
const TEST_FILTER = ['-t', '^(?!.*readiness gating)'];
const CATALOGUE_PROFILE = { E2E_JOB_TIMEOUT_MS: '4000' };
const only = process.argv.slice(2);

/**
 * CATALOGUE_SUITES=meant: a scenario runs only the check meant to catch it (the healthy run still
 * runs all four suites, so every one of those checks is shown to pass on a healthy stack). What
 * `npm test` runs: the proof is the same at a fraction of the cost, since a broken stack makes
 * the other checks wait out their timeouts. Default (all): every scenario runs all four suites,
 * and the table counts what else it breaks.
 */
const SUITES_MODE = process.env.CATALOGUE_SUITES?.trim() || 'all';
if (!['all', 'meant'].includes(SUITES_MODE)) {
  process.stderr.write(`CATALOGUE_SUITES: expected "all" or "meant"; got "${SUITES_MODE}"\n`);
  process.exit(2);
}

/**
 * The check meant to catch a scenario, from its pattern "<suite> .* <test name>": the suite file,
 * and vitest arguments that run only that test (-t matches the test's full name).
 */
function meantCheck(scenario: Scenario): { file: string; args: string[] } {
  const [, name, test] = /^([\w-]+) \.\* (.+)$/.exec(scenario.detect.check.source) ?? [];
  const file = SUITES.find((f) => f.endsWith(`/${name}.e2e.test.ts`));
  // -t matches a test's describe names and own name joined by spaces, the table "suite › describe > test":
  // a pattern that spans a describe name would select nothing here.
  if (test && /[>›]/.test(test)) throw new Error(`scenario ${scenario.name}: its check pattern ${scenario.detect.check} spans a describe name; name only the test after ".* "`);
  if (!file || !test) throw new Error(`scenario ${scenario.name}: its check pattern ${scenario.detect.check} is not "<suite> .* <test name>" with one of the suites (${SUITES.join(', ')})`);
  return { file, args: [file, '-t', test] };
}

interface Row {
  scenario: string;
  detected: boolean;
  check: string;
  diagnosis: string;
  others: number;
  seconds: number;
  note?: string;
  /** The run's output, kept when the scenario was not detected. */
  output?: string;
}

const canNetns = process.getuid?.() === 0 && (() => {
  try {
    execFileSync('ip', ['netns', 'list'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** Scenarios run two at a time (each on a native stack of its own); CATALOGUE_PARALLEL=1 for one. */
const PARALLEL = Math.max(1, Number(process.env.CATALOGUE_PARALLEL ?? 2));
let namespaces = 0;
/** Namespaces not yet deleted: a run stopped by Ctrl-C deletes them on its way out. */
const liveNamespaces = new Set<string>();
process.on('exit', () => {
  for (const ns of liveNamespaces) {
    try {
      execFileSync('bash', [path.join(REPO_ROOT, 'scripts/netns.sh'), 'delete', ns], { stdio: 'ignore' });
    } catch {
      /* already gone */
    }
  }
});

async function runChecks(scenario: Scenario | undefined): Promise<ChildRun> {
  // A namespace of its own per scenario: two may run at once.
  const ns = scenario?.netnsHosts ? `e2ecat-${process.pid}-${++namespaces}` : undefined;
  try {
    if (ns) {
      liveNamespaces.add(ns);
      execFileSync('bash', [path.join(REPO_ROOT, 'scripts/netns.sh'), 'create', ns, ...scenario!.netnsHosts!]);
    }
    const args = scenario && SUITES_MODE === 'meant' ? meantCheck(scenario).args : [...SUITES, ...TEST_FILTER];
    return await runE2eChild(args, {
      ...CATALOGUE_PROFILE,
      ...scenario?.profile,
      // Scenarios break a native stack (defect switches, namespaces): always the processes provider.
      E2E_PROVIDER: 'processes',
      ...(scenario ? { E2E_SCENARIO: scenario.name } : {}),
    }, ns ? ['ip', 'netns', 'exec', ns] : []);
  } finally {
    if (ns) {
      execFileSync('bash', [path.join(REPO_ROOT, 'scripts/netns.sh'), 'delete', ns]);
      liveNamespaces.delete(ns);
    }
  }
}

async function judge(scenario: Scenario | undefined): Promise<Row> {
  const name = scenario?.name ?? 'healthy';
  if (scenario?.netnsHosts && !canNetns) {
    return { scenario: name, detected: false, check: '—', diagnosis: '', others: 0, seconds: 0, note: 'needs root and iproute2 (a network namespace)' };
  }
  const { results, output, seconds } = await runChecks(scenario);
  const failed = (results?.tests ?? []).filter((t) => t.state === 'failed');
  let row: Row;
  if (!scenario) {
    const ok = !!results && results.counts.failed === 0;
    row = {
      scenario: name, detected: ok, check: ok ? `all ${results!.counts.passed} checks pass` : failed.map((t) => t.name).join('; ') || 'the run broke',
      diagnosis: ok ? '' : evidenceLine(failed[0]?.error ?? output.slice(-500), /./), others: failed.length, seconds,
    };
  } else {
    const meant = failed.find((t) => scenario.detect.check.test(`${t.suite} › ${t.name}`));
    const evidence = meant ? `${meant.error ?? ''}\n${(meant.meta?.diagnosis ?? []).join('\n')}` : '';
    const detected = !!meant && scenario.detect.diagnosis.test(evidence);
    row = {
      scenario: name,
      detected,
      check: meant ? `${meant.suite} › ${meant.name}` : `not failed (${failed.length} others failed${results ? '' : '; the run broke'})`,
      diagnosis: meant ? evidenceLine(evidence, scenario.detect.diagnosis) : '',
      others: failed.length - (meant ? 1 : 0),
      seconds,
    };
  }
  if (!row.detected) row.output = output.slice(-6000);
  return row;
}

// A pattern that names no suite fails here, before any stack starts.
if (SUITES_MODE === 'meant') for (const s of SCENARIOS) meantCheck(s);

const started = Date.now();
const targets: (Scenario | undefined)[] = [undefined, ...SCENARIOS].filter((s) => only.length === 0 || only.includes(s?.name ?? 'healthy'));
process.stdout.write(`catalogue: ${targets.length} runs, ${PARALLEL} at a time; ${SUITES_MODE === 'meant' ? 'each scenario runs only its check (CATALOGUE_SUITES=meant)' : 'every run runs all four detecting suites'}\n`);
const rows = await inPool(targets.map((s) => () => judge(s)), PARALLEL, (row) => {
  const verdict = row.note ? `not run (${row.note})` : `${row.detected ? (row.scenario === 'healthy' ? 'passes' : 'detected') : 'NOT DETECTED'} in ${row.seconds.toFixed(1)} s`;
  process.stdout.write(`${row.scenario}: ${verdict}\n`);
  if (row.output) process.stdout.write(`${row.output}\n`);
});

const cell = (t: string) => t.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const table = [
  '| scenario | result | check that failed | diagnosis | other failures | seconds |',
  '|---|---|---|---|---|---|',
  ...rows.map((r) =>
    `| ${r.scenario} | ${r.note ? `not run: ${r.note}` : r.scenario === 'healthy' ? (r.detected ? '✅ passes' : '❌ fails') : r.detected ? '✅ detected' : '❌ not detected'} | ${cell(r.check)} | ${cell(r.diagnosis)} | ${r.others} | ${r.seconds.toFixed(1)} |`,
  ),
].join('\n');
const stories = SCENARIOS.map((s) => `- **${s.name}**: ${s.story}`).join('\n');
const total = (Date.now() - started) / 1000;
const detected = rows.filter((r) => r.scenario !== 'healthy' && r.detected).length;
const scenarios = rows.filter((r) => r.scenario !== 'healthy').length;
const markdown = `# Failure catalogue\n\n${detected} of ${scenarios} scenarios detected by the check meant for them; healthy stack: ${rows.find((r) => r.scenario === 'healthy')?.detected ? 'passes' : 'FAILS'}. Wall time ${(total / 60).toFixed(1)} min (${PARALLEL} at a time; ${SUITES_MODE === 'meant' ? 'each scenario ran only the check meant for it, so "other failures" is 0' : 'all four detecting suites per run'}).\n\n${table}\n\n## Scenarios\n\n${stories}\n`;
mkdirSync(path.join(REPO_ROOT, 'reports'), { recursive: true });
writeFileSync(path.join(REPO_ROOT, 'reports', 'catalogue.md'), markdown);
process.stdout.write(`\n${table}\n\n${detected}/${scenarios} detected; wall time ${total.toFixed(0)} s; written to reports/catalogue.md\n`);
process.exit(rows.every((r) => r.detected) ? 0 : 1);
