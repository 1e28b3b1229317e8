// How the next stack is to be started, when something outside helpers/ wants a say: the failure
// catalogue's scenarios (scenarios/global-setup.ts) start the stack broken. The harness must not
// import scenarios/, so they meet here. Kept on globalThis: vitest may load the two globalSetup
// files through separate module instances.
import type { StackOptions, StartedStack } from './types.ts';

export interface StackPlan {
  /** Named in the stack's progress output. */
  name: string;
  story?: string;
  /** Profile values the plan needs (below real environment variables). */
  profile?: Record<string, string>;
  options?: StackOptions;
  /** Breaks the started stack further (stop Postgres, hang a job). */
  after?: (stack: StartedStack) => Promise<void>;
}

const KEY = Symbol.for('pooler-queue-e2e.stack-plan');
type Holder = { [KEY]?: StackPlan };

export function setStackPlan(plan: StackPlan | undefined): void {
  (globalThis as Holder)[KEY] = plan;
}

export function stackPlan(): StackPlan | undefined {
  return (globalThis as Holder)[KEY];
}
