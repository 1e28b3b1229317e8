// Suites on the shared stack take turns; suites with stacks of their own (suites/resilience) run
// beside them. The e2e project runs several files at once so that the resilience files, which
// mostly wait on leases and thresholds, overlap; but the shared-stack suites read each other's
// rows and time jobs on the same workers, so they must not overlap each other. A lock directory
// per shared stack (mkdir is atomic) gives each file its turn; a lock left by a crashed worker
// is taken over once its owner's process is gone.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, inject } from 'vitest';
import { waitUntil } from '../wait.ts';

/** Long enough for every other shared-stack file to have its turn first. */
const TURN_WAIT_MS = 15 * 60_000;

/**
 * Files that need no turn: the resilience suites (a stack of their own each), and files that only
 * read the shared stack's /health and start processes or containers of their own (config's boot
 * checks, containers' binding checks): they write no job and time none.
 */
function runsBesideOthers(file: string): boolean {
  const f = file.split(path.sep).join('/');
  return f.includes('/suites/resilience/') || f.endsWith('/suites/config.e2e.test.ts') || f.endsWith('/suites/containers.e2e.test.ts');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function tryTake(dir: string): boolean {
  try {
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'owner'), String(process.pid));
    return true;
  } catch {
    // Taken: by a live file, or left behind by a worker that died mid-file.
    const owner = Number(readFileSyncSafe(path.join(dir, 'owner')));
    if (owner && !alive(owner)) rmSync(dir, { recursive: true, force: true });
    return false;
  }
}

function readFileSyncSafe(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

let held: string | undefined;

// eslint-disable-next-line no-empty-pattern -- vitest wants the fixtures first, the suite second.
beforeAll(async ({}, suite) => {
  const file = (suite as { filepath?: string }).filepath ?? (suite as { file?: { filepath?: string } }).file?.filepath ?? '';
  const stack = inject('stack');
  if (!stack || runsBesideOthers(file)) return;
  // Inside the stack's own run directory, so it goes with the stack (its stop, or the watchdog
  // after a crash); the temporary path keyed by the API URL is for endpoints made by hand.
  const key = createHash('sha256').update(stack.apiUrl).digest('hex').slice(0, 16);
  const runDir = stack.scratchDir ?? (stack.logDir && path.dirname(stack.logDir));
  const dir = runDir ? path.join(runDir, 'shared-stack.turn') : path.join(os.tmpdir(), `e2e-shared-stack-${key}.turn`);
  await waitUntil(async () => tryTake(dir), { what: `a turn on the shared stack for ${path.basename(file)}`, timeoutMs: TURN_WAIT_MS, intervalMs: 50 });
  held = dir;
}, TURN_WAIT_MS + 10_000);

afterAll(() => {
  if (held) rmSync(held, { recursive: true, force: true });
  held = undefined;
});
