// The containers provider: the same stack as a set of containers on a network of its own, built
// from the repo's images and configured only through environment variables, as on the platform
// (PORT=10000, API_HOST=0.0.0.0, DATABASE_URL pointing at the pooler's network alias). Suites reach
// the services through mapped ports on 127.0.0.1. Readiness is real (pg_isready, the images'
// health checks, HTTP 200 on /health/ready, heartbeat rows), never open ports alone.
import { createWriteStream, mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { migrate } from '../../../services/migrate.ts';
import { waitUntil } from '../../wait.ts';
import { registerTeardown, startWatchdog } from '../cleanup.ts';
import { queryOnce } from '../processes/postgres.ts';
import { TEST_SERVICE_ENV } from '../processes/index.ts';
import { localRelease } from '../release.ts';
import { keepLogsAndRemove } from '../run-dir.ts';
import { newSecret } from '../secrets.ts';
import type { StackEndpoints, StackOptions, StartedStack } from '../types.ts';
import { recordedImages, servicesImage } from './images.ts';

// No reaper container: it would have to be pulled from a registry. Cleanup is ours (cleanup.ts).
process.env.TESTCONTAINERS_RYUK_DISABLED = 'true';

const PLATFORM_PORT = 10000; // what Render sets PORT to
const secret = newSecret;

export interface ContainerStack extends StartedStack {
  /** Container ids by service name, and the network's name: for container-only checks. */
  containers: Record<string, string>;
  network: string;
  servicesImage: string;
}

export async function startContainerStack(options: StackOptions = {}): Promise<ContainerStack> {
  const { GenericContainer, Network, Wait } = await import('testcontainers');
  const started = Date.now();
  const progress = options.onProgress ?? (() => undefined);
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
  let networkStop: (() => Promise<unknown>) | undefined;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    unregister();
    for (const c of [...running].reverse()) await c.stop().catch(() => undefined);
    await networkStop?.().catch(() => undefined);
    watchdog.dismiss();
    keepLogsAndRemove(runDir, logDir, options.label ?? 'e2e-containers');
  };
  const unregister = registerTeardown(stop);

  try {
    const network = await new Network().start();
    watchdog.addNetwork(network.getId());
    networkStop = () => network.stop();
    const track = async <T extends { getId(): string; stop(): Promise<unknown> }>(name: string, start: Promise<T>): Promise<T> => {
      const c = await start;
      watchdog.addContainer(c.getId());
      running.push({ name, stop: () => c.stop(), id: c.getId() });
      return c;
    };
    const password = secret();
    const apiKey = `key-${secret()}`;
    const release = localRelease();
    const servicesTag = await servicesImage(images, progress);

    progress(`starting postgres (${images.postgres})`);
    const postgres = await track(
      'postgres',
      new GenericContainer(images.postgres)
        .withNetwork(network)
        .withNetworkAliases('postgres')
        .withEnvironment({ POSTGRES_USER: 'app', POSTGRES_PASSWORD: password, POSTGRES_DB: 'app' })
        .withCommand(['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'])
        .withExposedPorts(5432)
        // TCP on 127.0.0.1: the official image's init-time server listens on a socket only.
        .withWaitStrategy(Wait.forSuccessfulCommand('pg_isready -h 127.0.0.1 -U app -d app'))
        .withStartupTimeout(60_000)
        .withLogConsumer(logsTo('postgres'))
        .start(),
    );
    const directUrl = `postgresql://app:${password}@127.0.0.1:${postgres.getMappedPort(5432)}/app`;

    progress(`starting pgbouncer (${images.pgbouncer}, transaction mode)`);
    const pooler = await track(
      'pooler',
      new GenericContainer(images.pgbouncer)
        .withNetwork(network)
        .withNetworkAliases('pooler')
        .withEnvironment({ DB_HOST: 'postgres', DB_PORT: '5432', DB_NAME: 'app', DB_USER: 'app', DB_PASSWORD: password, POOL_MODE: 'transaction' })
        .withExposedPorts(6432)
        .withWaitStrategy(Wait.forHealthCheck())
        .withStartupTimeout(60_000)
        .withLogConsumer(logsTo('pooler'))
        .start(),
    );
    const poolerUrl = `postgresql://app:${password}@127.0.0.1:${pooler.getMappedPort(6432)}/app`;
    await waitUntil(() => queryOnce(poolerUrl, 'SELECT 1').then(() => true), { what: 'pgbouncer passing queries to postgres', timeoutMs: 30_000 });
    progress('migrating the schema through the pooler');
    await migrate(poolerUrl, () => undefined);

    // Inside the network the services reach the pooler by its alias, as on the platform.
    const serviceEnv: Record<string, string> = {
      DATABASE_URL: `postgresql://app:${password}@pooler:6432/app`,
      RENDER_GIT_COMMIT: release.commit,
      RENDER_GIT_BRANCH: release.branch,
      PORT: String(PLATFORM_PORT),
      API_HOST: '0.0.0.0',
      ...TEST_SERVICE_ENV,
      ...options.serviceEnv,
    };
    progress(`starting the mock external API, the API and ${options.workers ?? 2} workers (${servicesTag})`);
    const service = (name: string, command: string[], env: Record<string, string>) =>
      new GenericContainer(servicesTag).withNetwork(network).withNetworkAliases(name).withEnvironment(env).withCommand(command).withLogConsumer(logsTo(name));
    const [mock, api] = await Promise.all([
      track(
        'mock-external',
        service('mock-external', ['node', '--import', 'tsx', 'services/mock-external/main.ts'], { PORT: String(PLATFORM_PORT), MOCK_HOST: '0.0.0.0', EXTERNAL_API_KEY: apiKey })
          .withExposedPorts(PLATFORM_PORT)
          .withWaitStrategy(Wait.forHttp('/__mock/health', PLATFORM_PORT).forStatusCode(200))
          .start(),
      ),
      track(
        'api',
        service('api', ['node', '--import', 'tsx', 'services/api/main.ts'], { ...serviceEnv, ...options.apiEnv })
          .withExposedPorts(PLATFORM_PORT)
          .withWaitStrategy(Wait.forHttp('/health/ready', PLATFORM_PORT).forStatusCode(200))
          .withStartupTimeout(60_000)
          .start(),
      ),
    ]);
    const workers = Array.from({ length: options.workers ?? 2 }, (_, i) => `worker-${i + 1}`);
    await Promise.all(
      workers.map((id) =>
        track(
          id,
          service(id, ['node', '--import', 'tsx', 'services/worker/main.ts'], {
            ...serviceEnv, WORKER_INSTANCE_ID: id, EXTERNAL_API_URL: `http://mock-external:${PLATFORM_PORT}`, EXTERNAL_API_KEY: apiKey, ...options.workerEnv,
          })
            // A worker has no port: it is ready when its heartbeat row says so (checked below).
            .withWaitStrategy(Wait.forLogMessage(/worker .* started/))
            .withStartupTimeout(60_000)
            .start(),
        ),
      ),
    );
    await Promise.all(
      workers.map((id) =>
        waitUntil(
          () => queryOnce(directUrl, `SELECT 1 FROM worker_heartbeats WHERE instance_id = $1 AND status = 'running'`, [id]).then((r) => r.rowCount === 1),
          { what: `${id} heartbeat`, timeoutMs: 30_000 },
        ),
      ),
    );

    const endpoints: StackEndpoints = {
      provider: 'containers',
      apiUrl: `http://127.0.0.1:${api.getMappedPort(PLATFORM_PORT)}`,
      poolerUrl,
      directUrl,
      mockUrl: `http://127.0.0.1:${mock.getMappedPort(PLATFORM_PORT)}`,
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
    return { endpoints, stop, containers: endpoints.containers!, network: network.getName(), servicesImage: servicesTag };
  } catch (error) {
    await stop();
    throw error;
  }
}
