// `npm run e2e` (target local) and `npm run e2e:staging` (or any target: E2E_TARGET, or the first
// argument). Validates the profile, checks that a live target answers at all, runs the e2e
// suites, and writes JUnit, JSON and Markdown reports under reports/ (E2E_REPORTS_DIR).
//
// Exit codes: 0 all checks passed · 1 checks failed · 2 profile invalid · 3 target unreachable
//             4 the run itself broke (the suite's own error)
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { networkCode } from '../helpers/api-client.ts';
import { apiNetworkHint, liveStatusDiagnosis } from '../helpers/diagnose/api.ts';
import { loadProfile, profileDir, ProfileError } from '../helpers/profile.ts';
import { redact } from '../helpers/redact.ts';
import { EXIT_CODES, reportsDir, writeResults, type RunResults } from '../helpers/report/results.ts';
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
  out(`reports written to ${path.relative(process.cwd(), reportsDir(env)) || '.'}/`);
  process.exit(EXIT_CODES[verdict]);
}

/** Does a live target answer at all? /health/live has no dependencies: anything but 200 means no. */
async function preflight(apiUrl: string): Promise<string | undefined> {
  const url = new URL('/health/live', apiUrl);
  let lastCause = '';
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
      return liveStatusDiagnosis(url.origin, res.status);
    } catch (error) {
      lastCause = networkCode(error);
      if (!['ECONNRESET', 'EAI_AGAIN', 'UND_ERR_SOCKET', 'EPIPE'].includes(lastCause)) break;
      out(`preflight: ${lastCause}, retry ${attempt}/2`);
    }
  }
  return `GET ${url.href} failed (${lastCause}): ${apiNetworkHint(lastCause, 10_000)}`;
}

let profile: Profile;
try {
  profile = loadProfile(target, env, profileDir(env)).profile;
} catch (error) {
  if (error instanceof ProfileError) stopEarly('profile invalid', error.problems, []);
  throw error;
}
const secrets = profileSecrets(profile);

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
for (const stale of ['results.json', 'summary.md', 'junit.xml']) if (existsSync(path.join(dir, stale))) writeFileSync(path.join(dir, stale), '');
const vitest = spawn(
  process.execPath,
  [
    path.join(REPO_ROOT, 'node_modules/vitest/vitest.mjs'), 'run', '--project', chosen.provider === 'containers' ? 'e2e-containers' : 'e2e',
    '--reporter=default', '--reporter=junit', `--outputFile.junit=${junit}`,
    `--reporter=${path.join(REPO_ROOT, 'helpers/report/reporter.ts')}`,
    ...vitestArgs,
  ],
  { cwd: REPO_ROOT, env: { ...env, E2E_REPORTS_DIR: dir, FORCE_COLOR: process.stdout.isTTY ? '1' : '0' }, stdio: ['ignore', 'pipe', 'pipe'] },
);
// Everything vitest prints passes through the redactor: no secret reaches the console.
for (const [stream, sink] of [[vitest.stdout!, process.stdout], [vitest.stderr!, process.stderr]] as const) {
  createInterface({ input: stream }).on('line', (line) => sink.write(`${redact(line, secrets)}\n`));
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => vitest.kill(signal));
const code: number = await new Promise((resolve) => vitest.on('close', (c) => resolve(c ?? 1)));

if (existsSync(junit)) writeFileSync(junit, redact(readFileSync(junit, 'utf8'), secrets));
const resultsFile = path.join(dir, 'results.json');
const results = existsSync(resultsFile) && readFileSync(resultsFile, 'utf8').trim() ? (JSON.parse(readFileSync(resultsFile, 'utf8')) as RunResults) : undefined;
if (!results) {
  process.stderr.write(`e2e ${target}: the run broke before any check ran (vitest exit ${code}); see the output above\n`);
  process.exit(code === 2 ? 2 : 4);
}
out(`\n${readFileSync(path.join(dir, 'summary.md'), 'utf8')}`);
out(`reports: ${path.relative(process.cwd(), dir) || '.'}/junit.xml, results.json, summary.md`);
process.exit(results.verdict === 'pass' && code === 0 ? 0 : EXIT_CODES['checks failed']);
