// Runs a service to completion (a migration, a boot that must fail): its exit code and what it
// printed. Killed, with its process group, when it outlives its time.
import { ManagedProcess } from '../managed-process.ts';
import type { ServiceLaunch } from '../services.ts';
import { serviceProcess } from './node-service.ts';

export interface RunOnceResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  lines: string[];
  output: string;
}

export async function runOnce(options: { name: string; launch: ServiceLaunch; env: Record<string, string>; logFile: string; timeoutMs: number; onLine?: (line: string) => void }): Promise<RunOnceResult> {
  const lines: string[] = [];
  const proc: ManagedProcess = serviceProcess({ ...options, onLine: (l) => (lines.push(l), options.onLine?.(l)) }).start();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void proc.kill('SIGKILL');
  }, options.timeoutMs);
  await proc.waitForExit();
  clearTimeout(timer);
  return { code: proc.exitCode, signal: proc.exitSignal, timedOut, lines, output: lines.join('\n') };
}
