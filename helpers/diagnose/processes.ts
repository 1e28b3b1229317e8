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

/** A line that names an error: a config error, an uncaught exception's message, a fatal log line. */
const ERROR_LINE = /config error|\b(error|exception|fatal|panic|giving up|unhandled|traceback)\b|^[\w.]*(Error|Exception)\b/i;
/** A stack frame or a source excerpt, which names no cause by itself. */
const NOISE = /^\s+at |^\s*\^+\s*$|^\s*(File ".*", line \d+|\d+\s*\|)|^Node\.js v\d/;

/**
 * The last line of a log that names the error, for a diagnosis that can only point at the log: a
 * crashed service ends with a stack trace, whose last lines (frames, the runtime's version) would
 * cut the cause off. Undefined when no line names one.
 */
export function logCause(file: string | undefined): string | undefined {
  if (!file || !existsSync(file)) return undefined;
  const lines = readFileSync(file, 'utf8').trimEnd().split('\n').filter((l) => l.trim() && !NOISE.test(l));
  for (let i = lines.length - 1; i >= 0; i--) if (ERROR_LINE.test(lines[i]!)) return lines[i]!.trim().slice(0, 500);
  return undefined;
}

/** Why a stopped service stopped, from its log: the line naming the error, then the log's last lines. */
export function exitDiagnosis(name: string, file: string | undefined): string {
  const cause = logCause(file);
  return `${name} is not running; ${cause ? `its log names the error: ${cause}\nits log ends with:` : 'its log ends with:'}\n${logTail(file)}`;
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
