// Which API and worker a local stack runs: the reference services (the zero-configuration
// default), the user's own as command lines (processes provider) or as images (containers
// provider). Plain data, so it crosses from globalSetup to the test workers with the endpoints,
// and suites that start services of their own (the config suite, the resilience suites' own
// stacks) start the same ones.
import path from 'node:path';
import { REFERENCE_ENTRIES, type ReferenceEntry } from './processes/reference-bundle.ts';
import { REPO_ROOT } from './repo-root.ts';

export type ServicesSpec =
  /** `bundles`: where the JavaScript bundles of the services are (processes provider; else tsx). */
  | { kind: 'reference'; bundles?: string }
  /** Command lines run with `sh -c` in `dir`; configured only through environment variables. */
  | { kind: 'commands'; api: string; worker: string; migrate: string; dir: string }
  /** Images run with their own command; `migrate` runs once in a container of the worker image. */
  | { kind: 'images'; api: string; worker: string; migrate: string };

export type ServiceRole = 'api' | 'worker' | 'migrate';

/** What a person reads in progress output and skip reasons. */
export function describeServices(spec: ServicesSpec): string {
  switch (spec.kind) {
    case 'reference':
      return 'the reference services (services/)';
    case 'commands':
      return `your services by command in ${path.relative(REPO_ROOT, spec.dir) || '.'} (api: ${spec.api}; worker: ${spec.worker})`;
    case 'images':
      return `your services by image (api: ${spec.api}; worker: ${spec.worker})`;
  }
}

/** A process to spawn for a role: the executable, its arguments and where it runs. */
export interface ServiceLaunch {
  command: string;
  args: string[];
  cwd: string;
  /** A shell wraps the user's command: signals go to its whole process group. */
  viaShell: boolean;
  /** Only the reference services read NODE_ENV (their defect switches refuse production). */
  env: Record<string, string>;
}

/** The mock external API is the harness's, whatever services run. */
export function mockExternalLaunch(bundles?: string): ServiceLaunch {
  return nodeLaunch('mock-external', bundles);
}

/** A reference service: its bundle when there is one, else its TypeScript source through tsx. */
function nodeLaunch(entry: ReferenceEntry, bundles?: string): ServiceLaunch {
  const args = bundles ? [path.join(bundles, REFERENCE_ENTRIES[entry].bundle)] : ['--import', 'tsx', path.join(REPO_ROOT, REFERENCE_ENTRIES[entry].source)];
  return { command: process.execPath, args, cwd: REPO_ROOT, viaShell: false, env: { NODE_ENV: 'test' } };
}

export function processLaunch(spec: ServicesSpec, role: ServiceRole): ServiceLaunch {
  if (spec.kind === 'reference') return nodeLaunch(role, spec.bundles);
  if (spec.kind === 'images') throw new Error(`the processes provider cannot run images (${spec[role]}): set E2E_API_CMD, E2E_WORKER_CMD and E2E_MIGRATE_CMD, or use E2E_PROVIDER=containers`);
  // The trap makes the shell wait for the service on SIGTERM and exit with the service's own
  // status (a caught signal's handler is reset for the child, unlike an ignored one).
  return { command: '/bin/sh', args: ['-c', `trap : TERM INT; ${spec[role]}`], cwd: spec.dir, viaShell: true, env: {} };
}
