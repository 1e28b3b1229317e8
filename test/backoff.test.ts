import { describe, expect, it } from 'vitest';
import { retryDelayMs } from '../services/shared/backoff.ts';

const policy = { baseMs: 100, maxMs: 1_000 };

describe('retry backoff', () => {
  it('doubles with each attempt, between half and all of the exponential delay', () => {
    expect(retryDelayMs(1, policy, () => 0)).toBe(50);
    expect(retryDelayMs(1, policy, () => 1)).toBe(100);
    expect(retryDelayMs(2, policy, () => 0)).toBe(100);
    expect(retryDelayMs(3, policy, () => 1)).toBe(400);
  });

  it('is capped at maxMs', () => {
    expect(retryDelayMs(20, policy, () => 1)).toBe(1_000);
    expect(retryDelayMs(20, policy, () => 0)).toBe(500);
  });

  it('is jittered: many draws spread over the range, never zero', () => {
    const draws = Array.from({ length: 200 }, () => retryDelayMs(3, policy));
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(200);
    expect(Math.max(...draws)).toBeLessThanOrEqual(400);
    expect(new Set(draws).size).toBeGreaterThan(20);
  });

  it('rejects a non-positive attempt', () => {
    expect(() => retryDelayMs(0, policy)).toThrow(/attempt must be an integer >= 1/);
  });
});
