// Starts an extra API or worker process next to the stack, for checks that need a service
// configured differently (bad settings, an unreachable database): the same services the stack
// runs (the reference ones, or yours by command). Stopped by the test; also covered by the
// stack's cleanup on Ctrl-C and exit.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inject, vi } from 'vitest';
import { freePort } from './ports.ts';
import type { ManagedProcess } from './stack/managed-process.ts';
import { serviceProcess } from './stack/processes/node-service.ts';
import { runOnce } from './stack/processes/run-once.ts';
import { processLaunch, type ServicesSpec } from './stack/services.ts';

export interface ExtraService {
  url: string;
  process: ManagedProcess;
  logFile: string;
  stop(): Promise<void>;
}

let counter = 0;

/** Next to the stack's logs, so they are kept with them and removed with the run directory. */
function logPath(name: string): string {
  const stack = inject('stack');
  const dir = stack.logDir ?? stack.scratchDir ?? mkdtempSync(path.join(os.tmpdir(), 'e2e-extra-'));
  return path.join(dir, `extra-${name}-${process.pid}-${++counter}.log`);
}

/** The services the shared stack runs; the processes provider starts them by hand. */
function stackServices(): ServicesSpec {
  return inject('stack').services ?? { kind: 'reference' };
}

/**
 * The reference services' test-only defect switches of the run (npm run mutants sets E2E_DEFECTS for
 * the run): an extra service is the stack's service, mistakes included. Never for your own services.
 */
function runDefects(): Record<string, string> {
  const defects = process.env.E2E_DEFECTS?.trim();
  return defects && inject('stack').capabilities.referenceServices ? { E2E_DEFECTS: defects } : {};
}

/** Runs a service to completion (for boot failures): exit code and everything it printed. */
export async function runServiceUntilExit(role: 'api' | 'worker', env: Record<string, string>, timeoutMs = 15_000) {
  const r = await runOnce({ name: `${role}-boot`, launch: processLaunch(stackServices(), role), env: { API_HOST: '127.0.0.1', ...runDefects(), ...env }, logFile: logPath(role), timeoutMs });
  return { code: r.code, signal: r.signal, output: r.output, lines: r.lines };
}

/**
 * Starts an API with `env` and waits until it listens. The port is `env[portVariable]` when
 * given, else a free one set in that variable (PORT, or API_PORT to test the fallback).
 */
export async function spawnExtraApi(env: Record<string, string>, portVariable: 'PORT' | 'API_PORT' = 'PORT'): Promise<ExtraService> {
  const port = env[portVariable] || String(await freePort());
  const logFile = logPath('api-extra');
  const proc = serviceProcess({
    name: 'api-extra', launch: processLaunch(stackServices(), 'api'),
    env: { API_HOST: '127.0.0.1', RENDER_GIT_COMMIT: 'extra', RENDER_GIT_BRANCH: 'extra', ...runDefects(), ...env, [portVariable]: port },
    logFile,
  }).start();
  const url = `http://127.0.0.1:${port}`;
  try {
    await vi.waitFor(
      async () => {
        if (proc.exitReason) throw new Error(`extra API exited: ${proc.exitReason}`);
        await fetch(`${url}/health/live`, { signal: AbortSignal.timeout(1_000) });
      },
      { timeout: 15_000, interval: 50 },
    );
  } catch (error) {
    // Never an orphan: an API that did not come up is stopped before the error reaches the test.
    await proc.stop(5_000);
    throw error;
  }
  return { url, process: proc, logFile, stop: () => proc.stop(5_000) };
}
