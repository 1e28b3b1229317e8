import { ApiClient } from '../helpers/api-client.ts';
import { waitUntil } from '../helpers/wait.ts';
import { defineScenario } from './types.ts';

export default defineScenario({
  name: 'worker-stuck',
  story:
    'A worker\'s HTTP call to a partner API had no timeout. When the partner stalled, every worker slot hung on it: ' +
    'the process stayed up and kept its heartbeat, the queue grew, and only the count of finished jobs stopped moving.',
  stack: { workers: 1, workerEnv: { WORKER_CONCURRENCY: '1' } },
  // The job checks cannot pass on a worker that never finishes: each waits its full timeout, so a
  // short one (1.5 s, not the catalogue's 4 s) keeps this run from being the catalogue's longest.
  profile: { E2E_HEARTBEAT_MAX_AGE_MS: '2000', E2E_JOB_TIMEOUT_MS: '1500' },
  after: async (stack) => {
    const api = new ApiClient(stack.endpoints.apiUrl);
    await api.createJob({ type: 'sleep', payload: { ms: 600_000 }, runId: 'scenario-worker-stuck' });
    // Wait until the hang is older than the profile's limit, as it would be when CI looks.
    await waitUntil(
      async () => {
        const body = (await api.request<{ checks: { 'worker:heartbeat': { observedValue?: number }[] } }>('GET', '/health')).body;
        return (body.checks['worker:heartbeat'][0]?.observedValue ?? 0) >= 2500;
      },
      { what: 'the worker stuck for longer than the profile allows', timeoutMs: 20_000, intervalMs: 200 },
    );
  },
  detect: { check: /deploy .* a worker heartbeat is fresher than/, diagnosis: /alive but not consuming/ },
});
