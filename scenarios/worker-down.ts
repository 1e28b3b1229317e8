import { defineScenario } from './types.ts';

export default defineScenario({
  name: 'worker-down',
  story:
    'The background worker service was suspended after a billing change. The API kept accepting jobs with 202 and ' +
    'nothing processed them; the platform gives workers no health check, so nothing turned red.',
  stack: { workers: 0 },
  detect: { check: /deploy .* a worker heartbeat is fresher than/, diagnosis: /no worker is running/ },
});
