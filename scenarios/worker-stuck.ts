import { vi } from 'vitest';
import { ApiClient } from '../helpers/api-client.ts';
import { defineScenario } from './types.ts';

export default defineScenario({
  name: 'worker-stuck',
  story:
    'A worker\'s HTTP call to a partner API had no timeout. When the partner stalled, every worker slot hung on it: ' +
    'the process stayed up and kept its heartbeat, the queue grew, and only the count of finished jobs stopped moving.',
  stack: { workers: 1, workerEnv: { WORKER_CONCURRENCY: '1' } },
  profile: { E2E_HEARTBEAT_MAX_AGE_MS: '2000' },
  after: async (stack) => {
    const api = new ApiClient(stack.endpoints.apiUrl);
    await api.createJob({ type: 'sleep', payload: { ms: 600_000 }, runId: 'scenario-worker-stuck' });
    // Wait until the hang is older than the profile's limit, as it would be when CI looks.
    await vi.waitFor(
      async () => {
        const body = (await api.request<{ checks: { 'worker:heartbeat': { observedValue?: number }[] } }>('GET', '/health')).body;
        if ((body.checks['worker:heartbeat'][0]?.observedValue ?? 0) < 2500) throw new Error('not stuck long enough yet');
      },
      { timeout: 20_000, interval: 200 },
    );
  },
  detect: { check: /deploy .* a worker heartbeat is fresher than/, diagnosis: /alive but not consuming/ },
});
