import { defineScenario } from './types.ts';

export default defineScenario({
  name: 'health-lies',
  story:
    'The API\'s /health returned a constant "ok" written in its first week. During a database outage the platform ' +
    'kept routing traffic to it and the status page stayed green while every request that touched the database failed.',
  // Short database timeouts: with Postgres gone, every query would otherwise wait 5 s.
  stack: { apiEnv: { E2E_DEFECTS: 'health-lies', DB_QUERY_TIMEOUT_MS: '1000' } },
  after: async (stack) => {
    await stack.control.stop('postgres');
  },
  promises: ['H-db'],
  detect: { check: /health .* \/health's database check agrees with a real round trip/, diagnosis: /health check does not touch the database/ },
});
