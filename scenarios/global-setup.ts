// vitest globalSetup, listed before helpers/vitest/global-setup.ts when E2E_SCENARIO is set: hands
// the scenario's broken-stack plan to the harness (which never imports scenarios/ itself).
import { setStackPlan } from '../helpers/stack/plan.ts';
import type { ProcessStack } from '../helpers/stack/processes/index.ts';
import { findScenario } from './index.ts';

export default async function setup() {
  const name = process.env.E2E_SCENARIO;
  if (!name) return;
  const scenario = findScenario(name);
  const options = typeof scenario.stack === 'function' ? await scenario.stack() : scenario.stack;
  const after = scenario.after;
  setStackPlan({
    name: scenario.name,
    story: scenario.story,
    profile: scenario.profile,
    options,
    // Scenarios break native stacks (the catalogue runs them on the processes provider).
    after: after ? (stack) => after(stack as ProcessStack) : undefined,
  });
  return () => setStackPlan(undefined);
}
