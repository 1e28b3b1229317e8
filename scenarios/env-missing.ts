import { defineScenario } from './types.ts';

export default defineScenario({
  name: 'env-missing',
  story:
    'A new environment group was attached to the API service but DATABASE_URL was left in the old one. The service ' +
    'restarted in a loop; the platform showed "deploy failed" with no reason on its summary page. The reason was one ' +
    'line at the top of the service log.',
  stack: { apiEnv: { DATABASE_URL: '' }, skipReadiness: ['api'] },
  detect: { check: /deploy .* every service process is up/, diagnosis: /DATABASE_URL: expected a postgres:\/\/ or postgresql:\/\/ URL; it is not set/ },
});
