// The one waiting helper: poll a probe until it succeeds or a deadline passes, then fail with the
// probe's last error so the message says what never became true. Used by the stack (outside
// vitest) and by tests; inside tests expect.poll / vi.waitFor work too.

export class WaitTimeout extends Error {}

export interface WaitOptions {
  /** What is being waited for, for the error message. */
  what: string;
  timeoutMs: number;
  intervalMs?: number;
  /** Stop early (e.g. the process being waited on has exited). Return a reason to abort. */
  abortIf?: () => string | undefined;
}

export async function waitUntil<T>(probe: () => Promise<T | undefined | false>, options: WaitOptions): Promise<T> {
  const started = Date.now();
  const interval = options.intervalMs ?? 50;
  let lastError = 'the condition was never met';
  for (;;) {
    const aborted = options.abortIf?.();
    if (aborted) throw new WaitTimeout(`${options.what}: ${aborted}`);
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value as T;
    } catch (error) {
      lastError = (error as Error).message;
    }
    if (Date.now() - started >= options.timeoutMs) {
      throw new WaitTimeout(`${options.what}: not ready after ${options.timeoutMs} ms (last: ${lastError})`);
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}

/**
 * The opposite of waiting: checks that `check` keeps passing for `durationMs` (e.g. readiness
 * stays 503 while the pooler is down), probing every `intervalMs`. Fails at the first probe that
 * does not hold, with its message. Returns how many probes ran.
 */
export async function holdsFor(durationMs: number, intervalMs: number, check: () => Promise<void>): Promise<number> {
  const until = Date.now() + durationMs;
  let probes = 0;
  while (Date.now() < until) {
    await check();
    probes++;
    await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, Math.max(0, until - Date.now()))));
  }
  return probes;
}
