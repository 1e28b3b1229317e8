// The processes provider: the whole stack as native processes on loopback, each on a free port
// and gated by a real readiness check. Order: postgres → pgbouncer → migrations (through the
// pooler) → mock external API → API → workers. Stop runs in reverse.
import { chmodSync, mkdirSync, mkdtempSync } from 'node:fs';
import path from 'node:path';
import { freePort } from '../../ports.ts';
import { waitForHeartbeats } from '../heartbeats.ts';
import { waitUntil } from '../../wait.ts';
import { registerTeardown, startWatchdog } from '../cleanup.ts';
import type { ManagedProcess } from '../managed-process.ts';
import { localRelease } from '../release.ts';
import { keepLogsAndRemove, stackScratchRoot } from '../run-dir.ts';
import { newSecret, urlPasswords } from '../secrets.ts';
import type { StackControl, StackEndpoints, StackOptions, StartedStack } from '../types.ts';
import { findNativeBinaries, unprivilegedUser } from './binaries.ts';
import { serviceProcess } from './node-service.ts';
import { runOnce } from './run-once.ts';
import { referenceBundles } from './reference-bundle.ts';
import { describeServices, mockExternalLaunch, processLaunch, type ServicesSpec } from '../services.ts';
import { APP_DATABASE, APP_ROLE, queryOnce, startPostgres } from './postgres.ts';
import { startPgBouncer } from './pgbouncer.ts';

/** Short intervals so tests see heartbeats, retries and leases in seconds, not minutes. */
export const TEST_SERVICE_ENV: Record<string, string> = {
  WORKER_HEARTBEAT_MS: '1000',
  // 3 s: renewed every second while a job runs, so a slow second on a busy machine is not a lost
  // lease; short enough that the lease checks take seconds (the resilience stacks use 1.5 s).
  WORKER_LEASE_MS: '3000',
  WORKER_POLL_MIN_MS: '5',
  // 200 ms, not the contract's default 50: an idle slot polls the queue through the pooler every
  // WORKER_POLL_MAX_MS, and with a dozen stacks' workers idle at once (npm test) polling at 50 ms
  // was a large share of the run's CPU (workers, pooler, Postgres). Four idle slots still pick a
  // job up within ~40 ms on average; the W-poll check reads the value and bounds by it.
  WORKER_POLL_MAX_MS: '200',
  JOB_BACKOFF_BASE_MS: '50',
  JOB_BACKOFF_MAX_MS: '1000',
  HEALTH_HEARTBEAT_WARN_MS: '5000',
  HEALTH_HEARTBEAT_FAIL_MS: '15000',
  SHUTDOWN_GRACE_MS: '5000',
  // The reference API's own request-arrival limit (ignored by other implementations): 2 s, not 10.
  API_REQUEST_TIMEOUT_MS: '2000',
};

const secret = newSecret;

export type { StackControl } from '../types.ts';

export interface ProcessStack extends StartedStack {
  processes: Map<string, ManagedProcess>;
  control: StackControl;
}

/** What the processes provider can do, whatever services it runs. */
const PROCESS_CAPABILITIES = { control: true, bootServices: true, directDatabase: true, mockExternal: true, ownNetwork: false, serviceLogs: true };

