// Picks the stack provider for a profile. `auto` prefers containers when that provider exists
// and a Docker engine answers; today only the processes provider is built (containers: issue 3,
// external live targets: issue 4), so `auto` says so and runs processes.
import type { Profile } from '../../env/schema.ts';
import { startProcessStack } from './processes/index.ts';
import type { StackOptions, StartedStack } from './types.ts';

export class ProviderUnavailable extends Error {}

export function resolveProvider(profile: Profile): { provider: 'processes'; reason: string } {
  switch (profile.E2E_PROVIDER) {
    case 'processes':
      return { provider: 'processes', reason: 'E2E_PROVIDER=processes' };
    case 'auto':
      return { provider: 'processes', reason: 'E2E_PROVIDER=auto: the containers provider is not built yet, so native processes' };
    case 'containers':
    case 'external':
      throw new ProviderUnavailable(
        `E2E_PROVIDER=${profile.E2E_PROVIDER}: this provider is not available yet; use E2E_PROVIDER=processes (or auto)`,
      );
  }
}

export async function startStack(profile: Profile, options: StackOptions = {}): Promise<StartedStack> {
  const { provider, reason } = resolveProvider(profile);
  options.onProgress?.(`provider: ${provider} (${reason})`);
  return startProcessStack(options);
}

export type { StackEndpoints, StartedStack, StackOptions } from './types.ts';
