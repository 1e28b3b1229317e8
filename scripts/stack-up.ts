// `npm run stack:up`: starts the local stack and keeps it running for a person. Prints URLs and
// connection strings (passwords masked), streams every service's log prefixed by its name, and
// tears everything down on Ctrl-C.
import { execFileSync, spawn } from 'node:child_process';
import path from 'node:path';
import { redact, redactProcessOutput } from '../helpers/redact.ts';

// Everything this command prints passes through the one redactor (the environment's secrets, URL
// passwords by shape), whatever prints it.
redactProcessOutput();
import { startProcessStack } from '../helpers/stack/processes/index.ts';
import { REPO_ROOT } from '../helpers/stack/processes/node-service.ts';
import { findScenario, SCENARIOS, type Scenario } from '../scenarios/index.ts';
import { loadProfile, profileDir } from '../helpers/profile.ts';
import { chooseStack, ProviderUnavailable, type StackChoice } from '../helpers/stack/index.ts';
import { describeServices } from '../helpers/stack/services.ts';

// Options: --list (the scenarios and their stories), --scenario NAME (start the stack broken).
const args = process.argv.slice(2);
if (args.includes('--list')) {
  for (const s of SCENARIOS) console.log(`${s.name}\n  ${s.story}\n`);
  process.exit(0);
}
const at = args.indexOf('--scenario');
const scenarioName = at >= 0 ? args[at + 1] : undefined;
if (at >= 0 && !scenarioName) {
  console.error(`stack:up: --scenario needs a name: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  process.exit(2);
}
let scenario: Scenario | undefined;
try {
  scenario = scenarioName ? findScenario(scenarioName) : undefined;
} catch (error) {
  console.error(`stack:up: ${(error as Error).message.replace('E2E_SCENARIO: ', '')}`);
  process.exit(2);
}

// A scenario that needs its own network (direct-ipv6) runs this script again inside a fresh
// network namespace, and removes the namespace when it ends.
if (scenario?.netnsHosts && !process.env.E2E_IN_NETNS) {
  if (process.getuid?.() !== 0) {
    console.error(`stack:up: scenario ${scenario.name} needs root to create a network namespace`);
    process.exit(2);
  }
  const ns = `e2eup-${process.pid}`;
  const netns = path.join(REPO_ROOT, 'scripts/netns.sh');
  execFileSync('bash', [netns, 'create', ns, ...scenario.netnsHosts]);
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '--import', 'tsx', ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, E2E_IN_NETNS: '1' },
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
  child.on('close', (code) => {
    execFileSync('bash', [netns, 'delete', ns]);
    process.exit(code ?? 1);
  });
} else {
  await main();
}

async function main(): Promise<void> {

const COLORS = ['\x1b[36m', '\x1b[33m', '\x1b[35m', '\x1b[32m', '\x1b[34m', '\x1b[31m'];
const color = new Map<string, string>();
const tty = process.stdout.isTTY;
let secrets: string[] = [];

function prefix(service: string): string {
  if (!color.has(service)) color.set(service, COLORS[color.size % COLORS.length]!);
  const label = service.padEnd(13);
  return tty ? `${color.get(service)}${label}\x1b[0m|` : `${label}|`;
}

const scenarioOptions = typeof scenario?.stack === 'function' ? await scenario.stack() : scenario?.stack;
if (scenario) console.log(`scenario ${scenario.name}: ${scenario.story}\n`);
// The provider as for `npm run e2e` (E2E_PROVIDER, auto by default); scenarios break a native stack.
let provider: StackChoice;
try {
  const profile = loadProfile(process.env.E2E_TARGET ?? 'local', process.env, profileDir()).profile;
  if (profile.E2E_PROVIDER === 'external') throw new ProviderUnavailable('E2E_PROVIDER=external: stack:up starts a local stack; use processes, containers or auto');
  provider = scenario ? { provider: 'processes', reason: 'scenarios run on native processes', services: { kind: 'reference' } } : chooseStack(profile);
} catch (error) {
  console.error(`stack:up: ${(error as Error).message}`);
  process.exit(2);
}
console.log(`stack: provider ${provider.provider} (${provider.reason}); services: ${describeServices(provider.services!)}`);
const startFor = provider.provider === 'containers' ? (await import('../helpers/stack/containers/index.ts')).startContainerStack : startProcessStack;
const stack = await startFor({
  services: provider.services,
  ...scenarioOptions,
  label: 'stack-up',
  onProgress: (m) => console.log(`stack: ${m}`),
  onLogLine: (service, line) => console.log(`${prefix(service)} ${redact(line, secrets)}`),
}).catch((error: Error) => {
  console.error(`stack: failed to start: ${redact(error.message)}`);
  process.exit(1);
});
secrets = stack.endpoints.secrets;
if (scenario?.after) await scenario.after(stack as Awaited<ReturnType<typeof startProcessStack>>);
const e = stack.endpoints;
console.log(
  [
    '',
    `stack ready in ${(e.readyMs / 1000).toFixed(1)} s (provider: ${e.provider}, release ${e.release.commit.slice(0, 12)} on ${e.release.branch})`,
    `  API            ${e.apiUrl}   (try ${e.apiUrl}/health)`,
    `  pooler URL     ${redact(e.poolerUrl ?? '-')}   (the services' DATABASE_URL; transaction mode)`,
    `  direct URL     ${redact(e.directUrl ?? '-')}`,
    `  mock external  ${e.mockUrl ?? '-'}`,
    `  workers        ${e.workers.join(', ')}`,
    `  logs           ${Object.values(e.logFiles)[0]?.replace(/[^/]+$/, '') ?? '-'}`,
    ...(scenario ? [`  scenario       ${scenario.name} (the checks meant to catch it: ${scenario.detect.check.source})`] : []),
    'Press Ctrl-C to stop and remove everything.',
    '',
  ].join('\n'),
);
// Ctrl-C is handled by the stack's cleanup (helpers/stack/cleanup.ts): it stops every service
// and exits. Until then, stay alive.
setInterval(() => undefined, 1 << 30);
}
