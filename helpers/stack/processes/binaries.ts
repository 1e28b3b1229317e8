// Finds the native binaries the processes provider needs, or fails naming the missing one and
// the command that installs it.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

export class MissingBinary extends Error {}

const INSTALL_HINT = 'run `npm run setup` (or: sudo apt-get install -y postgresql pgbouncer)';

export interface NativeBinaries {
  initdb: string;
  postgres: string;
  pgbouncer: string;
}

function onPath(name: string): string | undefined {
  try {
    return execFileSync('bash', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Debian keeps server binaries in /usr/lib/postgresql/<major>/bin, off PATH; take the newest ≥ 15. */
function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const majors = readdirSync(root)
      .map(Number)
      .filter((n) => n >= 15 && existsSync(path.join(root, String(n), 'bin', 'postgres')))
      .sort((a, b) => b - a);
    if (majors.length) return path.join(root, String(majors[0]), 'bin');
  }
  const initdb = onPath('initdb');
  return initdb ? path.dirname(initdb) : undefined;
}

export function findNativeBinaries(): NativeBinaries {
  const bin = postgresBinDir();
  if (!bin || !existsSync(path.join(bin, 'initdb'))) {
    throw new MissingBinary(`PostgreSQL 15+ server binaries (initdb, postgres) not found: ${INSTALL_HINT}`);
  }
  const pgbouncer = onPath('pgbouncer') ?? (existsSync('/usr/sbin/pgbouncer') ? '/usr/sbin/pgbouncer' : undefined);
  if (!pgbouncer) throw new MissingBinary(`pgbouncer not found: ${INSTALL_HINT}`);
  return { initdb: path.join(bin, 'initdb'), postgres: path.join(bin, 'postgres'), pgbouncer };
}

/** Postgres and PgBouncer refuse to run as root: when root, run them as the `postgres` user. */
export function unprivilegedUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    throw new MissingBinary('running as root, and there is no `postgres` user to run Postgres and PgBouncer as: run `npm run setup` (it installs postgresql, which creates the user)');
  }
}
