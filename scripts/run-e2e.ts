// `npm run e2e` (target local) and `npm run e2e:staging` (or any target: E2E_TARGET, or the first
// argument). Validates the profile, checks that a live target answers at all, runs the e2e
// suites, and writes JUnit, JSON and Markdown reports under reports/ (E2E_REPORTS_DIR).
//
// A live run is bounded: it ends after E2E_DEADLINE_S whatever the target does (exit 5), then
// removes the rows it wrote (helpers/run-rows.ts) within a bounded grace, and says what it removed
// and what it left, with why. Everything it prints or writes passes through the redactor.
//
// Exit codes: 0 all checks passed · 1 checks failed · 2 profile invalid · 3 target unreachable
//             4 the run itself broke (the suite's own error) · 5 the live run passed its deadline
import { spawn } from 'node:child_process';
import { appendFileSync, chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { boundedFetch, networkCode, RefusedResponse } from '../helpers/api-client.ts';
import { apiNetworkHint, liveStatusDiagnosis } from '../helpers/diagnose/api.ts';
import { loadProfile, profileDir, ProfileError } from '../helpers/profile.ts';
import { envSecrets, profileUrlSecrets, redact, redactProcessOutput } from '../helpers/redact.ts';
import { PROGRESS_FILE } from '../helpers/report/reporter.ts';
import { EXIT_CODES, reportsDir, writeResults, type RunResults, type TestRecord } from '../helpers/report/results.ts';
import { cleanupConnection, cleanupRun, describeCleanup, newRunPrefix, readLedger, type CleanupReport } from '../helpers/run-rows.ts';
import { profileSecrets } from '../helpers/stack/external.ts';
import { chooseStack, ProviderUnavailable, type StackChoice } from '../helpers/stack/index.ts';
import { REPO_ROOT } from '../helpers/stack/processes/node-service.ts';
import type { Profile } from '../env/schema.ts';

const target = process.argv[2] ?? process.env.E2E_TARGET ?? 'local';
/** Anything after the target goes to vitest (e.g. suite files to run). */
const vitestArgs = process.argv.slice(3);
// The provider chosen here is the one the suites get (the e2e project runs what the profile says).
const env: NodeJS.ProcessEnv = { ...process.env, E2E_TARGET: target };
const out = (line: string) => process.stdout.write(`${line}\n`);
const startedAt = Date.now();
// Every byte this process prints is redacted: the environment's secrets from now on, the profile's
// once it is loaded.
let secrets: string[] = [];
redactProcessOutput(() => secrets);
/** The step summary is written here, once, at the end (the reporter in the child does not). */
const stepSummary = env.GITHUB_STEP_SUMMARY;
delete env.GITHUB_STEP_SUMMARY;

/** Writes the reports, appends the step summary, prints the summary for a terminal. */
function report(results: RunResults): void {
  const terminal = writeResults(results, secrets, env);
  if (stepSummary) appendFileSync(stepSummary, `${readFileSync(path.join(reportsDir(env), 'summary.md'), 'utf8')}`);
  out(`\n${terminal}`);
}

function stopEarly(verdict: 'profile invalid' | 'target unreachable', problems: string[], secrets: string[], profile?: Profile): never {
  const results: RunResults = {
    verdict,
    target,
    provider: profile?.E2E_PROVIDER,
    apiUrl: profile?.API_URL,
    finishedAt: new Date().toISOString(),
    counts: { passed: 0, failed: 0, skipped: 0 },
    tests: [],
    problems,
  };
  process.stderr.write(`\ne2e ${target}: ${verdict}\n${problems.map((p) => `  - ${redact(p, secrets)}`).join('\n')}\n`);
  writeResults(results, secrets, env);
  if (stepSummary) appendFileSync(stepSummary, readFileSync(path.join(reportsDir(env), 'summary.md'), 'utf8'));
  out(`reports written to ${path.relative(process.cwd(), reportsDir(env)) || '.'}/`);
  process.exit(EXIT_CODES[verdict]);
}

/** Does a live target answer at all? /health/live has no dependencies: anything but 200 means no. */
async function preflight(apiUrl: string): Promise<string | undefined> {
  const url = new URL('/health/live', apiUrl);
  let lastCause = '';
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      // Bounded like every call of the suite: body capped, redirects only within the origin.
      const res = await boundedFetch(url, {}, { timeoutMs: 10_000 });
      return liveStatusDiagnosis(url.origin, res.status);
    } catch (error) {
      if (error instanceof RefusedResponse) return error.message;
      lastCause = networkCode(error);
      if (!['ECONNRESET', 'EAI_AGAIN', 'UND_ERR_SOCKET', 'EPIPE'].includes(lastCause)) break;
      out(`preflight: ${lastCause}, retry ${attempt}/2`);
    }
  }
  return `GET ${url.origin}${url.pathname} failed (${lastCause}): ${apiNetworkHint(lastCause, 10_000)}`;
}

