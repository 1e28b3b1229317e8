import { defineScenario } from './types.ts';

export default defineScenario({
  name: 'pooler-user',
  story:
    'The database password was rotated in the provider\'s dashboard, and the pooler URL in the platform kept the old ' +
    'one. The API answered 503 on readiness, workers crash-looped, and the error on the pooler side was a terse ' +
    'authentication failure.',
  stack: {
    databaseUrl: (url) => {
      const u = new URL(url);
      u.password = 'rotated-away-7d2e';
      return u.toString();
    },
    skipReadiness: ['api', 'workers'],
  },
  detect: { check: /pooler .* DATABASE_URL resolves, every address answers/, diagnosis: /wrong password for user "app"/ },
});
