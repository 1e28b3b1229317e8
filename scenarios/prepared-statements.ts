import { defineScenario } from './types.ts';

export default defineScenario({
  name: 'prepared-statements',
  story:
    'A refactor gave the worker\'s claim query a name, so node-postgres prepared it once per connection. Through the ' +
    'transaction-mode pooler the next transaction often ran on another server connection: "prepared statement does ' +
    'not exist" and "already exists" errors, jobs claimed late or not at all, and a worker that looked alive.',
  // The contract's default idle poll (50 ms), not the test stacks' 200: the errors need claims
  // landing on other server connections, and with only the deploy suite's jobs (npm test runs the
  // catalogue that way) four slots polling at 200 ms did not always make one.
  stack: { workerEnv: { E2E_DEFECTS: 'named-statements', WORKER_POLL_MAX_MS: '50' } },
  promises: ['P-no-named'],
  detect: { check: /deploy .* workers claim jobs without database errors/, diagnosis: /named prepared statements through a transaction-mode pooler/ },
});
