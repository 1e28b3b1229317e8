// Looking at a local service process from outside, as a person would with ps, ss and its log:
// is it alive, what does its log end with, which ports does it listen on.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function logTail(file: string | undefined, lines = 5): string {
  if (!file || !existsSync(file)) return '(no log)';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/** TCP addresses the process listens on (from `ss`), e.g. ["127.0.0.1:8000"]; [] when unknown. */
export function listeningAddresses(pid: number): string[] {
  try {
    const out = execFileSync('ss', ['-ltnpH'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return out
      .split('\n')
      .filter((line) => line.includes(`pid=${pid},`))
      .map((line) => line.trim().split(/\s+/)[3]!)
      .filter(Boolean);
  } catch {
    return [];
  }
}

export function containerRunning(id: string): boolean {
  try {
    return execFileSync('docker', ['inspect', '-f', '{{.State.Running}}', id], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() === 'true';
  } catch {
    return false;
  }
}
