import { describe, expect, it } from 'vitest';
import { IllegalTransition, isTerminal, nextState } from '../services/shared/job-states.ts';

describe('job state transitions', () => {
  const job = (state: Parameters<typeof nextState>[0]['state'], attempts: number, maxAttempts = 3) => ({ state, attempts, maxAttempts });

  it.each([
    [job('queued', 0), 'claim', 'running'],
    [job('retrying', 1), 'claim', 'running'],
    [job('running', 1), 'succeed', 'succeeded'],
    [job('running', 1), 'fail', 'retrying'],
    [job('running', 3), 'fail', 'dead'],
    [job('running', 1), 'release', 'queued'],
    [job('running', 2), 'release', 'retrying'],
    [job('running', 1), 'lease-expired', 'running'],
    [job('running', 3), 'lease-expired', 'dead'],
  ] as const)('%o --%s--> %s', (from, event, to) => {
    expect(nextState(from, event)).toBe(to);
  });

  it.each([
    [job('succeeded', 1), 'claim'],
    [job('dead', 3), 'fail'],
    [job('queued', 0), 'succeed'],
    [job('retrying', 1), 'release'],
  ] as const)('refuses %o --%s-->', (from, event) => {
    expect(() => nextState(from, event)).toThrow(IllegalTransition);
  });

  it('succeeded and dead are terminal, nothing else is', () => {
    expect(['queued', 'running', 'retrying', 'succeeded', 'dead'].filter((s) => isTerminal(s as never))).toEqual(['succeeded', 'dead']);
  });
});
