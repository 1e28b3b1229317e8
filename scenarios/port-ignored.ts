import { freePort } from '../helpers/ports.ts';
import { defineScenario } from './types.ts';

export default defineScenario({
  name: 'port-ignored',
  story:
    'The platform sets PORT=10000 and routes traffic there; the old build only knew API_PORT and listened on 8000. ' +
    'The process ran, its logs said "listening", and the deploy still failed its health check by timing out. ' +
    'Here the API ignores PORT and listens on API_PORT instead.',
  stack: async () => ({ apiEnv: { E2E_DEFECTS: 'ignore-port', API_PORT: String(await freePort()) }, skipReadiness: ['api'] }),
  promises: ['S-port'],
  detect: { check: /deploy .* the API answers on the port the platform gives it/, diagnosis: /ignores PORT/ },
});
