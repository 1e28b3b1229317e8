// A throwaway Postgres cluster: initdb in the run directory (fsync off: the data dies with the
// run), listening on 127.0.0.1 on a free port, ready when a real query answers.
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { REPO_ROOT } from '../repo-root.ts';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from '../../ports.ts';
import { waitUntil } from '../../wait.ts';
import { ManagedProcess } from '../managed-process.ts';
import type { NativeBinaries } from './binaries.ts';

const run = promisify(execFile);

export interface PostgresHandle {
  process: ManagedProcess;
  port: number;
  superuserUrl: string;
  /** The superuser over the local socket (trusted: no password, no SCRAM round trips), for the harness's own polling. */
  local(database: string): pg.ClientConfig;
}

export async function startPostgres(options: {
  bins: NativeBinaries;
  runDir: string;
  logFile: string;
  user?: { uid: number; gid: number };
  superuserPassword: string;
  onLine?: (line: string) => void;
  /** A port chosen beforehand (the pooler is configured with it while Postgres starts). */
  port?: number;
}): Promise<PostgresHandle> {
  const dataDir = path.join(options.runDir, 'pgdata');
  const socketDir = path.join(options.runDir, 'pgsocket');
  mkdirSync(socketDir, { recursive: true, mode: 0o700 });
  if (options.user) chownSync(socketDir, options.user.uid, options.user.gid);
  // A copy of the machine's template cluster: initdb runs once, not once per stack.
  const template = await templateCluster(options.bins, options.user);
  await run('cp', ['-a', template, dataDir]);
  const port = options.port ?? (await freePort());
  const proc = new ManagedProcess({
    name: 'postgres',
    command: options.bins.postgres,
    args: [
      '-D', dataDir, '-p', String(port), '-k', socketDir,
      '-c', 'listen_addresses=127.0.0.1',
      '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off',
      '-c', 'max_connections=200',
      // Dynamic shared memory in the data directory, not /dev/shm: a Postgres killed on purpose
      // (the resilience checks) or by the watchdog leaves nothing behind once its run dir is gone.
      '-c', 'dynamic_shared_memory_type=mmap',
      '-c', 'log_min_messages=warning',
    ],
    env: { ...process.env, LC_ALL: 'C' },
    uid: options.user?.uid,
    gid: options.user?.gid,
    logFile: options.logFile,
    onLine: options.onLine,
    stopSignal: 'SIGINT', // fast shutdown
  }).start();
  // Ready when a query answers on the local socket (trust: only this machine's users reach it);
  // then the run's own superuser password, so TCP logins use a secret nobody else knows.
  const local = { host: socketDir, port, user: 'postgres', database: 'postgres' };
  await waitUntil(() => queryOnce(local, 'SELECT 1').then(() => true), {
    what: 'postgres accepting queries',
    timeoutMs: 30_000,
    abortIf: () => proc.exitReason,
  });
  await queryOnce(local, `ALTER ROLE postgres PASSWORD '${options.superuserPassword.replace(/'/g, "''")}'`);
  const superuserUrl = `postgresql://postgres:${encodeURIComponent(options.superuserPassword)}@127.0.0.1:${port}/postgres`;
  return { process: proc, port, superuserUrl, local: (database) => ({ ...local, database }) };
}

export async function queryOnce(url: string | pg.ClientConfig, sql: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ ...(typeof url === 'string' ? { connectionString: url } : url), connectionTimeoutMillis: 2_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await client.query(sql, params);
  } finally {
    await client.end().catch(() => undefined);
  }
}

const TEMPLATE_CACHE = path.join(REPO_ROOT, 'node_modules', '.cache', 'pooler-queue-e2e');

/**
 * An initdb'd cluster made once per machine (per Postgres build and user), copied by each stack.
 * Made in a temporary folder and renamed into place, so concurrent stacks never copy half of one.
 * Local connections are trusted; TCP needs a password, which each stack sets for itself.
 */
