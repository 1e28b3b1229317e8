// Alive but not consuming: a worker whose handler hangs keeps its process up and keeps beating,
// so only its progress shows it. /health turns warn, then fail (503), within the thresholds.
import { describe, expect, it, vi } from 'vitest';
import { ApiClient } from '../../helpers/api-client.ts';
import { healthReportSchema } from '../../helpers/contract.ts';
import { newRunId } from '../../helpers/jobs.ts';
import { FAST_FAILURE_ENV, useOwnStack } from '../../helpers/own-stack.ts';
import { addMeta } from '../../helpers/report/meta.ts';

const own = useOwnStack({ label: 'stuck-worker', workers: 1, serviceEnv: { WORKER_CONCURRENCY: '1' } });
const WARN = Number(FAST_FAILURE_ENV.HEALTH_HEARTBEAT_WARN_MS);
const FAIL = Number(FAST_FAILURE_ENV.HEALTH_HEARTBEAT_FAIL_MS);

describe('a worker that is alive but not consuming', () => {
  it('/health goes warn, then fail, while the process stays up and jobs done stop moving [H-stalled-ages] [H-thresholds] [H-status] [H-worst]', async ({ task }) => {
    const { endpoints, control } = own.stack;
    const api = new ApiClient(endpoints.apiUrl);
    const hung = await api.createJob({ type: 'sleep', payload: { ms: 600_000 }, runId: newRunId('hang') });
    await vi.waitFor(async () => expect((await api.getJob(hung.id)).state).toBe('running'), { timeout: 10_000, interval: 20 });
    const hungAt = Date.now();

    const worker = async () => {
      const res = await api.request('GET', '/health');
      const report = healthReportSchema.parse(res.body);
      return { http: res.status, overall: report.status, check: report.checks['worker:heartbeat'][0]! };
    };
    const warned = await vi.waitFor(
      async () => {
        const w = await worker();
        if (w.check.status === 'pass') {
          const b = (w.check as { beatAgeMs?: number }).beatAgeMs;
          throw new Error(`/health still says pass ${Date.now() - hungAt} ms after every slot hung (observedValue ${String(w.check.observedValue)} ms, beatAgeMs ${b} ms, HEALTH_HEARTBEAT_WARN_MS=${WARN}): a worker alive but not consuming must age`);
        }
        return { ...w, at: Date.now() - hungAt };
      },
      { timeout: WARN * 3, interval: 50 },
    );
    expect(warned.check.status, 'warn comes before fail').toBe('warn');
    expect(warned.http, '/health must answer 200 while its status is warn').toBe(200);
    // CONTRACT.md asks for an output saying why; its wording is the implementation's.
    expect(warned.check.output, 'a warn entry says why').toEqual(expect.any(String));
    if (own.stack.endpoints.capabilities.referenceServices) expect(warned.check.output).toMatch(/alive but not consuming/);

    const failed = await vi.waitFor(
      async () => {
        const w = await worker();
        if (w.check.status !== 'fail') throw new Error(`/health still says ${w.check.status} ${Date.now() - hungAt} ms after every slot hung, past HEALTH_HEARTBEAT_FAIL_MS=${FAIL} (observedValue ${String(w.check.observedValue)} ms): the fail threshold is not applied`);
        return { ...w, at: Date.now() - hungAt };
      },
      { timeout: FAIL * 3, interval: 50 },
    );
    expect(failed.overall, 'the overall status must be the worst of the checks (worker:heartbeat is fail)').toBe('fail');
    expect(failed.http, '/health answers 503 on fail').toBe(503);
    expect(failed.check.jobsDone, 'jobs done stopped moving').toBe(warned.check.jobsDone);
    expect(control.running(endpoints.workers[0]!), 'the process is still up').toBe(true);
    expect((failed.check as { beatAgeMs?: number }).beatAgeMs, 'it still beats').toBeLessThan(WARN);

    addMeta(task, { figures: { 'stuck worker: warn after (ms)': warned.at, 'stuck worker: fail after (ms)': failed.at } });
    console.log(`stuck worker: /health warn after ${warned.at} ms, fail (503) after ${failed.at} ms (thresholds ${WARN} / ${FAIL} ms); the process stayed up`);
  });
});
