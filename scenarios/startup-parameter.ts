import { defineScenario } from './types.ts';

export default defineScenario({
  name: 'startup-parameter',
  story:
    'To bound slow queries someone added statement_timeout to the node-postgres Pool options. Node-postgres sends it ' +
    'as a connection startup parameter, which the transaction-mode pooler refuses: every connection failed with ' +
    '"unsupported startup parameter: statement_timeout" the moment the change was deployed.',
  stack: { serviceEnv: { E2E_DEFECTS: 'startup-statement-timeout' }, skipReadiness: ['api', 'workers'] },
  promises: ['P-no-startup-params'],
  detect: { check: /health .* GET \/health\/ready answers 200/, diagnosis: /rejects the startup parameter statement_timeout/ },
});
