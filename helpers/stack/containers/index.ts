// The containers provider: the same stack as a set of containers on a network of its own, built
// from the repo's images and configured only through environment variables, as on the platform
// (PORT=10000, API_HOST=0.0.0.0, DATABASE_URL pointing at the pooler's network alias). Suites reach
// the services through mapped ports on 127.0.0.1. Readiness is real (a query straight to Postgres
// and one through the pooler, HTTP 200 on /health/ready, heartbeat rows), never open ports alone.
import { createWriteStream, mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { GenericContainer as Container } from 'testcontainers';
import type { ServicesSpec } from '../services.ts';
import { waitUntil } from '../../wait.ts';
import { withinBound } from '../../diagnose/bound.ts';
import { NETWORK_LABEL, registerTeardown, startWatchdog } from '../cleanup.ts';
import { waitForHeartbeats } from '../heartbeats.ts';
import { queryOnce } from '../processes/postgres.ts';
import { TEST_SERVICE_ENV } from '../processes/index.ts';
import { localRelease } from '../release.ts';
import { keepLogsAndRemove } from '../run-dir.ts';
import { newSecret } from '../secrets.ts';
import type { ControlledStack, StackEndpoints, StackOptions } from '../types.ts';
import { freePort } from '../../ports.ts';
import { containerControl } from './control.ts';
import { readyPostgresImage, recordedImages, servicesImage } from './images.ts';
import { loadTestcontainers, NoWait } from './testcontainers.ts';


const PLATFORM_PORT = 10000; // what Render sets PORT to
/** The container stack's Postgres arguments: a throwaway test database, no durability. */
export const POSTGRES_TEST_SETTINGS = ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'];
const secret = newSecret;

export interface ContainerStack extends ControlledStack {
  /** Container ids by service name, and the network's name: for container-only checks. */
  containers: Record<string, string>;
  network: string;
  servicesImage: string;
}

export async function startContainerStack(options: StackOptions = {}): Promise<ContainerStack> {
  const { GenericContainer, Network } = await loadTestcontainers();
  const started = Date.now();
  const progress = options.onProgress ?? (() => undefined);
  const services: ServicesSpec = options.services ?? { kind: 'reference' };
  if (services.kind === 'commands') throw new Error(`the containers provider runs images, not commands (${services.api}): set E2E_API_IMAGE and E2E_WORKER_IMAGE, or use E2E_PROVIDER=processes`);
  for (const name of ['databaseUrl', 'poolerTls', 'skipReadiness'] as const) {
    if (options[name] !== undefined) throw new Error(`the containers provider does not support the stack option ${name} (broken-stack scenarios run on the processes provider)`);
  }
  const images = recordedImages();
  const runDir = mkdtempSync(path.join(os.tmpdir(), 'e2e-containers-'));
  const logDir = path.join(runDir, 'logs');
  mkdirSync(logDir);
  const watchdog = startWatchdog(path.join(runDir, 'pids'), runDir);
  const logFiles: Record<string, string> = {};
  const running: { name: string; stop: () => Promise<unknown>; id: string }[] = [];
  const logsTo = (name: string) => {
    const file = (logFiles[name] = path.join(logDir, `${name}.log`));
    const out = createWriteStream(file, { flags: 'a' });
    return (stream: Readable) => {
      stream.on('data', (chunk: Buffer | string) => {
        out.write(chunk);
        if (options.onLogLine) for (const line of String(chunk).split('\n').filter(Boolean)) options.onLogLine(name, line);
      });
    };
  };

  let stopped = false;
  /** Set once stop() has taken the list of running containers: a start that ends later stops its own. */
  let walked = false;
  /** Container starts under way: stop() lets them end before it stops the stack. */
  const starting: Promise<unknown>[] = [];
  let networkStop: (() => Promise<unknown>) | undefined;
  let networkId: string | undefined;
  /** The stop under way: a second caller (the start's own failure path, while Ctrl-C stops the stack) waits for it to end. */
  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= stopOnce());
  const stopOnce = async () => {
    stopped = true;
    unregister();
    // Starts still under way (Ctrl-C during the start, or a start beside one that failed) end
    // first, so that their containers are on the list below. Bounded: a start that hangs is left
    // to the check in track() and to the network sweep.
    await withinBound(20_000, 'container starts under way', () => Promise.allSettled(starting)).catch(() => undefined);
    walked = true;
    // The services first, together, then the pooler and Postgres, together: one after another
    // took 3 s for seven containers.
    const stopAll = (cs: typeof running) => Promise.all(cs.map((c) => c.stop().catch(() => undefined)));
    await stopAll(running.filter((c) => c.name !== 'postgres' && c.name !== 'pooler'));
    await stopAll(running.filter((c) => c.name === 'postgres' || c.name === 'pooler'));
    // Whatever else is still on the run's network, or labelled with it, is the run's too: a
    // container a check started (left when its start never returned), or one whose start finished
    // after a failed start of the stack. The network cannot be removed while anything is attached.
    if (networkId) await removeAttached(networkId);
    await networkStop?.().catch(() => undefined);
    watchdog.dismiss();
    keepLogsAndRemove(runDir, logDir, options.label ?? 'e2e-containers');
  };
  const unregister = registerTeardown(stop);

  try {
    // The network is made while the images are checked (or built); stop() waits for it too.
    const networkStart = new Network().start().then(async (n) => {
      // stop() gave up waiting and has gone on: this network is not on its list, so it goes now.
      if (walked) {
        await n.stop().catch(() => undefined);
        throw new Error('the stack was stopped while its network was being made');
      }
      watchdog.addNetwork(n.getId());
      networkStop = () => n.stop();
      networkId = n.getId();
      return n;
    });
    starting.push(networkStart);
    const imagesReady = Promise.all([servicesImage(images, progress), readyPostgresImage(images, progress)]);
    const [network, [servicesTag, postgresTag]] = await Promise.all([networkStart, imagesReady]);
    if (stopped) throw new Error('the stack was stopped while it was starting');
    // Every container of the stack carries it: the sweeps find them by it (cleanup.ts).
    const runLabel = { [NETWORK_LABEL]: network.getId() };
    // Exit codes of containers that stopped while the stack was starting: readiness waits end
    // at once with the cause instead of running out.
    const exits: Record<string, number> = {};
    const track = async <T extends { getId(): string; stop(): Promise<unknown> }>(name: string, start: Promise<T>): Promise<T> => {
      starting.push(start);
      const c = await start;
      // stop() gave up waiting for this start and has already taken the list: this one goes now.
      if (walked) {
        await c.stop().catch(() => undefined);
        throw new Error(`the stack was stopped while the ${name} container was starting`);
      }
      watchdog.addContainer(c.getId());
      running.push({ name, stop: () => c.stop(), id: c.getId() });
      void exec('docker', ['wait', c.getId()]).then(({ stdout }) => void (exits[name] = Number(stdout.trim())), () => undefined);
      return c;
    };
    const exited = (...names: string[]) => () => {
      const gone = names.find((n) => exits[n] !== undefined);
      return gone ? `the ${gone} container exited with code ${exits[gone]} (its log: reports/stack-logs/${options.label ?? 'e2e-containers'}/${gone}.log)` : undefined;
    };
    const password = secret();
    const apiKey = `key-${secret()}`;
    const release = localRelease();

    const hostPorts = { postgres: await freePort(), pooler: await freePort(), mock: await freePort(), api: await freePort() };
    const spec = services;
    const imageOf = (role: 'api' | 'worker') => (spec.kind === 'images' ? spec[role] : servicesTag);
    // The reference image holds all three services as JavaScript bundles; yours run their image's own command.
    const commandOf = (role: 'api' | 'worker'): string[] | undefined => (spec.kind === 'images' ? undefined : ['node', `dist/${role}/main.mjs`]);
    /** `inNetworkOf`: a container whose network namespace this one joins (no endpoint, alias or IP of its own). */
    const service = (name: string, image: string, command: string[] | undefined, env: Record<string, string>, inNetworkOf?: string) => {
      const placed = inNetworkOf ? new GenericContainer(image).withNetworkMode(`container:${inNetworkOf}`) : new GenericContainer(image).withNetwork(network).withNetworkAliases(name);
      const c = placed.withLabels(runLabel).withEnvironment(env).withLogConsumer(logsTo(name))
        // The image's own HEALTHCHECK off (here and for Postgres and PgBouncer): readiness here is
        // ours (below), and Docker running them (every 1, 2 and 5 s, a runc exec each time, plus a
        // node process for the services) was a third of a container run's CPU.
        .withHealthCheck(NO_HEALTHCHECK);
      return command ? c.withCommand(command) : c;
    };

    // Inside the network the services reach the pooler by its alias, as on the platform.
    const networkDbUrl = `postgresql://app:${password}@pooler:6432/app`;
    const serviceEnv: Record<string, string> = {
      DATABASE_URL: networkDbUrl,
      RENDER_GIT_COMMIT: release.commit,
      RENDER_GIT_BRANCH: release.branch,
      PORT: String(PLATFORM_PORT),
      API_HOST: '0.0.0.0',
      ...TEST_SERVICE_ENV,
      ...options.serviceEnv,
    };
    const workers = Array.from({ length: options.workers ?? 2 }, (_, i) => `worker-${i + 1}`);
    // The reference services' containers start beside Postgres (the workers once the mock's
    // container is up, below): starting a container is about half a second of Docker's work each,
    // done while Postgres starts and the schema is migrated.
    // The API runs at once (it needs no schema to boot, and its readiness waits for the database);
    // the workers' shell waits at a gate (a FIFO it reads) and runs the worker only once the
    // migration is done, since a worker writes its heartbeat row at boot. A container started
    // again (the resilience checks) finds the gate made and goes straight on. Yours start after
    // the migration, as on the platform: their image's own command is not ours to wrap.
    const gated = spec.kind !== 'images';
    const behindGate = (command: string[] | undefined) => (gated && command ? ['sh', '-c', `mkfifo ${GATE} 2>/dev/null && read _ < ${GATE}; exec "$@"`, 'gate', ...command] : command);
    const startApi = () =>
      track(
        'api',
        service('api', imageOf('api'), commandOf('api'), { ...serviceEnv, ...options.apiEnv })
          .withExposedPorts({ container: PLATFORM_PORT, host: hostPorts.api })
          .withWaitStrategy(new NoWait()) // readiness below: /health/ready, asked every 25 ms
          .withStartupTimeout(60_000)
          .start(),
      );
    // A worker has no port: it is ready when its heartbeat row says so (checked below). The
    // reference workers run in the mock external API's network namespace (`inNetworkOf`): they
    // listen on nothing and only connect out (to the pooler and the mock, by their aliases), and
    // Docker sets up a network endpoint per container one after another (six containers at once:
    // 1.9 s; four, and two joining one of them: 1.3 s). The stack's control refuses to stop the
    // mock while it runs (see containerControl), and a worker started again joins it again. Yours get endpoints of their own: a worker
    // image may serve something on $PORT, which would clash with the mock's.
    const startWorkers = (inNetworkOf?: string) =>
      Promise.all(
        workers.map((id) =>
          track(
            id,
            service(id, imageOf('worker'), behindGate(commandOf('worker')), {
              ...serviceEnv, WORKER_INSTANCE_ID: id, EXTERNAL_API_URL: `http://mock-external:${PLATFORM_PORT}`, EXTERNAL_API_KEY: apiKey, ...options.workerEnv,
            }, inNetworkOf)
              .withStartupTimeout(60_000)
              .start(),
          ),
        ),
      );

    // Postgres, PgBouncer, the mock external API and the reference API at once, the reference
    // workers as soon as the mock's container is up (the pooler only needs Postgres when a client
    // logs in, and it retries the server login; the mock needs nothing).
    progress(`starting postgres (${postgresTag}), pgbouncer (${images.pgbouncer}, transaction mode), the mock external API${gated ? `, the API and, held at a gate, ${workers.length} workers` : ''}`);
    const postgresStart = track(
        'postgres',
        // The cluster was initialised when the image was built (images/postgres-ready), as the
        // native stack copies a template cluster: the container starts Postgres, not initdb
        // (docker run to first query 0.7 s instead of 2.3–3.1 s). Its data stays in the
        // container's own layer: a volume would be filled by copying the 46 MB cluster at create
        // (2 s). A restart of the container keeps the data; its removal removes it.
        new GenericContainer(postgresTag)
          .withLabels(runLabel)
          .withHealthCheck(NO_HEALTHCHECK)
          .withNetwork(network)
          .withNetworkAliases('postgres')
          .withEnvironment({ POSTGRES_USER: 'app', POSTGRES_PASSWORD: password, POSTGRES_DB: 'app' })
          .withCommand(POSTGRES_TEST_SETTINGS)
          // Fixed host ports (chosen free): a container started again keeps its address.
          .withExposedPorts({ container: 5432, host: hostPorts.postgres })
          // Readiness is ours, below: a query, straight and then through the pooler. A port wait
          // would exec into the container over and over, and add seconds to the start.
          .withWaitStrategy(new NoWait())
          .withStartupTimeout(60_000)
          .withLogConsumer(logsTo('postgres'))
          .start(),
      );
    const mockStart = track(
      'mock-external',
      service('mock-external', servicesTag, ['node', 'dist/mock-external/main.mjs'], { PORT: String(PLATFORM_PORT), MOCK_HOST: '0.0.0.0', EXTERNAL_API_KEY: apiKey })
        .withExposedPorts({ container: PLATFORM_PORT, host: hostPorts.mock })
        // Its readiness is asked with the API's, below: the migration only needs its container.
        .withWaitStrategy(new NoWait())
        .start(),
    );
    // The reference API and workers start meanwhile (the workers once the mock's container, whose
    // network they join, is up), not waited for here: the migration needs only Postgres, the
    // pooler and the mock's container (it runs there). A failure is seen below, when the gate is
    // opened; stop() waits for these starts too.
    const earlyStart = gated
      ? Promise.all([
          startApi(),
          mockStart.then((mock) => {
            if (stopped) throw new Error('the stack was stopped before its workers started');
            return startWorkers(mock.getId());
          }),
        ])
      : undefined;
    earlyStart?.catch(() => undefined);
    const [postgres, pooler, mock] = await Promise.all([
      postgresStart,
      track(
        'pooler',
        new GenericContainer(images.pgbouncer)
          .withLabels(runLabel)
          .withHealthCheck(NO_HEALTHCHECK)
          .withNetwork(network)
          .withNetworkAliases('pooler')
          .withEnvironment({ DB_HOST: 'postgres', DB_PORT: '5432', DB_NAME: 'app', DB_USER: 'app', DB_PASSWORD: password, POOL_MODE: 'transaction' })
          .withExposedPorts({ container: 6432, host: hostPorts.pooler })
          .withWaitStrategy(new NoWait())
          .withStartupTimeout(60_000)
          .withLogConsumer(logsTo('pooler'))
          .start(),
      ),
      mockStart,
    ]);
    const directUrl = `postgresql://app:${password}@127.0.0.1:${postgres.getMappedPort(5432)}/app`;
    const poolerUrl = `postgresql://app:${password}@127.0.0.1:${pooler.getMappedPort(6432)}/app`;
    // Postgres first, straight (its TCP port opens only once the entrypoint has set the run's
    // password in single-user mode), then through the pooler: asked before Postgres is up, PgBouncer
    // would hold a failed server login against us for server_login_retry.
    await waitUntil(() => queryOnce(directUrl, 'SELECT 1').then(() => true), { what: 'postgres accepting queries', timeoutMs: 60_000, intervalMs: 25, abortIf: exited('postgres') });
    await waitUntil(() => queryOnce(poolerUrl, 'SELECT 1').then(() => true), { what: 'pgbouncer passing queries to postgres', timeoutMs: 60_000, intervalMs: 25, abortIf: exited('postgres', 'pooler') });
    progress(`migrating the schema through the pooler (${spec.kind === 'images' ? `${spec.migrate} in ${spec.worker}` : 'services/migrate.ts'})`);
    await runMigration({
      // The reference image's migration runs in the mock's container (the same image, already up
      // on the network): a container of its own costs a create, start, wait and remove, about a
      // second. Yours runs in a container of your worker image, as on the platform.
      execIn: spec.kind === 'images' ? undefined : mock.getId(),
      image: imageOf('worker'),
      command: spec.kind === 'images' ? ['sh', '-c', spec.migrate] : ['node', 'dist/migrate.mjs'],
      network: network.getName(),
      // The reference migration refuses a host that is not loopback unless confirmed: this one is the run's own.
      env: { DATABASE_URL: networkDbUrl, MIGRATE_CONFIRM_HOST: 'pooler' },
      logFile: path.join(logDir, 'migrate.log'),
      onContainer: (id) => watchdog.addContainer(id),
    });
    logFiles.migrate = path.join(logDir, 'migrate.log');

    let api: Awaited<ReturnType<typeof startApi>>;
    const early = await earlyStart;
    if (early) {
      progress(`opening the gate: ${workers.length} workers start (${servicesTag})`);
      await Promise.all(early[1].map((c) => openGate(c)));
      api = early[0];
    } else {
      progress(`starting the API and ${workers.length} workers (${spec.kind === 'images' ? `${spec.api}, ${spec.worker}` : servicesTag})`);
      [api] = await Promise.all([startApi(), startWorkers()]);
    }
    const apiUrl = `http://127.0.0.1:${api.getMappedPort(PLATFORM_PORT)}`;
    const mockUrl = `http://127.0.0.1:${mock.getMappedPort(PLATFORM_PORT)}`;
    await Promise.all([
      waitUntil(() => fetch(`${apiUrl}/health/ready`, { signal: AbortSignal.timeout(2_000) }).then((r) => r.status === 200), {
        what: 'API /health/ready returning 200', timeoutMs: 60_000, intervalMs: 25, abortIf: exited('api'),
      }),
      waitUntil(() => fetch(`${mockUrl}/__mock/health`, { signal: AbortSignal.timeout(2_000) }).then((r) => r.ok), {
        what: 'mock external API answering', timeoutMs: 60_000, intervalMs: 25, abortIf: exited('mock-external'),
      }),
      waitForHeartbeats(directUrl, { names: workers, timeoutMs: 30_000, abortIf: exited(...workers) }),
    ]);

    const endpoints: StackEndpoints = {
      provider: 'containers',
      capabilities: { control: true, bootServices: false, directDatabase: true, mockExternal: true, ownNetwork: true, referenceServices: spec.kind === 'reference', serviceLogs: true },
      services: spec,
      apiPortGiven: String(PLATFORM_PORT),
      apiUrl,
      poolerUrl,
      directUrl,
      mockUrl,
      release,
      workers,
      logDir,
      logFiles,
      readyMs: Date.now() - started,
      secrets: [password, apiKey],
      containers: Object.fromEntries(running.map((c) => [c.name, c.id])),
      network: network.getName(),
      servicesImage: servicesTag,
    };
    progress(`stack ready in ${(endpoints.readyMs / 1000).toFixed(1)} s`);
    const control = containerControl(
      Object.fromEntries(running.map((c) => [c.name, c.id])),
      {
        postgres: () => waitUntil(() => queryOnce(directUrl, 'SELECT 1').then(() => true), { what: 'postgres accepting queries', timeoutMs: 60_000, intervalMs: 25 }),
        pooler: () => waitUntil(() => queryOnce(poolerUrl, 'SELECT 1').then(() => true), { what: 'pgbouncer passing queries', timeoutMs: 60_000, intervalMs: 25 }),
        'mock-external': () => waitUntil(() => fetch(`${endpoints.mockUrl}/__mock/health`).then((r) => r.ok), { what: 'mock external API answering', timeoutMs: 60_000, intervalMs: 25 }),
        api: () => waitUntil(() => fetch(`${endpoints.apiUrl}/health/ready`).then((r) => r.status === 200), { what: 'API /health/ready returning 200', timeoutMs: 60_000, intervalMs: 25 }),
        ...Object.fromEntries(workers.map((id) => [id, (since: Date) => waitForHeartbeats(directUrl, { names: [id], since, timeoutMs: 60_000 })])),
      },
      // The reference workers live in the mock's network namespace: stopping the mock would cut them off.
      gated ? { 'mock-external': workers } : {},
    );
    return { endpoints, stop, control, containers: endpoints.containers!, network: network.getName(), servicesImage: servicesTag };
  } catch (error) {
    await stop();
    throw error;
  }
}

