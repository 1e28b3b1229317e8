// Starts an extra API or worker process next to the stack, for checks that need a service
// configured differently (bad settings, an unreachable database). Stopped by the test; also
// covered by the stack's cleanup on Ctrl-C and exit.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inject, vi } from 'vitest';
import { freePort } from './ports.ts';
import type { ManagedProcess } from './stack/managed-process.ts';
import { nodeService } from './stack/processes/node-service.ts';

export interface ExtraService {
  url: string;
  process: ManagedProcess;
  logFile: string;
  stop(): Promise<void>;
}

let counter = 0;

/** Next to the stack's logs, so they are kept with them and removed with the run directory. */
function logPath(name: string): string {
  const dir = inject('stack').logDir ?? mkdtempSync(path.join(os.tmpdir(), 'e2e-extra-'));
  return path.join(dir, `extra-${name}-${process.pid}-${++counter}.log`);
}

/** Runs a service to completion (for boot failures): exit code and everything it printed. */
export async function runServiceUntilExit(entry: 'api' | 'worker', env: Record<string, string>, timeoutMs = 15_000) {
  const lines: string[] = [];
  const proc = nodeService({ name: `${entry}-boot`, entry: `services/${entry}/main.ts`, env: { API_HOST: '127.0.0.1', ...env }, logFile: logPath(entry), onLine: (l) => lines.push(l) }).start();
  const timer = setTimeout(() => void proc.kill('SIGKILL'), timeoutMs);
  await proc.waitForExit();
  clearTimeout(timer);
  return { code: proc.exitCode, signal: proc.exitSignal, output: lines.join('\n'), lines };
}

/**
 * Starts an API with `env` and waits until it listens. The port is `env[portVariable]` when
 * given, else a free one set in that variable (PORT, or API_PORT to test the fallback).
 */
export async function spawnExtraApi(env: Record<string, string>, portVariable: 'PORT' | 'API_PORT' = 'PORT'): Promise<ExtraService> {
  const port = env[portVariable] || String(await freePort());
  const logFile = logPath('api-extra');
  const proc = nodeService({
    name: 'api-extra', entry: 'services/api/main.ts',
    env: { API_HOST: '127.0.0.1', GIT_COMMIT: 'extra', GIT_BRANCH: 'extra', ...env, [portVariable]: port },
    logFile,
  }).start();
  const url = `http://127.0.0.1:${port}`;
  await vi.waitFor(
    async () => {
      if (proc.exitReason) throw new Error(`extra API exited: ${proc.exitReason}`);
      await fetch(`${url}/health/live`, { signal: AbortSignal.timeout(1_000) });
    },
    { timeout: 15_000, interval: 50 },
  );
  return { url, process: proc, logFile, stop: () => proc.stop(5_000) };
}
