// A stack of a suite's own, for checks that break things (kill workers, stop the pooler): they
// must not disturb the shared stack the other suites use. Started before the file's tests,
// stopped after them (and on Ctrl-C or crash, like every stack). Skipped on a live target.
import { afterAll, beforeAll, inject } from 'vitest';
import { missingCapability, skipUnless } from './skip.ts';
import { startProcessStack } from './stack/processes/index.ts';
import type { ControlledStack, StackOptions } from './stack/types.ts';

/** Intervals short enough that leases, heartbeats and thresholds pass in seconds. */
export const FAST_FAILURE_ENV: Record<string, string> = {
  WORKER_LEASE_MS: '1500',
  WORKER_HEARTBEAT_MS: '300',
  HEALTH_HEARTBEAT_WARN_MS: '1500',
  HEALTH_HEARTBEAT_FAIL_MS: '3000',
  // Short enough that readiness drops within seconds of an outage, long enough for a busy machine.
  DB_QUERY_TIMEOUT_MS: '2500',
};

export function useOwnStack(options: StackOptions & { label: string }): { readonly stack: ControlledStack } {
  const shared = inject('stack');
  const unavailable = missingCapability(shared, 'control');
  skipUnless(!unavailable, unavailable ?? '');
  let own: ControlledStack | undefined;
  beforeAll(async () => {
    if (unavailable) return;
    // The same provider and services as the shared stack: the reference ones, or yours by
    // command (processes) or by image (containers).
    // The run's defect switches (npm run mutants sets E2E_DEFECTS), for the reference services only.
    const defects: Record<string, string> = process.env.E2E_DEFECTS?.trim() && shared.capabilities.referenceServices ? { E2E_DEFECTS: process.env.E2E_DEFECTS.trim() } : {};
    const ownOptions = { services: shared.services, ...options, serviceEnv: { ...FAST_FAILURE_ENV, ...defects, ...options.serviceEnv } };
    own =
      shared.provider === 'containers'
        ? await (await import('./stack/containers/index.ts')).startContainerStack(ownOptions)
        : await startProcessStack(ownOptions);
    console.log(`[${options.label}] own stack ready in ${(own.endpoints.readyMs / 1000).toFixed(1)} s`);
  }, 120_000);
  afterAll(async () => {
    await own?.stop();
  });
  return {
    get stack() {
      if (!own) throw new Error('the suite stack is not running');
      return own;
    },
  };
}