const exec = promisify(execFile);

/** The FIFO a gated service's shell reads before it runs the service (see startContainerStack). */
const GATE = '/tmp/start-gate';

/**
 * Lets a gated service run. Written before the shell made its FIFO, the gate is a plain file and
 * mkfifo fails: the shell goes straight on, as it does on any later start of the container.
 */
async function openGate(container: { exec(command: string[]): Promise<{ exitCode: number; output: string }>; getId(): string }): Promise<void> {
  const result = await container.exec(['sh', '-c', `echo go > ${GATE}`]);
  if (result.exitCode !== 0) throw new Error(`could not start the service in container ${container.getId().slice(0, 12)}: writing its start gate exited with ${result.exitCode}: ${result.output.trim()}`);
}

/** Docker's "NONE" test: the image's HEALTHCHECK is not run (testcontainers' type knows only CMD forms). */
const NO_HEALTHCHECK = { test: ['NONE'] } as unknown as Parameters<Container['withHealthCheck']>[0];

/** Removes the containers on a network, and those labelled with it (in another's network namespace, they have no endpoint on it). */
async function removeAttached(network: string): Promise<void> {
  const [attached, labelled] = await Promise.all([
    exec('docker', ['network', 'inspect', '-f', '{{range $id, $c := .Containers}}{{$id}} {{end}}', network]).catch(() => ({ stdout: '' })),
    exec('docker', ['ps', '-aq', '--filter', `label=${NETWORK_LABEL}=${network}`]).catch(() => ({ stdout: '' })),
  ]);
  const ids = [...new Set(`${attached.stdout} ${labelled.stdout}`.split(/\s+/).filter(Boolean))];
  if (ids.length) await exec('docker', ['rm', '-fv', ...ids]).catch(() => undefined);
}

