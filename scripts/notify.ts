// `pooler-queue-e2e notify` (or `tsx scripts/notify.ts`): after a scheduled check, POST what changed
// to a webhook: "failing" when the target starts failing (or fails for another reason), "recovered"
// when it passes again. The state between runs is one small JSON file (--state) that the monitoring
// workflow carries from one run to the next (.github/workflows/monitor.yml keeps it in the Actions
// cache). Payload shape: helpers/notify.ts.
//
// Exit codes: 0 delivered, or nothing new to say, or no webhook configured (the payload is printed)
//             1 the webhook did not take it (its HTTP status, a timeout or a network error, named);
//               the state is left as it was, so the next run says it again
//             2 bad usage (an unknown flag, unreadable results or state)
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { decide, displayWebhook, postWebhook, resultsFromExitCode, webhookSecrets, type MonitorState } from '../helpers/notify.ts';
import { envSecrets, redact, redactProcessOutput, urlSecrets } from '../helpers/redact.ts';
import type { RunResults } from '../helpers/report/results.ts';

const HELP = `pooler-queue-e2e notify: POST a run's verdict to a webhook when it changes

flags:
  --results FILE      the check's results.json (default reports/results.json)
  --exit-code N       the check's exit code, used when it wrote no results (a broken run)
  --target NAME       the target's name when there are no results (default $E2E_TARGET, else staging)
  --state FILE        the previous run's state, read and then rewritten (default monitor-state.json)
  --webhook-url URL   where to POST (default $E2E_WEBHOOK_URL); none: print the payload only
  --run-url URL       link to this run (default: the GitHub Actions run, from GITHUB_* variables)
  --timeout-ms N      bound of the POST, answer included (default 10000)

sends: "failing" when the status turns failing or fails for another reason, "recovered" when it passes again
exit codes: 0 delivered / nothing to say / no webhook · 1 the webhook did not take it (state kept) · 2 bad usage
`;

const FLAGS = ['--results', '--exit-code', '--target', '--state', '--webhook-url', '--run-url', '--timeout-ms'] as const;
type Flag = (typeof FLAGS)[number];

function usage(message: string): never {
  process.stderr.write(`notify: ${message}\nrun with --help for the flags\n`);
  process.exit(2);
}

const argv = process.argv.slice(2);
if (argv.includes('--help') || argv.includes('-h')) {
  process.stdout.write(HELP);
  process.exit(0);
}
const flags: Partial<Record<Flag, string>> = {};
for (let i = 0; i < argv.length; i++) {
  const arg = argv[i]!;
  const eq = arg.indexOf('=');
  const flag = (eq > 0 ? arg.slice(0, eq) : arg) as Flag;
  if (!FLAGS.includes(flag)) usage(`unknown flag ${flag}`);
  const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
  if (value === undefined) usage(`${flag} needs a value`);
  flags[flag] = value;
}

const env = process.env;
const webhookUrl = (flags['--webhook-url'] ?? env.E2E_WEBHOOK_URL ?? '').trim();
if (webhookUrl && !/^https?:\/\//i.test(webhookUrl)) usage('--webhook-url: expected an http:// or https:// URL');
const timeoutMs = Number(flags['--timeout-ms'] ?? 10_000);
if (!Number.isInteger(timeoutMs) || timeoutMs < 100 || timeoutMs > 120_000) usage('--timeout-ms: expected an integer from 100 to 120000');
const secrets = [...envSecrets(), ...(webhookUrl ? webhookSecrets(webhookUrl) : [])];
redactProcessOutput(() => secrets);

const resultsFile = path.resolve(flags['--results'] ?? 'reports/results.json');
let results: RunResults;
if (existsSync(resultsFile) && readFileSync(resultsFile, 'utf8').trim()) {
  try {
    results = JSON.parse(readFileSync(resultsFile, 'utf8')) as RunResults;
    if (!results.verdict || !Array.isArray(results.tests)) throw new Error('not a results.json (no verdict or tests)');
  } catch (error) {
    usage(`--results ${resultsFile}: ${(error as Error).message}`);
  }
} else {
  const code = flags['--exit-code'];
  if (code === undefined || !/^\d+$/.test(code)) usage(`no results at ${resultsFile}, and no --exit-code to tell what happened`);
  results = resultsFromExitCode(flags['--target'] ?? env.E2E_TARGET ?? 'staging', Number(code));
}
secrets.push(...urlSecrets(results.apiUrl));

const stateFile = path.resolve(flags['--state'] ?? 'monitor-state.json');
let previous: MonitorState | undefined;
if (existsSync(stateFile)) {
  try {
    previous = JSON.parse(readFileSync(stateFile, 'utf8')) as MonitorState;
    if (previous.status !== 'passing' && previous.status !== 'failing') throw new Error('no status');
  } catch (error) {
    // A damaged state is not worth failing the alert for: treat it as no state.
    process.stdout.write(`notify: ignoring the state in ${stateFile} (${(error as Error).message})\n`);
    previous = undefined;
  }
}

const runUrl = flags['--run-url'] ?? (env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID ? `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}` : undefined);
const decision = decide(results, previous, { runUrl, secrets });
const saveState = () => {
  mkdirSync(path.dirname(stateFile), { recursive: true });
  writeFileSync(stateFile, `${JSON.stringify(decision.next, null, 2)}\n`);
};
process.stdout.write(`notify: ${results.target}: ${decision.reason}\n`);
if (!decision.payload) {
  saveState();
  process.exit(0);
}
if (!webhookUrl) {
  process.stdout.write(`notify: no webhook configured (E2E_WEBHOOK_URL); the payload would be:\n${redact(JSON.stringify(decision.payload, null, 2), secrets)}\n`);
  saveState();
  process.exit(0);
}
const delivery = await postWebhook(webhookUrl, decision.payload, { timeoutMs, secrets });
if (delivery.ok) {
  process.stdout.write(`notify: sent "${decision.payload.status}" to ${displayWebhook(webhookUrl)}: ${delivery.status} in ${delivery.ms} ms\n`);
  saveState();
  process.exit(0);
}
process.stderr.write(`notify: "${decision.payload.status}" was not delivered to ${displayWebhook(webhookUrl)}: ${delivery.error} (after ${delivery.ms} ms); the state is kept, so the next run says it again\n`);
process.exit(1);