export async function templateCluster(bins: NativeBinaries, user?: { uid: number; gid: number }): Promise<string> {
  const { stdout: version } = await run(bins.initdb, ['--version']);
  const key = createHash('sha256').update(`v2|${bins.initdb}|${version}|${user?.uid ?? process.getuid?.()}`).digest('hex').slice(0, 12);
  const dir = path.join(TEMPLATE_CACHE, `pg-template-${key}`);
  const data = path.join(dir, 'data');
  if (existsSync(path.join(dir, 'done'))) return data;
  mkdirSync(TEMPLATE_CACHE, { recursive: true });
  const work = mkdtempSync(path.join(TEMPLATE_CACHE, 'building-pg-'));
  try {
    chmodSync(work, 0o755);
    const workData = path.join(work, 'data');
    const pwFile = path.join(work, 'pwfile');
    mkdirSync(workData, { mode: 0o700 });
    // A throwaway password: every stack replaces it before anything listens on TCP for long.
    writeFileSync(pwFile, `${randomBytes(12).toString('hex')}\n`, { mode: 0o600 });
    if (user) for (const p of [workData, pwFile]) chownSync(p, user.uid, user.gid);
    try {
      await run(
        bins.initdb,
        // 1 MB WAL segments: a third less to copy per stack than the default 16 MB.
        ['-D', workData, '-U', 'postgres', '--pwfile', pwFile, '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--no-instructions', '--no-sync', '--wal-segsize=1'],
        { uid: user?.uid, gid: user?.gid, env: { ...process.env, LC_ALL: 'C' } },
      );
    } catch (error) {
      const e = error as { stderr?: string; message: string };
      throw new Error(`initdb failed: ${(e.stderr || e.message).trim()}`);
    }
    rmSync(pwFile);
    const socketDir = path.join(work, 'sock');
    mkdirSync(socketDir, { mode: 0o700 });
    if (user) chownSync(socketDir, user.uid, user.gid);
    await createAppDatabase(bins, workData, socketDir, user);
    rmSync(socketDir, { recursive: true, force: true });
    writeFileSync(path.join(work, 'done'), new Date().toISOString());
    renameSync(work, dir);
  } catch (error) {
    rmSync(work, { recursive: true, force: true });
    if (existsSync(path.join(dir, 'done'))) return data; // another stack made it first
    throw error;
  }
  return data;
}

/** The services' role and database, made once in the template (each stack sets the role's password). */
export const APP_ROLE = 'app';
export const APP_DATABASE = 'app';

async function createAppDatabase(bins: NativeBinaries, dataDir: string, socketDir: string, user?: { uid: number; gid: number }): Promise<void> {
  const port = await freePort();
  const proc = new ManagedProcess({
    name: 'postgres-template',
    command: bins.postgres,
    // Socket only: nothing reaches the template's server over TCP.
    args: ['-D', dataDir, '-p', String(port), '-k', socketDir, '-c', 'listen_addresses=', '-c', 'fsync=off', '-c', 'dynamic_shared_memory_type=mmap'],
    env: { ...process.env, LC_ALL: 'C' },
    uid: user?.uid,
    gid: user?.gid,
    logFile: path.join(socketDir, 'template.log'),
    stopSignal: 'SIGINT',
  }).start();
  try {
    const local = { host: socketDir, port, user: 'postgres', database: 'postgres' };
    await waitUntil(() => queryOnce(local, 'SELECT 1').then(() => true), { what: 'template postgres accepting queries', timeoutMs: 30_000, abortIf: () => proc.exitReason });
    await queryOnce(local, `CREATE ROLE ${APP_ROLE} LOGIN`);
    await queryOnce(local, `CREATE DATABASE ${APP_DATABASE} OWNER ${APP_ROLE}`);
  } finally {
    await proc.stop(10_000);
  }
  rmSync(path.join(socketDir, 'template.log'), { force: true });
}
