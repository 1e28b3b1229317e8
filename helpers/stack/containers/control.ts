// Control over a container stack's services, for the resilience suites: the same verbs as for
// native processes (kill, signal, stop, start, wait for exit), through the Docker CLI. Host ports
// are fixed when the stack starts, so a service started again keeps its address; each start
// waits for the service's own readiness check (a query, an HTTP 200, a fresh heartbeat row).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { StackControl } from '../types.ts';

const docker = promisify(execFile);

/**
 * `hosts`: services whose network namespace others run in (by name). Stopping one would leave
 * those without a network while they still count as running, so it is refused with the reason.
 */
export function containerControl(
  ids: Record<string, string>,
  readiness: Record<string, (since: Date) => Promise<unknown>>,
  hosts: Record<string, string[]> = {},
): StackControl {
  const mayStop = (name: string) => {
    const guests = hosts[name] ?? [];
    if (guests.length) throw new Error(`${name} cannot be stopped here: ${guests.join(', ')} run in its container's network namespace and would be cut off from the network`);
  };
  // What we did to each container; `docker inspect` on every `running()` call would be slow in
  // the tight loops of the crash checks.
  const up = new Map(Object.keys(ids).map((name) => [name, true]));
  const exits = new Map<string, Promise<number | null>>();
  const id = (name: string) => {
    const found = ids[name];
    if (!found) throw new Error(`no service "${name}" in this stack; it has ${Object.keys(ids).join(', ')}`);
    return found;
  };
  /** `docker wait` once per incarnation: the exit code, when the container stops. */
  const exited = (name: string) => {
    let waiting = exits.get(name);
    if (!waiting) {
      waiting = docker('docker', ['wait', id(name)]).then(
        ({ stdout }) => {
          up.set(name, false);
          const code = Number(stdout.trim());
          // 128 + n: ended by signal n, as a shell reports it; null like a signalled process.
          return code > 128 ? null : code;
        },
        () => null,
      );
      exits.set(name, waiting);
    }
    return waiting;
  };
  for (const name of Object.keys(ids)) void exited(name);

  return {
    async kill(name, signal = 'SIGKILL') {
      mayStop(name);
      await docker('docker', ['kill', `--signal=${signal}`, id(name)]).catch(() => undefined);
      await exited(name);
    },
    signal(name, signal) {
      mayStop(name);
      void docker('docker', ['kill', `--signal=${signal}`, id(name)]).catch(() => undefined);
    },
    async waitForExit(name) {
      return exited(name);
    },
    async stop(name) {
      mayStop(name);
      await docker('docker', ['stop', '--time', '10', id(name)]);
      await exited(name);
    },
    async start(name) {
      if (up.get(name)) throw new Error(`${name} is already running`);
      const since = new Date(Date.now() - 1_000); // the heartbeat's clock is the database's
      await docker('docker', ['start', id(name)]);
      up.set(name, true);
      exits.delete(name);
      void exited(name);
      await readiness[name]?.(since);
    },
    running: (name) => up.get(name) ?? false,
    async incarnation(name) {
      const { stdout } = await docker('docker', ['inspect', '-f', '{{.State.StartedAt}}', id(name)]);
      return stdout.trim();
    },
  };
}
