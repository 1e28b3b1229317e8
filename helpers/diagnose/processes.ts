// Looking at a local service process from outside, as a person would with ps, ss and its log:
// is it alive, what does its log end with, which ports does it listen on.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';

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

/** The process and every process of its group (a `sh -c` wrapper's service is in the wrapper's group). */
export function groupPids(pid: number): number[] {
  const pids = new Set([pid]);
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        // Field 5 of /proc/<pid>/stat is the process group; the command (field 2) may hold spaces.
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        if (Number(fields[2]) === pid) pids.add(Number(entry));
      } catch {
        /* gone meanwhile */
      }
    }
  } catch {
    /* no /proc: the process alone */
  }
  return [...pids];
}

/** TCP addresses the process (or its group) listens on (from `ss`), e.g. ["127.0.0.1:8000"]; [] when unknown. */
export function listeningAddresses(pid: number): string[] {
  try {
    const out = execFileSync('ss', ['-ltnpH'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const pids = groupPids(pid);
    return out
      .split('\n')
      .filter((line) => pids.some((p) => line.includes(`pid=${p},`)))
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
