// deploy: does the target run the code it should? The API's release identity and every live
// worker's heartbeat are compared with EXPECTED_COMMIT / EXPECTED_BRANCH (for a local stack: the
// release it was started with), and some worker must have beaten recently.
import { describe, expect, inject, it } from 'vitest';
import { ApiClient } from '../helpers/api-client.ts';
import { healthReportSchema } from '../helpers/contract.ts';
import { releaseMismatch, staleWorkers } from '../helpers/diagnose/release.ts';
import { addMeta } from '../helpers/report/meta.ts';

const stack = inject('stack');
const profile = inject('profile');
const api = new ApiClient(stack.apiUrl);
const expected = {
  commit: profile.EXPECTED_COMMIT ?? (stack.provider === 'external' ? undefined : stack.release.commit),
  branch: profile.EXPECTED_BRANCH ?? (stack.provider === 'external' ? undefined : stack.release.branch),
};

async function health() {
  const res = await api.request('GET', '/health');
  const parsed = healthReportSchema.safeParse(res.body);
  if (!parsed.success) throw new Error(`/health answered ${res.status} without the contract's shape: ${res.text.slice(0, 300)}`);
  return parsed.data;
}

describe('deployed revision', () => {
  it('the API runs the expected commit and branch', async ({ task, skip }) => {
    const report = await health();
    addMeta(task, {
      release: [{ who: 'api', expectedCommit: expected.commit, deployedCommit: report.releaseId, expectedBranch: expected.branch, deployedBranch: report.branch }],
    });
    if (!expected.commit && !expected.branch) skip('no EXPECTED_COMMIT / EXPECTED_BRANCH and no CI commit variable: nothing to compare with');
    const mismatch = releaseMismatch('the API', expected, { commit: report.releaseId, branch: report.branch });
    if (mismatch) addMeta(task, { diagnosis: [mismatch] });
    expect(mismatch, mismatch).toBeUndefined();
  });

  it('every live worker runs the expected commit and branch', async ({ task, skip }) => {
    const workers = (await health()).checks['worker:heartbeat'].filter((h) => h.componentId);
    addMeta(task, {
      release: workers.map((w) => ({
        who: `worker ${w.componentId}`, expectedCommit: expected.commit, deployedCommit: w.releaseId ?? 'unknown', expectedBranch: expected.branch, deployedBranch: w.branch ?? 'unknown',
      })),
    });
    if (!expected.commit && !expected.branch) skip('no EXPECTED_COMMIT / EXPECTED_BRANCH and no CI commit variable: nothing to compare with');
    if (workers.length === 0) skip('no live worker to compare (the heartbeat check reports that)');
    const mismatches = workers
      .map((w) => releaseMismatch(`worker ${w.componentId}`, expected, { commit: w.releaseId ?? 'unknown', branch: w.branch ?? 'unknown' }))
      .filter((m): m is string => m !== undefined);
    if (mismatches.length) addMeta(task, { diagnosis: mismatches });
    expect(mismatches, mismatches.join('\n')).toEqual([]);
  });

  it('a worker heartbeat is fresher than E2E_HEARTBEAT_MAX_AGE_MS', async ({ task }) => {
    const beats = (await health()).checks['worker:heartbeat']
      .filter((h) => h.componentId && typeof h.observedValue === 'number')
      .map((h) => ({ id: h.componentId!, ageMs: h.observedValue as number }));
    addMeta(task, { figures: { 'live workers': beats.length, 'freshest heartbeat (ms)': beats.length ? Math.min(...beats.map((b) => b.ageMs)) : 'none' } });
    const stale = staleWorkers(beats, profile.E2E_HEARTBEAT_MAX_AGE_MS);
    if (stale) addMeta(task, { diagnosis: [stale] });
    expect(stale, stale).toBeUndefined();
  });
});
