// A step that must end within a stated bound: the work gets an AbortSignal that fires at the
// bound, and the step settles by then whatever the work does (a DNS lookup cannot be cancelled,
// so it is abandoned rather than awaited).

export class BoundExceeded extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(readonly what: string, readonly boundMs: number) {
    super(`${what}: no answer within ${boundMs} ms`);
  }
}

export async function withinBound<T>(boundMs: number, what: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new BoundExceeded(what, boundMs);
      controller.abort(error);
      reject(error);
    }, boundMs);
  });
  try {
    return await Promise.race([work(controller.signal), expired]);
  } finally {
    clearTimeout(timer);
  }
}
