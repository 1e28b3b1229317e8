// Skips with a reason that reaches the console and the reports. Suites skip on a capability the
// started stack lacks (helpers/stack/types.ts), never on a provider's name: each reason names
// the capability and which stacks have it (the README lists them too).
import { beforeEach } from 'vitest';
import type { Capabilities, StackEndpoints } from './stack/types.ts';

export function skipUnless(condition: boolean, reason: string): void {
  beforeEach((ctx) => {
    if (!condition) ctx.skip(reason);
  });
}

export type Capability = keyof Capabilities;

/** What each capability is, and where to get it. */
export const CAPABILITY_REASONS: Record<Capability, string> = {
  control: 'needs control over the services (stop, kill, restart): the processes provider has it; containers and a live target do not',
  bootServices: 'needs to start extra API or worker instances with chosen settings: the processes provider has it; containers and a live target do not',
  directDatabase: 'needs a direct database connection to read rows back: local stacks have one; for a live target set E2E_DIRECT_DATABASE_URL',
  mockExternal: 'needs the mock external API the workers call: local stacks have one; for a live target set E2E_MOCK_EXTERNAL_URL',
  ownNetwork: 'needs a network of its own with an inside and an outside: the containers provider has it',
  referenceServices: "needs the reference services' test-only defect switches: not available for your own services",
  serviceLogs: "needs the services' own output: local stacks capture it; a live target's is on its platform",
};

/** Why a check needing `caps` cannot run on this stack, or undefined when it can. */
export function missingCapability(stack: StackEndpoints, ...caps: Capability[]): string | undefined {
  const missing = caps.find((c) => !stack.capabilities[c]);
  return missing ? CAPABILITY_REASONS[missing] : undefined;
}

/** Skips every test of the enclosing describe block unless the stack has all of `caps`. */
export function needs(stack: StackEndpoints, ...caps: Capability[]): void {
  const reason = missingCapability(stack, ...caps);
  skipUnless(!reason, reason ?? '');
}

export const NEEDS_DIRECT_DB = CAPABILITY_REASONS.directDatabase;
