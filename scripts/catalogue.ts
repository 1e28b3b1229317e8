// `npm run catalogue`: runs the checks against the healthy stack and against every broken-stack
// scenario (scenarios/), and prints scenario → detected or not → which check failed → diagnosis.
// Fails unless the healthy stack passes with no failure and every scenario is caught by the check
// meant for it, with a diagnosis naming the cause. Writes reports/catalogue.md.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../helpers/stack/processes/node-service.ts';
import type { RunResults } from '../helpers/report/results.ts';
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

interface Row {
  scenario: string;
  detected: boolean;
  check: string;
  diagnosis: string;
  others: number;
  seconds: number;
  note?: string;
}

const canNetns = process.getuid?.() === 0 && (() => {
  try {
    execFileSync('ip', ['netns', 'list'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

async function runChecks(scenario: Scenario | undefined): Promise<{ results?: RunResults; output: string; seconds: number }> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'e2e-catalogue-'));
  const started = Date.now();
  const ns = scenario?.netnsHosts ? `e2ecat-${process.pid}` : undefined;
  try {
    if (ns) execFileSync('bash', [path.join(REPO_ROOT, 'scripts/netns.sh'), 'create', ns, ...scenario!.netnsHosts!]);
    const command = [...(ns ? ['ip', 'netns', 'exec', ns] : []), process.execPath, '--import', 'tsx', path.join(REPO_ROOT, 'scripts/run-e2e.ts'), 'local', ...SUITES, ...TEST_FILTER];
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ...CATALOGUE_PROFILE,
      ...scenario?.profile,
      E2E_REPORTS_DIR: path.join(work, 'reports'),
      // Scenarios break a native stack (defect switches, namespaces): always the processes provider.
      E2E_PROVIDER: 'processes',
      ...(scenario ? { E2E_SCENARIO: scenario.name } : {}),
    };
    const child = spawn(command[0]!, command.slice(1), { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    await new Promise((resolve) => child.on('close', resolve));
    let results: RunResults | undefined;
    try {
      results = JSON.parse(readFileSync(path.join(work, 'reports', 'results.json'), 'utf8')) as RunResults;
    } catch {
      /* the run broke: reported below */
    }
    return { results, output, seconds: (Date.now() - started) / 1000 };
  } finally {
    if (ns) execFileSync('bash', [path.join(REPO_ROOT, 'scripts/netns.sh'), 'delete', ns]);
    rmSync(work, { recursive: true, force: true });
  }
}

function firstLine(text: string, match: RegExp): string {
  const line = text.split('\n').find((l) => match.test(l)) ?? text.split('\n')[0] ?? '';
  // Drop the assertion's own tail ("…: expected [ 'api' ] to deeply equal []"): the message before it is the diagnosis.
  const tail = line.lastIndexOf(': expected ');
  const cut = tail >= 0 && / to (be|equal|deeply equal|match|strictly equal)\b/.test(line.slice(tail)) ? line.slice(0, tail) : line;
  return cut.trim().slice(0, 220);
}

const rows: Row[] = [];
const targets: (Scenario | undefined)[] = [undefined, ...SCENARIOS].filter((s) => only.length === 0 || only.includes(s?.name ?? 'healthy'));
for (const scenario of targets) {
  const name = scenario?.name ?? 'healthy';
  if (scenario?.netnsHosts && !canNetns) {
    rows.push({ scenario: name, detected: false, check: '—', diagnosis: '', others: 0, seconds: 0, note: 'needs root and iproute2 (a network namespace)' });
    process.stdout.write(`${name}: not run (needs root and iproute2)\n`);
    continue;
  }
  process.stdout.write(`${name}: running the checks…`);
  const { results, output, seconds } = await runChecks(scenario);
  const failed = (results?.tests ?? []).filter((t) => t.state === 'failed');
  if (!scenario) {
    const ok = !!results && results.counts.failed === 0;
    rows.push({
      scenario: name, detected: ok, check: ok ? `all ${results!.counts.passed} checks pass` : failed.map((t) => t.name).join('; ') || 'the run broke',
      diagnosis: ok ? '' : firstLine(failed[0]?.error ?? output.slice(-500), /./), others: failed.length, seconds,
    });
  } else {
    const meant = failed.find((t) => scenario.detect.check.test(`${t.suite} › ${t.name}`));
    const evidence = meant ? `${meant.error ?? ''}\n${(meant.meta?.diagnosis ?? []).join('\n')}` : '';
    const detected = !!meant && scenario.detect.diagnosis.test(evidence);
    rows.push({
      scenario: name,
      detected,
      check: meant ? `${meant.suite} › ${meant.name}` : `not failed (${failed.length} others failed${results ? '' : '; the run broke'})`,
      diagnosis: meant ? firstLine(evidence, scenario.detect.diagnosis) : '',
      others: failed.length - (meant ? 1 : 0),
      seconds,
    });
  }
  const row = rows[rows.length - 1]!;
  process.stdout.write(` ${row.detected ? (scenario ? 'detected' : 'passes') : 'NOT DETECTED'} in ${seconds.toFixed(1)} s\n`);
  if (!row.detected) process.stdout.write(`${output.slice(-3000)}\n`);
}

const cell = (t: string) => t.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const table = [
  '| scenario | result | check that failed | diagnosis | other failures | seconds |',
  '|---|---|---|---|---|---|',
  ...rows.map((r) =>
    `| ${r.scenario} | ${r.note ? `not run: ${r.note}` : r.scenario === 'healthy' ? (r.detected ? '✅ passes' : '❌ fails') : r.detected ? '✅ detected' : '❌ not detected'} | ${cell(r.check)} | ${cell(r.diagnosis)} | ${r.others} | ${r.seconds.toFixed(1)} |`,
  ),
].join('\n');
const stories = SCENARIOS.map((s) => `- **${s.name}**: ${s.story}`).join('\n');
const total = rows.reduce((a, r) => a + r.seconds, 0);
const detected = rows.filter((r) => r.scenario !== 'healthy' && r.detected).length;
const scenarios = rows.filter((r) => r.scenario !== 'healthy').length;
const markdown = `# Failure catalogue\n\n${detected} of ${scenarios} scenarios detected by the check meant for them; healthy stack: ${rows.find((r) => r.scenario === 'healthy')?.detected ? 'passes' : 'FAILS'}. Wall time ${(total / 60).toFixed(1)} min.\n\n${table}\n\n## Scenarios\n\n${stories}\n`;
mkdirSync(path.join(REPO_ROOT, 'reports'), { recursive: true });
writeFileSync(path.join(REPO_ROOT, 'reports', 'catalogue.md'), markdown);
process.stdout.write(`\n${table}\n\n${detected}/${scenarios} detected; wall time ${total.toFixed(0)} s; written to reports/catalogue.md\n`);
process.exit(rows.every((r) => r.detected) ? 0 : 1);
