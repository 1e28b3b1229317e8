// The failure catalogue: every scenario, in the order the catalogue runs them.
import directIpv6 from './direct-ipv6.ts';
import envMissing from './env-missing.ts';
import healthLies from './health-lies.ts';
import leaseNeverExpires from './lease-never-expires.ts';
import poolerUser from './pooler-user.ts';
import portIgnored from './port-ignored.ts';
import preparedStatements from './prepared-statements.ts';
import staleDeploy from './stale-deploy.ts';
import startupParameter from './startup-parameter.ts';
import tlsRequired from './tls-required.ts';
import { findMutant } from './mutants.ts';
import type { Scenario } from './types.ts';
import workerDown from './worker-down.ts';
import workerStuck from './worker-stuck.ts';

export const SCENARIOS: Scenario[] = [
  staleDeploy, portIgnored, envMissing, directIpv6, poolerUser, preparedStatements,
  startupParameter, workerDown, workerStuck, healthLies, leaseNeverExpires, tlsRequired,
];

/** A catalogue scenario, or a mutant of `npm run mutants` (scenarios/mutants.ts), by name. */
export function findScenario(name: string): Scenario {
  const found = SCENARIOS.find((s) => s.name === name) ?? findMutant(name);
  if (!found) throw new Error(`E2E_SCENARIO: no scenario "${name}"; known: ${SCENARIOS.map((s) => s.name).join(', ')} and the mutants (npm run mutants -- --list)`);
  return found;
}

export type { Scenario } from './types.ts';
