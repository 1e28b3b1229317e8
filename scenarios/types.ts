// A broken-stack scenario: a story of a real staging failure, how to reproduce it locally, and
// which check must catch it with which diagnosis. Scenarios are made from configuration and
// environment where possible, as real incidents are; defect switches (services/shared/defects.ts)
// stand in for code-level mistakes.
import type { ProcessStack } from '../helpers/stack/processes/index.ts';
import type { StackOptions } from '../helpers/stack/types.ts';

export interface Scenario {
  name: string;
  /** One paragraph: what happened in the real world. */
  story: string;
  /** How the stack is started broken. A function when it needs run-time values (free ports). */
  stack?: StackOptions | (() => Promise<StackOptions>);
  /** Breaks the running stack further (stop Postgres, hang a job), then returns. */
  after?: (stack: ProcessStack) => Promise<void>;
  /** Profile variables for the check run. */
  profile?: Record<string, string>;
  /** Run the checks inside a network namespace of their own, with these /etc/hosts lines. */
  netnsHosts?: string[];
  /** The check meant to catch it (matched against the test's full name) and its diagnosis. */
  detect: { check: RegExp; diagnosis: RegExp };
  /** The CONTRACT.md promises (ids) whose breaking this scenario shows, when it uses a defect switch. */
  promises?: string[];
}

export const defineScenario = (s: Scenario): Scenario => s;
