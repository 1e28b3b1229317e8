// The one way this repo loads testcontainers: its environment is set first, in whatever process
// imports it (the stack's global setup, or a test worker starting a container of its own).
import type * as Testcontainers from 'testcontainers';

// No reaper container: it would have to be pulled from a registry. Cleanup is ours (cleanup.ts).
process.env.TESTCONTAINERS_RYUK_DISABLED = 'true';
// Mapped ports are reached on loopback. Inside a container (a /.dockerenv, as on many CI
// machines) testcontainers would otherwise use the Docker bridge's gateway address: not ours to
// talk to, and there a port published by a process bound to 127.0.0.1 inside its container is
// refused instead of being accepted by docker-proxy, so a port wait never ends.
process.env.TESTCONTAINERS_HOST_OVERRIDE ??= '127.0.0.1';

let loaded: Promise<typeof Testcontainers> | undefined;

export function loadTestcontainers(): Promise<typeof Testcontainers> {
  loaded ??= (async () => {
    const tc = await import('testcontainers');
    // The first start of a process takes a file lock to set up its (disabled) reaper; starts
    // made side by side before that each wait for the lock, which is polled with a back-off:
    // three containers started together came up one after another, about half a second apart.
    // Set up once, first.
    await tc.getReaper(await tc.getContainerRuntimeClient());
    return tc;
  })();
  return loaded;
}

/**
 * A wait strategy that waits for nothing, for a container whose readiness the caller checks itself:
 * a port strategy would wait for a port that, by design, may never answer from outside.
 */
export class NoWait implements Testcontainers.WaitStrategy {
  private startupTimeoutMs = 60_000;
  async waitUntilReady(): Promise<void> {}
  withStartupTimeout(ms: number): this {
    this.startupTimeoutMs = ms;
    return this;
  }
  isStartupTimeoutSet(): boolean {
    return false;
  }
  getStartupTimeout(): number {
    return this.startupTimeoutMs;
  }
}
