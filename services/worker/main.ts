// The reference worker. Boot: validate configuration (exit 78 naming the variable), write the
// heartbeat row, start claiming. SIGTERM/SIGINT: finish or release running jobs, exit 0.
import { createPool, maskUrl } from '../shared/db.ts';
import { loadOrExit } from '../shared/env-config.ts';
import { createLogger } from '../shared/log.ts';
import { loadWorkerConfig } from './config.ts';
import { Worker } from './worker.ts';

const config = loadOrExit('worker', () => loadWorkerConfig(process.env));
const log = createLogger(config.instanceId);
const pool = createPool(
  {
    connectionString: config.databaseUrl,
    max: Math.max(config.poolMax, config.concurrency + 1),
    applicationName: `${config.serviceId}:${config.instanceId}`,
    queryTimeoutMs: config.queryTimeoutMs,
    startupStatementTimeout: config.defects.has('startup-statement-timeout'),
  },
  (error) => log.warn(`idle database connection lost: ${error.message}`),
);
const worker = new Worker(pool, config, log);
// Mutant: a debugging line left in, printing the URL as it is.
if (config.defects.has('log-raw-url')) console.log(`connecting to ${config.databaseUrl}`);
if (config.defects.size) log.warn(`TEST DEFECTS ON: ${[...config.defects].join(', ')}`);

async function boot(): Promise<void> {
  // The database may not be reachable yet (pooler still starting): retry the first heartbeat.
  for (let attempt = 1; ; attempt++) {
    try {
      await worker.start();
      return;
    } catch (error) {
      if (attempt >= 30) throw error;
      log.warn(`cannot reach the database through ${maskUrl(config.databaseUrl)} (${(error as Error).message}); retry ${attempt}/30`);
      await new Promise((r) => setTimeout(r, Math.min(200 * attempt, 2_000)));
    }
  }
}

boot().catch((error: Error) => {
  log.error(`giving up: the database stayed unreachable: ${error.message}`);
  process.exit(1);
});

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: stopping`);
    worker
      .stop()
      .then(() => pool.end())
      .then(
        () => (log.info('stopped'), process.exit(0)),
        (error: Error) => (log.error(`unclean stop: ${error.message}`), process.exit(1)),
      );
  });
}
