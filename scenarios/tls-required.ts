import { defineScenario } from './types.ts';

export default defineScenario({
  name: 'tls-required',
  story:
    'The database provider switched its pooler to require TLS. Services whose DATABASE_URL had no sslmode were ' +
    'refused at the handshake; the error said little more than that SSL was required.',
  stack: { poolerTls: true, skipReadiness: ['api', 'workers'] },
  detect: { check: /pooler .* DATABASE_URL resolves, every address answers/, diagnosis: /requires TLS/ },
});
