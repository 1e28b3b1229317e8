// Picks the stack provider for a profile: processes (native, local), containers (testcontainers,
// local), external (a live target the profile points at). `auto` picks containers when a Docker
// engine answers and the images are built, processes otherwise, and says which and why.
import type { Profile } from '../../env/schema.ts';
import { dockerAnswers, IMAGES_FILE } from './containers/images.ts';
import { externalStack } from './external.ts';
import { findNativeBinaries } from './processes/binaries.ts';
import { LocalStack } from './builder.ts';
import type { ProviderName, StackOptions, StartedStack } from './types.ts';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './repo-root.ts';
import type { ServicesSpec } from './services.ts';

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

export interface StackChoice {
  provider: ProviderName;
  reason: string;
  /** The API and worker to run (undefined for a live target). */
  services?: ServicesSpec;
}

/**
 * The one place that decides which provider and which services a run gets. `project` is the
 * vitest project: e2e-containers always runs containers; in the e2e project `auto` means native
 * processes (npm test covers containers in its own project); `npm run e2e` (no project) resolves
 * `auto` fully and then names its choice explicitly to the run it starts.
 */
export function chooseStack(profile: Profile, project?: string, probe: ProviderProbe = realProbe): StackChoice {
  const hasCommands = !!profile.E2E_API_CMD;
  const hasImages = !!profile.E2E_API_IMAGE;
  let choice: { provider: ProviderName; reason: string };
  if (project === 'e2e-containers' || project === 'e2e-python-containers') choice = resolveProvider('containers', probe);
  else if (profile.E2E_PROVIDER !== 'auto') choice = resolveProvider(profile.E2E_PROVIDER, probe);
  else if (hasImages && !hasCommands) choice = { ...resolveProvider('containers', probe), reason: 'auto: your services are images (E2E_API_IMAGE)' };
  else if (hasCommands && !hasImages) choice = { ...resolveProvider('processes', probe), reason: 'auto: your services are commands (E2E_API_CMD)' };
  else if (project === 'e2e' || project === 'e2e-python') choice = { ...resolveProvider('processes', probe), reason: 'auto in the e2e project: native processes (the e2e-containers project covers containers)' };
  else choice = resolveProvider('auto', probe);
  return { ...choice, services: servicesFor(profile, choice.provider) };
}

/** The services a provider runs for this profile: yours when the profile names them, else the reference ones. */
export function servicesFor(profile: Profile, provider: ProviderName): ServicesSpec | undefined {
  if (provider === 'external') return undefined;
  if (provider === 'processes' && profile.E2E_API_CMD && profile.E2E_WORKER_CMD && profile.E2E_MIGRATE_CMD) {
    return { kind: 'commands', api: profile.E2E_API_CMD, worker: profile.E2E_WORKER_CMD, migrate: profile.E2E_MIGRATE_CMD, dir: path.resolve(REPO_ROOT, profile.E2E_SERVICES_DIR ?? '.') };
  }
  if (provider === 'containers' && profile.E2E_API_IMAGE && profile.E2E_WORKER_IMAGE && profile.E2E_MIGRATE_CMD) {
    return { kind: 'images', api: profile.E2E_API_IMAGE, worker: profile.E2E_WORKER_IMAGE, migrate: profile.E2E_MIGRATE_CMD };
  }
  return { kind: 'reference' };
}

export async function startStack(provider: ProviderName, profile: Profile, options: StackOptions = {}): Promise<StartedStack> {
  if (provider === 'external') return externalStack(profile);
  return LocalStack.on(provider).withOptions(options).start();
}

export type { StackEndpoints, StartedStack, StackOptions } from './types.ts';
export { LocalStack } from './builder.ts';
