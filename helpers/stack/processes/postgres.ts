// A throwaway Postgres cluster: initdb in the run directory (fsync off: the data dies with the
// run), listening on 127.0.0.1 on a free port, ready when a real query answers.
import { execFile } from 'node:child_process';
import { chownSync, mkdirSync, writeFileSync } from 'node:fs';
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
}

export async function startPostgres(options: {
  bins: NativeBinaries;
  runDir: string;
  logFile: string;
  user?: { uid: number; gid: number };
  superuserPassword: string;
  onLine?: (line: string) => void;
}): Promise<PostgresHandle> {
  const dataDir = path.join(options.runDir, 'pgdata');
  const socketDir = path.join(options.runDir, 'pgsocket');
  const pwFile = path.join(options.runDir, 'pgpass.tmp');
  for (const dir of [dataDir, socketDir]) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (options.user) chownSync(dir, options.user.uid, options.user.gid);
  }
  writeFileSync(pwFile, `${options.superuserPassword}\n`, { mode: 0o600 });
  if (options.user) chownSync(pwFile, options.user.uid, options.user.gid);
  try {
    await run(
      options.bins.initdb,
      ['-D', dataDir, '-U', 'postgres', '--pwfile', pwFile, '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--no-instructions', '--no-sync'],
      { uid: options.user?.uid, gid: options.user?.gid, env: { ...process.env, LC_ALL: 'C' } },
    );
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`initdb failed: ${(e.stderr || e.message).trim()}`);
  }
  const port = await freePort();
  const proc = new ManagedProcess({
    name: 'postgres',
    command: options.bins.postgres,
    args: [
      '-D', dataDir, '-p', String(port), '-k', socketDir,
      '-c', 'listen_addresses=127.0.0.1',
      '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off',
      '-c', 'max_connections=200',
      '-c', 'log_min_messages=warning',
    ],
    env: { ...process.env, LC_ALL: 'C' },
    uid: options.user?.uid,
    gid: options.user?.gid,
    logFile: options.logFile,
    onLine: options.onLine,
    stopSignal: 'SIGINT', // fast shutdown
  }).start();
  const superuserUrl = `postgresql://postgres:${encodeURIComponent(options.superuserPassword)}@127.0.0.1:${port}/postgres`;
  await waitUntil(() => queryOnce(superuserUrl, 'SELECT 1').then(() => true), {
    what: 'postgres accepting queries',
    timeoutMs: 30_000,
    abortIf: () => proc.exitReason,
  });
  return { process: proc, port, superuserUrl };
}

export async function queryOnce(url: string, sql: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await client.query(sql, params);
  } finally {
    await client.end().catch(() => undefined);
  }
}