export async function startProcessStack(options: StackOptions = {}): Promise<ProcessStack> {
  const started = Date.now();
  const services: ServicesSpec = options.services ?? { kind: 'reference' };
  // Refuse what this provider cannot honour, by name, before anything starts.
  processLaunch(services, 'api'); // refuses images by name before anything starts
  const progress = options.onProgress ?? (() => undefined);
  const bins = findNativeBinaries();
  const user = unprivilegedUser();

  const runDir = mkdtempSync(path.join(stackScratchRoot(), 'e2e-stack-'));
  chmodSync(runDir, 0o755); // the postgres user must reach its data dir inside
  const logDir = path.join(runDir, 'logs');
  mkdirSync(logDir);
  const watchdog = startWatchdog(path.join(runDir, 'pids'), runDir);
  const processes = new Map<string, ManagedProcess>();
  /** How to tell each service is ready again after a restart. */
  const readiness = new Map<string, () => Promise<unknown>>();
  const logFiles: Record<string, string> = {};
  const logFile = (name: string) => (logFiles[name] = path.join(logDir, `${name}.log`));
  const lineSink = (name: string) => (options.onLogLine ? (line: string) => options.onLogLine!(name, line) : undefined);
  const track = (p: ManagedProcess) => {
    processes.set(p.name, p);
    if (p.pid) watchdog.addPid(p.pid);
    return p;
  };

  /** The stop under way: a second caller (the start's own failure path, while Ctrl-C stops the stack) waits for it to end. */
  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= stopOnce());
  const stopOnce = async () => {
    unregister();
    const order = [...processes.values()].reverse();
    for (const p of order) await p.stop(10_000);
    watchdog.dismiss();
    keepLogsAndRemove(runDir, logDir, options.label ?? 'e2e');
  };
  const unregister = registerTeardown(stop);

  // Services started side by side: a failed start waits for them before stopping, so none is missed.
  const starting: Promise<unknown>[] = [];
  try {
    const superuserPassword = secret();
    const appPassword = secret();
    const apiKey = `key-${secret()}`;
    const release = localRelease();
    const database = APP_DATABASE;
    const appUser = APP_ROLE;

    // The reference bundles (the mock external API always, the services by default) are made while
    // Postgres starts, and the mock starts as soon as its bundle is there: it needs nothing else.
    const bundling = referenceBundles();
    const mockStarting = bundling.then(async (bundles) => {
      const mockPort = await freePort();
      const mock = track(
        serviceProcess({ name: 'mock-external', launch: mockExternalLaunch(bundles), env: { PORT: String(mockPort), EXTERNAL_API_KEY: apiKey }, logFile: logFile('mock-external'), onLine: lineSink('mock-external') }).start(),
      );
      return { mock, mockUrl: `http://127.0.0.1:${mockPort}` };
    });
    mockStarting.catch(() => undefined); // awaited below; a failure surfaces there
    starting.push(mockStarting);

    // Postgres and PgBouncer start together: the pooler only needs Postgres when a client logs
    // in, and nothing logs in through it before Postgres answers below.
    progress('starting postgres (a copy of the template cluster), pgbouncer (transaction mode) and the mock external API');
    const postgresPort = await freePort();
    const poolerStarting = startPgBouncer({
      bins, runDir, logFile: logFile('pooler'), user, postgresPort, database, appUser, appPassword, tls: options.poolerTls, onLine: lineSink('pooler'), waitReady: false,
    });
    starting.push(poolerStarting.then((p) => track(p.process)).catch(() => undefined)); // a failure surfaces where it is awaited
    const pgHandle = await startPostgres({ bins, runDir, logFile: logFile('postgres'), user, superuserPassword, onLine: lineSink('postgres'), port: postgresPort });
    track(pgHandle.process);
    readiness.set('postgres', () =>
      waitUntil(() => queryOnce(pgHandle.superuserUrl, 'SELECT 1').then(() => true), { what: 'postgres accepting queries', timeoutMs: 30_000, abortIf: () => pgHandle.process.exitReason }),
    );
    // The role and database come with the template cluster; the password is this run's own.
    await queryOnce(pgHandle.superuserUrl, `ALTER ROLE ${appUser} PASSWORD '${appPassword}'`);
    const directUrl = `postgresql://${appUser}:${appPassword}@127.0.0.1:${pgHandle.port}/${database}`;

    const pooler = await poolerStarting;
    await pooler.ready();
    const poolerUrl = `postgresql://${appUser}:${appPassword}@127.0.0.1:${pooler.port}/${database}`;
    readiness.set('pooler', () =>
      waitUntil(() => queryOnce(pooler.harnessUrl, 'SELECT 1').then(() => true), { what: 'pgbouncer passing queries', timeoutMs: 30_000, abortIf: () => pooler.process.exitReason }),
    );

    const spec: ServicesSpec = services.kind === 'reference' ? { ...services, bundles: await bundling } : services;
    const launch = { api: processLaunch(spec, 'api'), worker: processLaunch(spec, 'worker'), migrate: processLaunch(spec, 'migrate') };
    progress(`migrating the schema through the pooler (${services.kind === 'reference' ? 'services/migrate.ts' : services.kind === 'commands' ? services.migrate : ''})`);
    const migration = await runOnce({ name: 'migrate', launch: launch.migrate, env: { DATABASE_URL: pooler.harnessUrl }, logFile: logFile('migrate'), timeoutMs: 60_000, onLine: lineSink('migrate') });
    if (migration.code !== 0) {
      const how = migration.timedOut ? 'did not finish within 60 s' : migration.signal ? `was killed by ${migration.signal}` : `exited with code ${migration.code}`;
      throw new Error(`the migration command ${how}; its output ends with:\n${migration.lines.slice(-15).join('\n')}`);
    }

    const { mock, mockUrl } = await mockStarting;

    const serviceEnv: Record<string, string> = {
      DATABASE_URL: options.databaseUrl ? options.databaseUrl(poolerUrl) : poolerUrl,
      // The release identity as Render sets it.
      RENDER_GIT_COMMIT: release.commit,
      RENDER_GIT_BRANCH: release.branch,
      ...TEST_SERVICE_ENV,
      ...options.serviceEnv,
    };

    progress(`starting the API and workers: ${describeServices(services)}`);
    const apiPort = await freePort();
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    const api = track(
      serviceProcess({ name: 'api', launch: launch.api, env: { ...serviceEnv, PORT: String(apiPort), API_HOST: '127.0.0.1', ...options.apiEnv }, logFile: logFile('api'), onLine: lineSink('api') }).start(),
    );
    const workers: string[] = [];
    const workerProcs: ManagedProcess[] = [];
    for (let i = 1; i <= (options.workers ?? 2); i++) {
      const id = `worker-${i}`;
      workers.push(id);
      workerProcs.push(
        track(
          serviceProcess({
            name: id, launch: launch.worker,
            env: { ...serviceEnv, WORKER_INSTANCE_ID: id, EXTERNAL_API_URL: mockUrl, EXTERNAL_API_KEY: apiKey, ...options.workerEnv },
            logFile: logFile(id), onLine: lineSink(id),
          }).start(),
        ),
      );
    }

    readiness.set('mock-external', () =>
      waitUntil(() => fetch(`${mockUrl}/__mock/health`).then((r) => r.ok), { what: 'mock external API answering', timeoutMs: 30_000, abortIf: () => mock.exitReason }),
    );
    readiness.set('api', () =>
      waitUntil(() => fetch(`${apiUrl}/health/ready`).then((r) => r.status === 200), { what: 'API /health/ready returning 200', timeoutMs: 30_000, abortIf: () => api.exitReason }),
    );
    for (const w of workerProcs) {
      readiness.set(w.name, () => waitForHeartbeats(directUrl, { names: [w.name], since: new Date(), timeoutMs: 30_000, abortIf: () => w.exitReason }));
    }
    // The first start: one connection over the local socket polls for every worker's heartbeat
    // (a new TCP login with SCRAM per poll and per worker took CPU from the booting services).
    const skip = new Set(options.skipReadiness ?? []);
    const workersReady = skip.has('workers') ? undefined : waitForHeartbeats(pgHandle.local(database), {
      names: workerProcs.map((w) => w.name),
      timeoutMs: 30_000,
      abortIf: () => {
        const gone = workerProcs.find((w) => w.exitReason);
        return gone ? `${gone.name}: ${gone.exitReason}` : undefined;
      },
    });
    await Promise.all([
      readiness.get('mock-external')!(),
      ...(skip.has('api') ? [] : [readiness.get('api')!()]),
      workersReady,
    ]);

    const endpoints: StackEndpoints = {
      provider: 'processes',
      capabilities: { ...PROCESS_CAPABILITIES, referenceServices: services.kind === 'reference' },
      services: spec,
      apiUrl,
      // What the services were given: a broken scenario's URL is what the checks must diagnose.
      poolerUrl: serviceEnv.DATABASE_URL,
      directUrl,
      mockUrl,
      release,
      workers,
      logDir,
      logFiles,
      pids: Object.fromEntries([...processes].map(([name, p]) => [name, p.pid!])),
      readyMs: Date.now() - started,
      secrets: [superuserPassword, appPassword, apiKey, ...urlPasswords(serviceEnv.DATABASE_URL)],
    };
    progress(`stack ready in ${(endpoints.readyMs / 1000).toFixed(1)} s`);
    const service = (name: string) => {
      const p = processes.get(name);
      if (!p) throw new Error(`no service "${name}" in this stack; it has ${[...processes.keys()].join(', ')}`);
      return p;
    };
    const control: StackControl = {
      kill: (name, signal = 'SIGKILL') => service(name).kill(signal),
      signal: (name, signal) => service(name).signal(signal),
      waitForExit: async (name) => {
        const p = service(name);
        await p.waitForExit();
        return p.exitCode;
      },
      incarnation: async (name) => String(service(name).pid),
      stop: (name) => service(name).stop(10_000),
      start: async (name) => {
        const p = service(name);
        if (p.running) throw new Error(`${name} is already running`);
        p.start();
        if (p.pid) watchdog.addPid(p.pid);
        await readiness.get(name)!();
      },
      running: (name) => service(name).running,
    };
    return { endpoints, stop, processes, control };
  } catch (error) {
    await Promise.allSettled(starting);
    await stop();
    throw error;
  }
}
