import { describe, expect, it } from 'vitest';
import { releaseMismatch, staleWorkers } from '../helpers/diagnose/release.ts';

const full = '2e854657852ad652ddab345a39437f1adb2721ff';

describe('release diagnosis', () => {
  it('matches a short expected commit against the full deployed one', () => {
    expect(releaseMismatch('API', { commit: '2e85465', branch: 'main' }, { commit: full, branch: 'main' })).toBeUndefined();
  });

  it('another branch: both values side by side, and the branch setting named as the cause', () => {
    const text = releaseMismatch('API', { commit: '2e85465', branch: 'main' }, { commit: '0badc0de1234', branch: 'old-feature' })!;
    expect(text).toContain('API runs another release than expected');
    expect(text).toMatch(/commit\s+2e85465\s+0badc0de1234/);
    expect(text).toMatch(/branch\s+main\s+old-feature/);
    expect(text).toContain('deploys from branch "old-feature", not "main"');
  });

  it('same branch, other commit: an old build is still live', () => {
    expect(releaseMismatch('worker w1', { commit: 'aaaaaaa' }, { commit: full, branch: 'main' })).toMatch(/an older build is still live/);
  });

  it('no identity at all: an old build that does not read the variables', () => {
    expect(releaseMismatch('API', { commit: 'aaaaaaa' }, { commit: 'unknown', branch: 'unknown' })).toMatch(/reports no release identity/);
  });

  it('workers: fresh enough passes, stale or none fails naming the freshest', () => {
    expect(staleWorkers([{ id: 'w1', ageMs: 900 }, { id: 'w2', ageMs: 50_000 }], 5_000)).toBeUndefined();
    expect(staleWorkers([{ id: 'w2', ageMs: 50_000 }], 5_000)).toMatch(/^no worker heartbeat fresher than 5.0 s \(the freshest is w2, 50.0 s old\): no worker is running/);
    expect(staleWorkers([], 5_000)).toMatch(/the API reports none/);
    // Any implementation: a fresh heartbeat row with a stale age means stalled, whatever its output says.
    expect(staleWorkers([{ id: 'w1', ageMs: 9_000, beatAgeMs: 300, output: 'slots busy' }], 5_000)).toMatch(/workers are alive but not consuming jobs/);
    expect(staleWorkers([{ id: 'w1', ageMs: 9_000, beatAgeMs: 9_000 }], 5_000)).toMatch(/no worker is running/);
    const stuck = staleWorkers([{ id: 'w1', ageMs: 9_000, output: 'alive but not consuming: every slot has been busy for 9 s' }], 5_000)!;
    expect(stuck).toMatch(/workers are alive but not consuming jobs/);
    expect(stuck).not.toMatch(/no worker is running/);
  });
});