let profile: Profile;
try {
  profile = loadProfile(target, env, profileDir(env)).profile;
} catch (error) {
  if (error instanceof ProfileError) stopEarly('profile invalid', error.problems, []);
  throw error;
}
secrets = [...new Set([...profileSecrets(profile), ...profileUrlSecrets(profile), ...envSecrets()])];
const live = profile.E2E_PROVIDER === 'external';
const deadlineMs = profile.E2E_DEADLINE_S * 1000;

// auto: containers when a Docker engine answers and the images are built, else processes.
let chosen: StackChoice;
try {
  chosen = chooseStack(profile);
} catch (error) {
  if (!(error instanceof ProviderUnavailable)) throw error;
  process.stderr.write(`e2e ${target}: ${error.message}\n`);
  process.exit(4);
}
out(`e2e ${target}: provider ${chosen.provider} (${chosen.reason})`);
// The run gets the provider chosen here, by name: it is decided once.
env.E2E_PROVIDER = chosen.provider;

if (profile.E2E_PROVIDER === 'external') {
  out(`e2e ${target}: checking that ${profile.API_URL} answers`);
  const unreachable = await preflight(profile.API_URL!);
  if (unreachable) stopEarly('target unreachable', [unreachable], secrets, profile);
}

const dir = reportsDir(env);
const junit = path.join(dir, 'junit.xml');
const ledger = path.join(dir, 'jobs-created.jsonl');
for (const stale of ['results.json', 'summary.md', 'junit.xml', PROGRESS_FILE, 'jobs-created.jsonl']) if (existsSync(path.join(dir, stale))) writeFileSync(path.join(dir, stale), '');
// One id prefix for every job of the run; on a live target the runner removes the run's rows
// itself after vitest, so it can do so after a deadline or a crash too.
const runId = newRunPrefix();
// vitest as node resolves it from here: inside the project, or hoisted next to an installed package.
const VITEST = path.join(path.dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');
if (live) out(`e2e ${target}: run id ${runId}; deadline ${profile.E2E_DEADLINE_S} s (E2E_DEADLINE_S)`);
// vitest's temporary files (and the stacks' run directories) go in a directory of this run's,
// removed when vitest is done: a vitest stopped by the deadline or Ctrl-C cannot remove its own.
const runTmp = mkdtempSync(path.join(os.tmpdir(), 'e2e-run-'));
chmodSync(runTmp, 0o755); // Postgres runs as its own user (never root) and must reach its data directory in here
process.on('exit', () => rmSync(runTmp, { recursive: true, force: true }));
const vitest = spawn(
  process.execPath,
  [
    VITEST, 'run', '--project', chosen.provider === 'containers' ? 'e2e-containers' : 'e2e',
    '--reporter=default', '--reporter=junit', `--outputFile.junit=${junit}`,
    `--reporter=${path.join(REPO_ROOT, 'helpers/report/reporter.ts')}`,
    ...vitestArgs,
  ],
  {
    cwd: REPO_ROOT,
    env: { ...env, TMPDIR: runTmp, E2E_REPORTS_DIR: dir, E2E_RUN_ID: runId, E2E_JOB_LEDGER: ledger, ...(live ? { E2E_CLEANUP_BY_RUNNER: '1' } : {}), FORCE_COLOR: process.stdout.isTTY ? '1' : '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // a process group of its own: the deadline stops vitest and its workers together
  },
);
// Everything vitest prints passes through the redactor (this process's output is redacted too).
for (const [stream, sink] of [[vitest.stdout!, process.stdout], [vitest.stderr!, process.stderr]] as const) {
  createInterface({ input: stream }).on('line', (line) => sink.write(`${redact(line, secrets)}\n`));
}
const stopVitest = (signal: NodeJS.Signals) => {
  try {
    process.kill(-vitest.pid!, signal);
  } catch {
    /* already gone */
  }
};
let stoppedBy: string | undefined;
const stop = (why: string) => {
  if (stoppedBy) return;
  stoppedBy = why;
  stopVitest('SIGTERM');
  setTimeout(() => stopVitest('SIGKILL'), 3_000).unref();
};
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => stop(signal));
// The deadline counts from the start of this command (the preflight included).
const deadline = live ? setTimeout(() => stop('deadline'), Math.max(0, startedAt + deadlineMs - Date.now())) : undefined;
const code: number = await new Promise((resolve) => vitest.on('close', (c) => resolve(c ?? 1)));
clearTimeout(deadline);
if (stoppedBy === 'deadline') out(`\ne2e ${target}: the run passed its deadline (E2E_DEADLINE_S=${profile.E2E_DEADLINE_S}) and was stopped`);

// The run's rows on a live target: wait (bounded) for unfinished jobs, delete them all, name what is left.
let cleanup: CleanupReport | undefined;
if (live) {
  const { url, via } = cleanupConnection(profile);
  const boundMs = 30_000;
  cleanup = await Promise.race([
    cleanupRun({ runId, databaseUrl: url, via, ledger: readLedger(ledger), waitMs: stoppedBy ? 5_000 : 15_000 }),
    new Promise<CleanupReport>((resolve) =>
      setTimeout(() => resolve({ runId, via, removed: { jobs: 0, executions: 0 }, removedUnfinished: 0, waitedMs: 0, durationMs: boundMs, left: (readLedger(ledger) ?? []).map((j) => ({ id: j.id, why: `the cleanup did not finish within ${boundMs / 1000} s` })) }), boundMs).unref(),
    ),
  ]);
  out(`e2e ${target}: cleanup: ${describeCleanup(cleanup)}`);
}

if (existsSync(junit)) writeFileSync(junit, redact(readFileSync(junit, 'utf8'), secrets));
const resultsFile = path.join(dir, 'results.json');
let results = existsSync(resultsFile) && readFileSync(resultsFile, 'utf8').trim() ? (JSON.parse(readFileSync(resultsFile, 'utf8')) as RunResults) : undefined;
if (stoppedBy === 'deadline' || (stoppedBy && !results)) {
  // What ran before the stop, from the reporter's progress file.
  const events = existsSync(path.join(dir, PROGRESS_FILE))
    ? readFileSync(path.join(dir, PROGRESS_FILE), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as TestRecord | { running: string })
    : [];
  const tests = events.filter((e): e is TestRecord => 'state' in e);
  const running = [...events].reverse().find((e): e is { running: string } => 'running' in e)?.running;
  const why =
    stoppedBy === 'deadline'
      ? `the run did not finish within E2E_DEADLINE_S=${profile.E2E_DEADLINE_S} s and was stopped${running ? ` while suite ${running} ran` : ''}; ${tests.length} checks had finished (listed), the rest did not run. A target that hangs or answers slowly ends this way: each call waits at most 10 s, and the run as a whole no longer than the deadline`
      : `the run was stopped (${stoppedBy})`;
  results = {
    verdict: stoppedBy === 'deadline' ? 'deadline exceeded' : 'checks failed',
    target,
    provider: profile.E2E_PROVIDER,
    apiUrl: profile.API_URL,
    finishedAt: new Date().toISOString(),
    durationMs: Date.now() - startedAt,
    expected: { commit: profile.EXPECTED_COMMIT, branch: profile.EXPECTED_BRANCH },
    counts: {
      passed: tests.filter((t) => t.state === 'passed').length,
      failed: tests.filter((t) => t.state === 'failed').length,
      skipped: tests.filter((t) => t.state === 'skipped').length,
    },
    tests,
    problems: [why],
  };
}
if (!results) {
  if (cleanup) report({ verdict: 'checks failed', target, provider: profile.E2E_PROVIDER, apiUrl: profile.API_URL, finishedAt: new Date().toISOString(), counts: { passed: 0, failed: 0, skipped: 0 }, tests: [], problems: [`the run broke before any check ran (vitest exit ${code})`], runId, cleanup });
  process.stderr.write(`e2e ${target}: the run broke before any check ran (vitest exit ${code}); see the output above\n`);
  process.exit(code === 2 ? 2 : 4);
}
report({ ...results, runId, cleanup });
out(`reports: ${path.relative(process.cwd(), dir) || '.'}/junit.xml, results.json, summary.md`);
if (results.verdict === 'deadline exceeded') process.exit(EXIT_CODES['deadline exceeded']);
process.exit(results.verdict === 'pass' && code === 0 ? 0 : EXIT_CODES['checks failed']);
