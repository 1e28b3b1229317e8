import { defineScenario } from './types.ts';

export default defineScenario({
  name: 'lease-never-expires',
  story:
    'A queue rewrite dropped the clause that lets workers take over jobs whose lease expired. The next deploy killed ' +
    'workers mid-job, as deploys do, and those jobs stayed "running" forever: nobody owned them, nobody retried them.',
  stack: { workerEnv: { E2E_DEFECTS: 'no-lease-reclaim' } },
  promises: ['W-lease-reclaim'],
  detect: { check: /jobs .* a job whose worker died is claimed again after its lease expires/, diagnosis: /no worker claimed it again/ },
});
