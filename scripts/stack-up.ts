// `npm run stack:up`: starts the local stack and keeps it running for a person. Prints URLs and
// connection strings (passwords masked), streams every service's log prefixed by its name, and
// tears everything down on Ctrl-C.
import { redact } from '../helpers/redact.ts';
import { startProcessStack } from '../helpers/stack/processes/index.ts';

const COLORS = ['\x1b[36m', '\x1b[33m', '\x1b[35m', '\x1b[32m', '\x1b[34m', '\x1b[31m'];
const color = new Map<string, string>();
const tty = process.stdout.isTTY;
let secrets: string[] = [];

function prefix(service: string): string {
  if (!color.has(service)) color.set(service, COLORS[color.size % COLORS.length]!);
  const label = service.padEnd(13);
  return tty ? `${color.get(service)}${label}\x1b[0m|` : `${label}|`;
}

const stack = await startProcessStack({
  label: 'stack-up',
  onProgress: (m) => console.log(`stack: ${m}`),
  onLogLine: (service, line) => console.log(`${prefix(service)} ${redact(line, secrets)}`),
}).catch((error: Error) => {
  console.error(`stack: failed to start: ${redact(error.message)}`);
  process.exit(1);
});
secrets = stack.endpoints.secrets;
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
    'Press Ctrl-C to stop and remove everything.',
    '',
  ].join('\n'),
);
// Ctrl-C is handled by the stack's cleanup (helpers/stack/cleanup.ts): it stops every service
// and exits. Until then, stay alive.
setInterval(() => undefined, 1 << 30);
