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
