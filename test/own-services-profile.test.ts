// Your own services in the profile: validated with one named line per problem, and turned into
// what each provider runs by the one function that chooses the stack.
import { describe, expect, it } from 'vitest';
import { loadProfile } from '../helpers/profile.ts';
import { chooseStack, type ProviderProbe } from '../helpers/stack/index.ts';
import { processLaunch } from '../helpers/stack/services.ts';
import { REPO_ROOT } from '../helpers/stack/repo-root.ts';
import { problemsOf } from './support/problems.ts';

const load = (env: Record<string, string>) => loadProfile('local', env).profile;
const probe = (docker: boolean, images: boolean): ProviderProbe => ({ docker: () => docker, images: () => images, native: () => undefined });
const PY = { E2E_SERVICES_DIR: 'examples/python', E2E_API_CMD: 'python3 api.py', E2E_WORKER_CMD: 'python3 worker.py', E2E_MIGRATE_CMD: 'python3 migrate.py' };

describe('your own services in the profile', () => {
  it('the default is the reference services, with nothing to configure', () => {
    const choice = chooseStack(load({ E2E_PROVIDER: 'processes' }), undefined, probe(false, false));
    expect(choice).toMatchObject({ provider: 'processes', services: { kind: 'reference' } });
  });

  it('commands run on the processes provider, in their directory resolved from the project root', () => {
    const choice = chooseStack(load(PY), undefined, probe(true, true));
    expect(choice.provider).toBe('processes');
    expect(choice.reason).toMatch(/your services are commands/);
    expect(choice.services).toEqual({ kind: 'commands', api: 'python3 api.py', worker: 'python3 worker.py', migrate: 'python3 migrate.py', dir: `${REPO_ROOT}/examples/python` });
    const launch = processLaunch(choice.services!, 'api');
    expect(launch).toMatchObject({ command: '/bin/sh', cwd: `${REPO_ROOT}/examples/python`, viaShell: true });
    expect(launch.args.at(-1)).toMatch(/python3 api\.py$/);
  });

  it('images run on the containers provider; the e2e-containers project takes them, the e2e project the commands', () => {
    const profile = load({ ...PY, E2E_API_IMAGE: 'my-api:1.2', E2E_WORKER_IMAGE: 'registry.example.test:5000/team/worker@sha256:' + 'a'.repeat(64) });
    expect(chooseStack(profile, 'e2e-containers', probe(true, true)).services).toMatchObject({ kind: 'images', api: 'my-api:1.2', migrate: 'python3 migrate.py' });
    expect(chooseStack(profile, 'e2e', probe(true, true)).services).toMatchObject({ kind: 'commands' });
    const imagesOnly = load({ E2E_API_IMAGE: 'my-api', E2E_WORKER_IMAGE: 'my-worker', E2E_MIGRATE_CMD: 'm' });
    expect(chooseStack(imagesOnly, undefined, probe(true, true))).toMatchObject({ provider: 'containers', reason: expect.stringMatching(/your services are images/) });
  });

  it('names each incomplete or contradictory variable', () => {
    expect(problemsOf(() => load({ E2E_API_CMD: 'x' }))).toEqual([
      'E2E_WORKER_CMD: expected it too, because E2E_API_CMD is set (the stack runs your API and your worker, or neither); it is not set',
      'E2E_MIGRATE_CMD: expected the command that creates the schema CONTRACT.md lists, because E2E_API_CMD is set; it is not set',
    ]);
    expect(problemsOf(() => load({ E2E_SERVICES_DIR: 'examples/python' }))).toEqual(['E2E_SERVICES_DIR: set only with E2E_API_CMD and E2E_WORKER_CMD (it is their working directory)']);
    expect(problemsOf(() => load({ ...PY, E2E_SERVICES_DIR: 'no/such/dir' }))).toEqual([
      'E2E_SERVICES_DIR: expected an existing directory (absolute, or relative to the project root); got "no/such/dir", which is not one',
    ]);
    expect(problemsOf(() => load({ E2E_PROVIDER: 'processes', E2E_API_IMAGE: 'a', E2E_WORKER_IMAGE: 'b', E2E_MIGRATE_CMD: 'm' }))).toEqual([
      'E2E_API_IMAGE: the processes provider runs commands, not images: set E2E_API_CMD and E2E_WORKER_CMD, or E2E_PROVIDER=containers',
    ]);
    expect(problemsOf(() => load({ ...PY, E2E_PROVIDER: 'containers' }))).toEqual([
      'E2E_API_CMD: the containers provider runs images, not commands: set E2E_API_IMAGE and E2E_WORKER_IMAGE, or E2E_PROVIDER=processes',
    ]);
    expect(problemsOf(() => load({ E2E_API_IMAGE: 'Not An Image', E2E_WORKER_IMAGE: 'w', E2E_MIGRATE_CMD: 'm' }))[0]).toBe(
      'E2E_API_IMAGE: expected a Docker image reference such as my-api:1.2; got "Not An Image"',
    );
    expect(problemsOf(() => load({ E2E_DIRECT_DATABASE_URL: 'postgres://u:p@h/db' }))).toEqual([
      'E2E_DIRECT_DATABASE_URL: only for E2E_PROVIDER=external (a local stack brings its own); unset it',
    ]);
    expect(problemsOf(() => load({ E2E_PROVIDER: 'external', API_URL: 'https://a.test', E2E_API_CMD: 'a', E2E_WORKER_CMD: 'w', E2E_MIGRATE_CMD: 'm' }))).toContain(
      'E2E_API_CMD: the external provider starts nothing (it checks the deployment at API_URL): unset it, or choose E2E_PROVIDER=processes or containers',
    );
  });
});
