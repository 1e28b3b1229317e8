// Nothing is left running: every process a stack starts is registered here and stopped
//   - on a normal stop (the stack's own stop()),
//   - on Ctrl-C / SIGTERM (async teardown, then exit 130/143),
//   - on process exit by any path (synchronous SIGKILL of what is still registered),
//   - on a hard crash of this process (SIGKILL, OOM): a detached watchdog shell notices our pid is
//     gone and kills what is listed in its pid file, then removes the run directory.
import { spawn } from 'node:child_process';
import { appendFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

type Teardown = () => Promise<void>;

const teardowns = new Set<Teardown>();
const livePids = new Set<number>();
let exitHookInstalled = false;
let signalHooksInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pid of livePids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  });
}

/** Only a process that owns a stack handles signals; a test worker leaves them to its runner. */
function installSignalHooks(): void {
  if (signalHooksInstalled) return;
  signalHooksInstalled = true;
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) {
    process.once(signal, () => {
      if (teardowns.size === 0) {
        // Nothing of ours is running: let the signal do what it would have done without us.
        process.kill(process.pid, signal);
        return;
      }
      process.stderr.write(`\n${signal}: stopping the stack…\n`);
      const all = [...teardowns].map((t) => t().catch(() => undefined));
      // A second Ctrl-C, or a stuck teardown, still ends us; the exit handler kills the rest.
      setTimeout(() => process.exit(code), 15_000).unref();
      void Promise.all(all).finally(() => process.exit(code));
    });
  }
}

export function registerTeardown(teardown: Teardown): () => void {
  installExitHook();
  installSignalHooks();
  teardowns.add(teardown);
  return () => teardowns.delete(teardown);
}

export function trackPid(pid: number): () => void {
  installExitHook();
  livePids.add(pid);
  return () => livePids.delete(pid);
}

/**
 * The label every container of a stack carries, naming its network: a container that runs in
 * another's network namespace has no endpoint on the network, so only the label finds it.
 */
export const NETWORK_LABEL = 'pooler-queue-e2e.network';

/**
 * Starts a detached watchdog that outlives us only to clean up after a crash. `pidFile` lists the
 * process group ids to kill (one per line, appended as services start). Returns a function that
 * dismisses the watchdog after a clean stop.
 */
export function startWatchdog(
  pidFile: string,
  runDir: string,
): { addPid(pid: number): void; addContainer(id: string): void; addNetwork(id: string): void; dismiss(): void } {
  writeFileSync(pidFile, '');
  // Containers and networks of the run are listed next to the pid file, removed the same way; a
  // network's containers too (attached to it, or labelled with it), listed or not.
  const script = `
    while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done
    [ -s "$2/containers" ] && docker rm -fv $(cat "$2/containers") >/dev/null 2>&1
    for n in $(cat "$2/networks" 2>/dev/null); do
      ids="$(docker network inspect -f '{{range $id, $c := .Containers}}{{$id}} {{end}}' "$n" 2>/dev/null) $(docker ps -aq --filter "label=${NETWORK_LABEL}=$n" 2>/dev/null)"
      ids=$(echo $ids)
      [ -n "$ids" ] && docker rm -fv $ids >/dev/null 2>&1
      docker network rm "$n" >/dev/null 2>&1
    done
    for p in $(cat "$1"); do kill -TERM -- "-$p" 2>/dev/null; kill -TERM "$p" 2>/dev/null; done
    sleep 3
    for p in $(cat "$1"); do kill -KILL -- "-$p" 2>/dev/null; kill -KILL "$p" 2>/dev/null; done
    rm -rf -- "$2"`;
  const child = spawn('bash', ['-c', script, 'watchdog', pidFile, runDir], { detached: true, stdio: 'ignore' });
  child.unref();
  return {
    addPid: (pid) => appendFileSync(pidFile, `${pid}\n`),
    addContainer: (id) => appendFileSync(path.join(runDir, 'containers'), `${id}\n`),
    addNetwork: (id) => appendFileSync(path.join(runDir, 'networks'), `${id}\n`),
    dismiss: () => {
      try {
        process.kill(child.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
    },
  };
}
