// deploy: does the target run the code it should? The API's release identity and every live
// worker's heartbeat are compared with EXPECTED_COMMIT / EXPECTED_BRANCH (for a local stack: the
// release it was started with), and some worker must have beaten recently.
import { describe, expect, inject, it } from 'vitest';
import { ApiClient } from '../helpers/api-client.ts';
import { healthReportSchema } from '../helpers/contract.ts';
import { releaseMismatch, staleWorkers, workerBeats } from '../helpers/diagnose/release.ts';
import { linesSince, logOffsets, poolerIncompatibilities } from '../helpers/diagnose/log-scan.ts';
import { diagnoseConnectError } from '../helpers/diagnose/connect-error.ts';
import { readFileSync } from 'node:fs';
import { containerRunning, exitDiagnosis, isAlive, listeningAddresses } from '../helpers/diagnose/processes.ts';
import { newRunId } from '../helpers/jobs.ts';
import { vi } from 'vitest';
import { addMeta } from '../helpers/report/meta.ts';
import { CAPABILITY_REASONS } from '../helpers/skip.ts';

const stack = inject('stack');
const profile = inject('profile');
const api = new ApiClient(stack.apiUrl);
const expected = {
  commit: profile.EXPECTED_COMMIT ?? (stack.services ? stack.release.commit : undefined),
  branch: profile.EXPECTED_BRANCH ?? (stack.services ? stack.release.branch : undefined),
};

async function health() {
  const res = await api.request('GET', '/health');
  const parsed = healthReportSchema.safeParse(res.body);
  if (!parsed.success) throw new Error(`/health answered ${res.status} without the contract's shape: ${res.text.slice(0, 300)}`);
  return parsed.data;
}

