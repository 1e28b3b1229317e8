// Skips with a reason that reaches the console and the reports, e.g. a suite that needs control
// over the stack when the target is a live deployment. Call inside a describe block.
import { beforeEach } from 'vitest';
import type { StackEndpoints } from './stack/types.ts';

export function skipUnless(condition: boolean, reason: string): void {
  beforeEach((ctx) => {
    if (!condition) ctx.skip(reason);
  });
}

/** Why a check that starts or stops services cannot run here, or undefined when it can. */
export function controlUnavailable(stack: StackEndpoints): string | undefined {
  return stack.provider === 'external'
    ? 'needs control over the stack (starting extra services, injecting faults): skipped on a live target'
    : undefined;
}

export const NEEDS_DIRECT_DB = 'needs a direct database connection to inspect rows: the live target exposes none';
