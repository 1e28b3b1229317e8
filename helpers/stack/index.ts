// Picks the stack provider for a profile: processes (native, local), external (a live target the
// profile points at). `auto` prefers containers when that provider exists and a Docker engine
// answers; the containers provider is not built yet, so `auto` says so and runs processes.
import type { Profile } from '../../env/schema.ts';
import { externalStack } from './external.ts';
import { startProcessStack } from './processes/index.ts';
import type { StackOptions, StartedStack } from './types.ts';

export class ProviderUnavailable extends Error {}

export function resolveProvider(profile: Profile): { provider: 'processes' | 'external'; reason: string } {
  switch (profile.E2E_PROVIDER) {
    case 'processes':
      return { provider: 'processes', reason: 'E2E_PROVIDER=processes' };
    case 'auto':
      return { provider: 'processes', reason: 'E2E_PROVIDER=auto: the containers provider is not built yet, so native processes' };
    case 'external':
      return { provider: 'external', reason: `E2E_PROVIDER=external: the deployment at ${profile.API_URL}` };
    case 'containers':
      throw new ProviderUnavailable(
        `E2E_PROVIDER=${profile.E2E_PROVIDER}: this provider is not available yet; use E2E_PROVIDER=processes (or auto)`,
      );
  }
}

export async function startStack(profile: Profile, options: StackOptions = {}): Promise<StartedStack> {
  const { provider, reason } = resolveProvider(profile);
  options.onProgress?.(`provider: ${provider} (${reason})`);
  return provider === 'external' ? externalStack(profile) : startProcessStack(options);
}

export type { StackEndpoints, StartedStack, StackOptions } from './types.ts';