describe('deployed revision', () => {
  it('the API runs the expected commit and branch [S-release]', async ({ task, skip }) => {
    const report = await health();
    addMeta(task, {
      release: [{ who: 'api', expectedCommit: expected.commit, deployedCommit: report.releaseId, expectedBranch: expected.branch, deployedBranch: report.branch }],
    });
    if (!expected.commit && !expected.branch) skip('no EXPECTED_COMMIT / EXPECTED_BRANCH and no CI commit variable: nothing to compare with');
    const mismatch = releaseMismatch('the API', expected, { commit: report.releaseId, branch: report.branch });
    if (mismatch) addMeta(task, { diagnosis: [mismatch] });
    expect(mismatch, mismatch).toBeUndefined();
  });

  it('every live worker runs the expected commit and branch [S-release]', async ({ task, skip }) => {
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

  it('every live worker writes a new heartbeat within E2E_HEARTBEAT_MAX_AGE_MS [W-heartbeat]', async ({ task, skip }) => {
    const bound = profile.E2E_HEARTBEAT_MAX_AGE_MS;
    // When each worker last beat, as the API saw it: its age subtracted from the time of the
    // request, which is known only to within the request's round trip. A beat counts as new only
    // when its earliest possible time is after the latest possible time of the first one: on a
    // busy machine a slow first request and a fast later one would otherwise pass for a new beat.
    const beats = async () => {
      const sent = Date.now();
      const checks = (await health()).checks['worker:heartbeat'];
      const answered = Date.now();
      return workerBeats(checks).map((w) => {
        const age = w.beatAgeMs ?? w.ageMs;
        return { id: w.id, earliest: sent - age, latest: answered - age };
      });
    };
    const first = await beats();
    if (first.length === 0) skip('no live worker (the heartbeat check reports that)');
    const since = Date.now();
    const renewed = new Set<string>();
    try {
      await vi.waitFor(
        async () => {
          for (const w of await beats()) {
            const before = first.find((f) => f.id === w.id);
            if (before && w.earliest > before.latest) renewed.add(w.id);
          }
          if (first.some((f) => !renewed.has(f.id))) throw new Error('waiting for a new beat');
        },
        { timeout: bound, interval: 100 },
      );
    } catch {
      const silent = first.filter((f) => !renewed.has(f.id)).map((f) => `${f.id} (last beat ${((Date.now() - f.latest) / 1000).toFixed(1)} s ago)`);
      const diagnosis = `no new heartbeat within ${bound} ms (E2E_HEARTBEAT_MAX_AGE_MS) from ${silent.join(', ')}: a worker must beat every WORKER_HEARTBEAT_MS, and it beats less often or only at start`;
      addMeta(task, { diagnosis: [diagnosis] });
      expect.fail(diagnosis);
    }
    addMeta(task, { figures: { 'every worker beat again within (ms)': Date.now() - since } });
  });

  it('a worker heartbeat is fresher than E2E_HEARTBEAT_MAX_AGE_MS', async ({ task }) => {
    const beats = workerBeats((await health()).checks['worker:heartbeat']);
    addMeta(task, { figures: { 'live workers': beats.length, 'freshest heartbeat (ms)': beats.length ? Math.min(...beats.map((b) => b.ageMs)) : 'none' } });
    const stale = staleWorkers(beats, profile.E2E_HEARTBEAT_MAX_AGE_MS);
    if (stale) addMeta(task, { diagnosis: [stale] });
    expect(stale, stale).toBeUndefined();
  });
});

describe('what the services print', () => {
  // Everything the API and the workers printed so far, as the stack captured it (any implementation).
  it("the services' logs never contain a password or key of the stack [L-no-passwords]", ({ task, skip }) => {
    const services = ['api', ...stack.workers].filter((name) => stack.logFiles[name]);
    if (!stack.capabilities.serviceLogs || services.length === 0) skip(CAPABILITY_REASONS.serviceLogs);
    const leaks: string[] = [];
    for (const name of services) {
      const lines = readFileSync(stack.logFiles[name]!, 'utf8').split('\n');
      lines.forEach((line, i) => {
        const found = stack.secrets.filter((secret) => line.includes(secret));
        if (found.length) leaks.push(`${name} log line ${i + 1}: ${found.reduce((l, s) => l.split(s).join('***'), line).slice(0, 300)}`);
      });
    }
    const diagnosis = `a service log shows a secret of the stack (masked here); URLs must be logged with their password masked:\n${leaks.slice(0, 5).join('\n')}`;
    if (leaks.length) addMeta(task, { diagnosis: [diagnosis] });
    expect(leaks, diagnosis).toEqual([]);
  });
});

describe('the stack as deployed', () => {
  it('every service process is up (one that exited shows why, from its log)', ({ task, skip }) => {
    if (!stack.pids && !stack.containers) skip('no process view of a live target: its platform\'s deploy log shows crashed services');
    const down = stack.pids
      ? Object.entries(stack.pids).filter(([, pid]) => !isAlive(pid))
      : Object.entries(stack.containers!).filter(([, id]) => !containerRunning(id));
    // The line naming the error first: a crash's stack trace would cut it off the log's tail.
    const reasons = down.map(([name]) => exitDiagnosis(name, stack.logFiles[name]));
    if (reasons.length) addMeta(task, { diagnosis: reasons });
    expect(down.map(([name]) => name), reasons.join('\n')).toEqual([]);
  });

  it('the API answers on the port the platform gives it (PORT) [S-port]', async ({ task, skip }) => {
    if (!stack.services) skip('on a live target the run\'s preflight checks this (exit code 3)');
    const port = new URL(stack.apiUrl).port;
    const answered = await fetch(`${stack.apiUrl}/health/live`, { signal: AbortSignal.timeout(3_000) }).then(
      (r) => r.status === 200,
      () => false,
    );
    if (answered) return;
    const pid = stack.pids?.api;
    const elsewhere = pid && isAlive(pid) ? listeningAddresses(pid) : [];
    const diagnosis =
      pid && isAlive(pid)
        ? `the API process runs but nothing answers on port ${port} (PORT, where the platform sends traffic)` +
          (elsewhere.length ? `; it listens on ${elsewhere.join(', ')} instead` : '') +
          ': it ignores PORT (code from before PORT support, or it reads API_PORT first) or binds another address'
        : `nothing answers on port ${port} and the API process is not running (see the check above)`;
    addMeta(task, { diagnosis: [diagnosis] });
    expect(answered, diagnosis).toBe(true);
  });

  it('workers claim jobs without database errors [P-no-named]', async ({ task, skip }) => {
    const live = (await health()).checks['worker:heartbeat'].filter((h) => h.componentId);
    if (live.length === 0) skip('no live worker (the heartbeat check reports that)');
    const since = Date.now();
    // Where the captured logs end now: any implementation's pooler errors show in Postgres's log,
    // the pooler's or the workers' own output, whatever its /health says.
    const offsets = logOffsets(stack.logFiles);
    const runId = newRunId('claim-errors');
    // A burst of jobs makes every worker slot claim, on many pooled connections at once.
    await Promise.all(Array.from({ length: 50 }, (_, i) => api.createJob({ type: 'echo', payload: { i }, runId })));
    // Then wait for a heartbeat from every worker written after the burst began.
    const workers = await vi.waitFor(
      async () => {
        const entries = (await health()).checks['worker:heartbeat'].filter((h) => h.componentId);
        const waited = Date.now() - since;
        if (entries.some((h) => (h as { beatAgeMs?: number }).beatAgeMs! > waited - 100)) throw new Error('waiting for a fresh heartbeat');
        return entries as (typeof entries[number] & { lastError?: string; lastErrorAgeMs?: number })[];
      },
      { timeout: 15_000, interval: 100 },
    );
    const failing = workers.filter((w) => w.lastError && (w.lastErrorAgeMs ?? Infinity) <= Date.now() - since);
    const diagnoses = failing.map((w) => {
      const d = diagnoseConnectError({ message: w.lastError }, { host: 'the pooler', port: 0, user: '' });
      return `worker ${w.componentId}: ${w.lastError}\n  cause: ${d.cause}\n  fix: ${d.fix}`;
    });
    const logged = poolerIncompatibilities(linesSince(stack.logFiles, offsets));
    if (logged.length) {
      const d = diagnoseConnectError({ message: logged[0]!.replace(/^[^:]+: /, '') }, { host: 'the pooler', port: 0, user: '' });
      diagnoses.push(`the stack's logs show database errors since the burst:\n  ${logged.join('\n  ')}\n  cause: ${d.cause}\n  fix: ${d.fix}`);
    }
    if (diagnoses.length) addMeta(task, { diagnosis: diagnoses });
    expect([...failing.map((w) => w.componentId), ...logged], diagnoses.join('\n')).toEqual([]);
  });
});
