// Schema migrations: an explicit, idempotent command (`npm run migrate`), never a side effect of
// booting a service. Each file runs in its own transaction under an advisory lock, so two
// concurrent runs (two deploys) cannot apply the same file twice. Pooler-safe: no session state.
import { realpathSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { createPool, inTransaction, maskUrl } from './shared/db.ts';
import { loadOrExit, parseEnv, postgresUrl } from './shared/env-config.ts';

const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');
const LOCK_KEY = 74_211_001; // arbitrary, fixed: identifies "schema migration" advisory locks

export async function migrate(databaseUrl: string, log: (line: string) => void = console.log): Promise<string[]> {
  const pool = createPool({ connectionString: databaseUrl, max: 1, applicationName: 'migrate', queryTimeoutMs: 60_000 }, () => undefined);
  const applied: string[] = [];
  try {
    const files = (await readdir(MIGRATIONS_DIR)).filter((f) => f.endsWith('.sql')).sort();
    for (const file of files) {
      const sql = await readFile(path.join(MIGRATIONS_DIR, file), 'utf8');
      const ran = await inTransaction(pool, async (client) => {
        await client.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
        await client.query(
          'CREATE TABLE IF NOT EXISTS schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
        );
        const done = await client.query('SELECT 1 FROM schema_migrations WHERE version = $1', [file]);
        if (done.rowCount) return false;
        await client.query(sql);
        await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [file]);
        return true;
      });
      log(ran ? `migrate: applied ${file}` : `migrate: ${file} already applied`);
      if (ran) applied.push(file);
    }
    return applied;
  } finally {
    await pool.end();
  }
}

/** Hosts of this machine: a migration there needs no confirmation. A socket directory counts. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === '' || h === 'localhost' || h.endsWith('.localhost') || /^127(\.\d{1,3}){3}$/.test(h) || h === '::1' || h.startsWith('/');
}

/**
 * DDL on another machine's database only when asked for in so many words: the flag
 * --yes-apply-to-remote, or MIGRATE_CONFIRM_HOST set to exactly the host of DATABASE_URL (for CI,
 * where the confirmation is tied to one host). Returns why it refuses, or undefined.
 */
export function remoteRefusal(databaseUrl: string, argv: readonly string[], env: NodeJS.ProcessEnv): string | undefined {
  const url = new URL(databaseUrl);
  const host = url.searchParams.get('host') ?? decodeURIComponent(url.hostname);
  if (isLoopbackHost(host)) return undefined;
  if (argv.includes('--yes-apply-to-remote')) return undefined;
  if (env.MIGRATE_CONFIRM_HOST?.trim().toLowerCase() === host.toLowerCase()) return undefined;
  return (
    `refusing to apply the schema to ${host}, which is not this machine (DATABASE_URL points at ${maskUrl(databaseUrl)}). ` +
    `If that is really meant, run \`npm run migrate -- --yes-apply-to-remote\` or set MIGRATE_CONFIRM_HOST=${host}`
  );
}

// Run as a command (not imported): compared as real paths, since the module's URL is the real path
// and argv[1] may go through a symlink (a linked node_modules): unequal, the command did nothing
// and exited 0, a migration silently skipped.
const realPath = (file: string) => {
  try {
    return realpathSync(file);
  } catch {
    return path.resolve(file); // argv[1] need not exist (a loader's own entry): compare as given
  }
};
if (process.argv[1] && realPath(fileURLToPath(import.meta.url)) === realPath(process.argv[1])) {
  const { DATABASE_URL } = loadOrExit('migrate', () =>
    parseEnv({ DATABASE_URL: postgresUrl }, process.env),
  );
  const refusal = remoteRefusal(DATABASE_URL, process.argv.slice(2), process.env);
  if (refusal) {
    process.stderr.write(`migrate: ${refusal}\n`);
    process.exit(2);
  }
  migrate(DATABASE_URL).catch((error: Error) => {
    process.stderr.write(`migrate: failed against ${maskUrl(DATABASE_URL)}: ${error.message}\n`);
    process.exit(1);
  });
}