function migrationFailed(o: { command: string[]; image: string }, code: number | string, output: string): Error {
  return new Error(`the migration (${o.command.join(' ')} in ${o.image}) exited with code ${code}; its output ends with:\n${output.trimEnd().split('\n').slice(-15).join('\n')}`);
}

/** Runs the migration once, in a container on the stack's network, and fails with its output. */
async function runMigration(o: { execIn?: string; image: string; command: string[]; network: string; env: Record<string, string>; logFile: string; onContainer: (id: string) => void }): Promise<void> {
  const envArgs = Object.entries(o.env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  if (o.execIn) {
    const { writeFileSync } = await import('node:fs');
    const done = await exec('docker', ['exec', ...envArgs, o.execIn, ...o.command], { timeout: 120_000, maxBuffer: 8 * 1024 * 1024 }).then(
      ({ stdout, stderr }) => ({ code: 0, output: stdout + stderr }),
      (error: { code?: number | string; stdout?: string; stderr?: string }) => ({ code: error.code ?? 1, output: `${error.stdout ?? ''}${error.stderr ?? ''}` }),
    );
    writeFileSync(o.logFile, done.output);
    if (done.code !== 0) {
      throw migrationFailed(o, done.code, done.output);
    }
    return;
  }
  const name = `e2e-migrate-${process.pid}-${Date.now()}`;
  const { stdout: id } = await exec('docker', ['create', '--name', name, '--network', o.network, ...envArgs, o.image, ...o.command]);
  o.onContainer(id.trim());
  try {
    await exec('docker', ['start', name]);
    const { stdout: code } = await exec('docker', ['wait', name], { timeout: 120_000 });
    const { stdout, stderr } = await exec('docker', ['logs', name], { maxBuffer: 8 * 1024 * 1024 });
    const { writeFileSync } = await import('node:fs');
    writeFileSync(o.logFile, stdout + stderr);
    if (code.trim() !== '0') {
      throw migrationFailed(o, code.trim(), stdout + stderr);
    }
  } finally {
    await exec('docker', ['rm', '-fv', name]).catch(() => undefined);
  }
}
