import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/stack/repo-root.ts';
import { IllegalTransition, isTerminal, JOB_EVENTS, nextState } from '../services/shared/job-states.ts';

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

// The model is worth testing only if the worker holds the store to it: every event the worker
// causes goes through Worker.agree, which logs an error when the SQL moved a job elsewhere.
describe('the worker consults the model', () => {
  const source = readFileSync(path.join(REPO_ROOT, 'services/worker/worker.ts'), 'utf8');
  const calls = [...source.matchAll(/this\.agree\(([^;]*?)\);/g)].map((m) => m[1]!);

  it('for every transition it causes: claim, succeed, fail, release, lease-expired', () => {
    const events = new Set(calls.flatMap((c) => [...c.matchAll(/'([a-z-]+)'/g)].map((m) => m[1]!)).filter((e) => (JOB_EVENTS as readonly string[]).includes(e)));
    expect([...events].sort()).toEqual([...JOB_EVENTS].sort());
  });

  it('and agree() compares the stored state with nextState', () => {
    const agree = source.slice(source.indexOf('private agree('));
    expect(agree.slice(0, agree.indexOf('\n  }\n'))).toMatch(/nextState\(\{ state: from, attempts: job\.attempts, maxAttempts: job\.max_attempts \}, event\)[\s\S]*stored !== expected[\s\S]*this\.log\.error/);
  });
});
