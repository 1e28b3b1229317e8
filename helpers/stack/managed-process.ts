// A child process with its output captured line by line into a log file (and optionally a
// callback), its exit remembered, and a stop() that escalates from a polite signal to SIGKILL.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { trackPid } from './cleanup.ts';

export interface ManagedProcessOptions {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  logFile: string;
  /** Run as this uid/gid (Postgres and PgBouncer refuse root). */
  uid?: number;
  gid?: number;
  onLine?: (line: string) => void;
  /** The signal that asks this program to stop cleanly (Postgres: SIGINT = fast shutdown). */
  stopSignal?: NodeJS.Signals;
  /** Signal the whole process group on stop (a shell that wraps the real service). */
  signalGroup?: boolean;
}

export class ManagedProcess {
  readonly name: string;
  private child?: ChildProcess;
  private log?: WriteStream;
  private exited?: Promise<void>;
  private untrack?: () => void;
  exitCode: number | null = null;
  exitSignal: NodeJS.Signals | null = null;
  private tail: string[] = [];

  constructor(private readonly options: ManagedProcessOptions) {
    this.name = options.name;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.exitCode === null && this.exitSignal === null;
  }

  /** Why the process is not running, for readiness errors; undefined while it runs. */
  get exitReason(): string | undefined {
    if (this.running || !this.child) return undefined;
    const how = this.exitSignal ? `signal ${this.exitSignal}` : `code ${this.exitCode}`;
    return `${this.name} exited with ${how}; last output:\n${this.tail.slice(-15).join('\n')}`;
  }

  start(): this {
    const o = this.options;
    this.log = createWriteStream(o.logFile, { flags: 'a' });
    this.exitCode = null;
    this.exitSignal = null;
    const child = spawn(o.command, o.args, {
      cwd: o.cwd,
      env: o.env,
      uid: o.uid,
      gid: o.gid,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Own process group, so Ctrl-C in a terminal reaches us first and we stop children in order.
      detached: true,
    });
    this.child = child;
    child.on('error', (error) => this.onLine(`[spawn error] ${error.message}`));
    if (child.pid) this.untrack = trackPid(child.pid);
    for (const stream of [child.stdout!, child.stderr!]) {
      let buffered = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        buffered += chunk;
        const lines = buffered.split('\n');
        buffered = lines.pop()!;
        lines.forEach((l) => this.onLine(l));
      });
      stream.on('end', () => buffered && this.onLine(buffered));
    }
    this.exited = new Promise((resolve) =>
      child.on('close', (code, signal) => {
        this.exitCode = code;
        this.exitSignal = signal;
        this.untrack?.();
        this.log?.end();
        resolve();
      }),
    );
    return this;
  }

  private onLine(line: string): void {
    this.tail.push(line);
    if (this.tail.length > 200) this.tail.shift();
    this.log?.write(`${line}\n`);
    this.options.onLine?.(line);
  }

  /** Sends `signal` (default: the program's clean-stop signal); SIGKILL after `timeoutMs`. */
  async stop(timeoutMs = 10_000, signal: NodeJS.Signals = this.options.stopSignal ?? 'SIGTERM'): Promise<void> {
    if (!this.running || !this.child?.pid) return;
    try {
      process.kill(this.options.signalGroup ? -this.child.pid : this.child.pid, signal);
    } catch {
      return;
    }
    const timer = setTimeout(() => this.kill('SIGKILL'), timeoutMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** Sends `signal` and returns at once (to the process group when a shell wraps the service). */
  signal(signal: NodeJS.Signals): void {
    if (!this.running || !this.child?.pid) throw new Error(`${this.name} is not running`);
    process.kill(this.options.signalGroup ? -this.child.pid : this.child.pid, signal);
  }

  /** Sends a signal at once (SIGKILL for crash tests). Resolves when the process has exited. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (!this.running || !this.child?.pid) return;
    try {
      // The whole group: a wrapper's children must not outlive it.
      process.kill(-this.child.pid, signal);
    } catch {
      try {
        process.kill(this.child.pid, signal);
      } catch {
        /* gone */
      }
    }
    await this.exited;
  }

  async waitForExit(): Promise<void> {
    await this.exited;
  }
}
