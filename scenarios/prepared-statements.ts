import { defineScenario } from './types.ts';

export default defineScenario({
  name: 'prepared-statements',
  story:
    'A refactor gave the worker\'s claim query a name, so node-postgres prepared it once per connection. Through the ' +
    'transaction-mode pooler the next transaction often ran on another server connection: "prepared statement does ' +
    'not exist" and "already exists" errors, jobs claimed late or not at all, and a worker that looked alive.',
  stack: { workerEnv: { E2E_DEFECTS: 'named-statements' } },
  promises: ['P-no-named'],
  detect: { check: /deploy .* workers claim jobs without database errors/, diagnosis: /named prepared statements through a transaction-mode pooler/ },
});
