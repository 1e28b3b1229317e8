// Errors that only the logs show, read from what the stack captured (the services' own output,
// the pooler's and Postgres's logs), for any implementation: a check notes where each log ends,
// does its work, then reads what was written since and quotes the lines that name a cause.
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';

export type LogOffsets = Record<string, number>;

/** Where each log file ends now. */
export function logOffsets(files: Record<string, string>): LogOffsets {
  return Object.fromEntries(Object.entries(files).map(([name, file]) => [name, existsSync(file) ? statSync(file).size : 0]));
}

/** Lines each log gained since `offsets` (at most `maxBytes` per log), as `service: line`. */
export function linesSince(files: Record<string, string>, offsets: LogOffsets, maxBytes = 1 << 20): string[] {
  const out: string[] = [];
  for (const [name, file] of Object.entries(files)) {
    if (!existsSync(file)) continue;
    const from = offsets[name] ?? 0;
    const length = Math.min(statSync(file).size - from, maxBytes);
    if (length <= 0) continue;
    const buffer = Buffer.alloc(length);
    const fd = openSync(file, 'r');
    try {
      readSync(fd, buffer, 0, length, from);
    } finally {
      closeSync(fd);
    }
    for (const line of buffer.toString('utf8').split('\n')) if (line.trim()) out.push(`${name}: ${line.trim()}`);
  }
  return out;
}

/** What a transaction-mode pooler refuses, as Postgres, PgBouncer or a client library words it. */
export const POOLER_INCOMPATIBLE = [
  /prepared statement "[^"]*" (?:already exists|does not exist)/i,
  /unsupported startup parameter/i,
  /DuplicatePreparedStatement|InvalidSqlStatementName/,
];

/** The captured lines that show a pooler incompatibility, first few only. */
export function poolerIncompatibilities(lines: string[], max = 5): string[] {
  // The suite's own probes (suites/pooler) provoke these errors on purpose, under names of their own.
  return lines.filter((l) => !l.includes('e2e_named_') && POOLER_INCOMPATIBLE.some((re) => re.test(l))).slice(0, max);
}
