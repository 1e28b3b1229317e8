import { describe, expect, it } from 'vitest';
import { releaseFromEnv, sameCommit } from '../services/shared/release.ts';

describe('release identity', () => {
  it('prefers the platform variables (RENDER_GIT_*) over GIT_*', () => {
    expect(releaseFromEnv({ RENDER_GIT_COMMIT: 'abc1234', RENDER_GIT_BRANCH: 'main', GIT_COMMIT: 'fff0000', GIT_BRANCH: 'dev' })).toEqual({
      commit: 'abc1234', branch: 'main', commitSource: 'RENDER_GIT_COMMIT', branchSource: 'RENDER_GIT_BRANCH',
    });
  });

  it('falls back to GIT_COMMIT / GIT_BRANCH, ignoring empty platform values', () => {
    expect(releaseFromEnv({ RENDER_GIT_COMMIT: '  ', GIT_COMMIT: 'def5678', GIT_BRANCH: 'release/1' })).toMatchObject({
      commit: 'def5678', commitSource: 'GIT_COMMIT', branch: 'release/1', branchSource: 'GIT_BRANCH',
    });
  });

  it('reports an unknown identity as unknown, never invents one', () => {
    expect(releaseFromEnv({})).toEqual({ commit: 'unknown', branch: 'unknown', commitSource: 'unset', branchSource: 'unset' });
  });

  it('a short expected commit matches its full form, case-insensitively', () => {
    const full = '2e854657852ad652ddab345a39437f1adb2721ff';
    expect(sameCommit('2e85465', full)).toBe(true);
    expect(sameCommit('2E854657852AD652', full)).toBe(true);
    expect(sameCommit(full, full)).toBe(true);
    expect(sameCommit('2e85466', full)).toBe(false);
    expect(sameCommit('2e85', full)).toBe(false); // too short to be a commit
    expect(sameCommit('unknown', full)).toBe(false);
  });
});
