// Retry delay: exponential in the attempt number, capped, with "equal jitter" (half fixed, half
// random) so that many jobs failing together do not retry in lockstep, yet never retry at once.

export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

/** Delay before the attempt after `attempt` (1-based) failed. `random` is injectable for tests. */
export function retryDelayMs(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  if (!Number.isInteger(attempt) || attempt < 1) throw new RangeError(`attempt must be an integer >= 1, got ${attempt}`);
  const exponential = Math.min(policy.maxMs, policy.baseMs * 2 ** (attempt - 1));
  const half = exponential / 2;
  return Math.round(half + random() * half);
}
