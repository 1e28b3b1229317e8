// Picks the stack provider for a profile: processes (native, local), containers (testcontainers,
// local), external (a live target the profile points at). `auto` picks containers when a Docker
// engine answers and the images are built, processes otherwise, and says which and why.
import type { Profile } from '../../env/schema.ts';
import { dockerAnswers, IMAGES_FILE } from './containers/images.ts';
import { externalStack } from './external.ts';
import { findNativeBinaries } from './processes/binaries.ts';
import { startProcessStack } from './processes/index.ts';
import type { ProviderName, StackOptions, StartedStack } from './types.ts';
import { existsSync } from 'node:fs';

export class ProviderUnavailable extends Error {}

export interface ProviderProbe {
  docker: () => boolean;
  images: () => boolean;
  native: () => string | undefined; // undefined when the native binaries are there, else why not
}

export const realProbe: ProviderProbe = {
  docker: dockerAnswers,
  images: () => existsSync(IMAGES_FILE),
  native: () => {
    try {
      findNativeBinaries();
      return undefined;
    } catch (error) {
      return (error as Error).message;
    }
  },
};

export function resolveProvider(requested: Profile['E2E_PROVIDER'], probe: ProviderProbe = realProbe): { provider: ProviderName; reason: string } {
  switch (requested) {
    case 'processes':
      return { provider: 'processes', reason: 'E2E_PROVIDER=processes' };
    case 'external':
      return { provider: 'external', reason: 'E2E_PROVIDER=external' };
    case 'containers':
      if (!probe.docker()) throw new ProviderUnavailable('E2E_PROVIDER=containers, but no Docker engine answers: install docker.io and start dockerd (npm run setup does both as root)');
      if (!probe.images()) throw new ProviderUnavailable('E2E_PROVIDER=containers, but the images are not built: run npm run setup');
      return { provider: 'containers', reason: 'E2E_PROVIDER=containers' };
    case 'auto': {
      const docker = probe.docker();
      if (docker && probe.images()) return { provider: 'containers', reason: 'auto: a Docker engine answers and the images are built' };
      const native = probe.native();
      if (native === undefined) {
        return { provider: 'processes', reason: docker ? 'auto: a Docker engine answers but the images are not built (npm run setup builds them), so native processes' : 'auto: no Docker engine answers, so native processes' };
      }
      throw new ProviderUnavailable(
        `no provider can run: ${docker ? 'the container images are not built' : 'no Docker engine answers'} and ${native.replace(/: run .*$/, '')}. ` +
          'Run npm run setup (as root or with sudo it installs PostgreSQL, PgBouncer and Docker, and builds the images)',
      );
    }
  }
}

export async function startStack(provider: ProviderName, profile: Profile, options: StackOptions = {}): Promise<StartedStack> {
  if (provider === 'external') return externalStack(profile);
  if (provider === 'containers') {
    const { startContainerStack } = await import('./containers/index.ts');
    return startContainerStack(options);
  }
  return startProcessStack(options);
}

export type { StackEndpoints, StartedStack, StackOptions } from './types.ts';
