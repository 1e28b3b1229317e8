// PgBouncer in transaction mode with password (SCRAM) auth, as the hosted pooler: named prepared
// statements and startup parameters such as statement_timeout fail through it, as on Supabase.
import { execFileSync } from 'node:child_process';
import { appendFileSync, chownSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { freePort } from '../../ports.ts';
import { waitUntil } from '../../wait.ts';
import { ManagedProcess } from '../managed-process.ts';
import type { NativeBinaries } from './binaries.ts';
import { queryOnce } from './postgres.ts';

export interface PoolerHandle {
  process: ManagedProcess;
  port: number;
  configFile: string;
  /** A URL the harness can use (TLS when required). */
  harnessUrl: string;
  /** Resolves once a query passes through to Postgres. */
  ready(): Promise<void>;
}

export async function startPgBouncer(options: {
  bins: NativeBinaries;
  runDir: string;
  logFile: string;
  user?: { uid: number; gid: number };
  postgresPort: number;
  database: string;
  appUser: string;
  appPassword: string;
  /** Require TLS from clients, with a throwaway self-signed certificate. */
  tls?: boolean;
  /** Default transaction, as the hosted pooler's 6543; session to reproduce the wrong port. */
  poolMode?: 'transaction' | 'session';
  onLine?: (line: string) => void;
  /** false: return once the process runs; the caller awaits ready() when Postgres can answer. */
  waitReady?: boolean;
}): Promise<PoolerHandle> {
  const dir = path.join(options.runDir, 'pgbouncer');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const port = await freePort();
  const userlist = path.join(dir, 'userlist.txt');
  const configFile = path.join(dir, 'pgbouncer.ini');
  // A plain-text password in the auth file lets PgBouncer do SCRAM on both sides.
  writeFileSync(userlist, `"${options.appUser}" "${options.appPassword}"\n`, { mode: 0o600 });
  writeFileSync(
    configFile,
    [
      '[databases]',
      `${options.database} = host=127.0.0.1 port=${options.postgresPort} dbname=${options.database}`,
      '',
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = scram-sha-256',
      `auth_file = ${userlist}`,
      `pool_mode = ${options.poolMode ?? 'transaction'}`,
      'max_client_conn = 500',
      'default_pool_size = 20',
      'server_reset_query =',
      'server_login_retry = 1',
      'query_wait_timeout = 30',
      'log_connections = 0',
      'log_disconnections = 0',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  const owned = [dir, userlist, configFile];
  if (options.tls) {
    const key = path.join(dir, 'server.key');
    const cert = path.join(dir, 'server.crt');
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
    } catch {
      throw new Error('openssl is needed to make the pooler\'s throwaway TLS certificate: apt-get install -y openssl');
    }
    appendFileSync(configFile, ['client_tls_sslmode = require', `client_tls_key_file = ${key}`, `client_tls_cert_file = ${cert}`, ''].join('\n'));
    owned.push(key, cert);
  }
  if (options.user) for (const f of owned) chownSync(f, options.user.uid, options.user.gid);

  const proc = new ManagedProcess({
    name: 'pooler',
    command: options.bins.pgbouncer,
    args: [configFile],
    env: process.env,
    uid: options.user?.uid,
    gid: options.user?.gid,
    logFile: options.logFile,
    onLine: options.onLine,
    stopSignal: 'SIGTERM',
  }).start();
  // The harness itself speaks TLS when the pooler requires it (without verifying the throwaway cert).
  const url = `postgresql://${options.appUser}:${encodeURIComponent(options.appPassword)}@127.0.0.1:${port}/${options.database}${options.tls ? '?sslmode=no-verify' : ''}`;
  const ready = () =>
    waitUntil(() => queryOnce(url, 'SELECT 1').then(() => true), {
      what: 'pgbouncer passing queries to postgres',
      timeoutMs: 20_000,
      abortIf: () => proc.exitReason,
    }).then(() => undefined);
  // Asked before Postgres answers (or before the role has this run's password), PgBouncer would
  // hold the failed server login against us for server_login_retry: the caller says when.
  if (options.waitReady !== false) await ready();
  return { process: proc, port, configFile, harnessUrl: url, ready };
}
