// What kind of database URL is this? Direct host or pooler, session or transaction port, and the
// hosted pooler's user form. Pure: no network. The checks a person would do by eye, written down.
import { maskUrlPasswords } from '../../contract/mask.ts';

export type UrlKind = 'supabase-pooler' | 'supabase-direct' | 'other';
export type PortMode = 'transaction' | 'session' | 'unknown';

export interface UrlClassification {
  host: string;
  port: number;
  user: string;
  database: string;
  kind: UrlKind;
  mode: PortMode;
  sslmode?: string;
  /** Facts worth printing. */
  notes: string[];
  /** Problems: each names the fix. */
  warnings: string[];
}

export function classifyDatabaseUrl(url: string, expectedMode: 'transaction' | 'session'): UrlClassification {
  const u = new URL(url);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const port = Number(u.port || 5432);
  const user = decodeURIComponent(u.username);
  const database = decodeURIComponent(u.pathname.replace(/^\//, '')) || user;
  const sslmode = u.searchParams.get('sslmode') ?? undefined;
  const kind: UrlKind = /\.pooler\.supabase\.com$/i.test(host)
    ? 'supabase-pooler'
    : /^db\.[a-z0-9]+\.supabase\.co$/i.test(host)
      ? 'supabase-direct'
      : 'other';
  const mode: PortMode = port === 6543 ? 'transaction' : kind === 'supabase-pooler' && port === 5432 ? 'session' : kind === 'supabase-direct' ? 'session' : 'unknown';
  const notes: string[] = [`${maskUrlPasswords(url)}: host ${host}, port ${port}, user ${user}, database ${database}`];
  const warnings: string[] = [];

  if (kind === 'supabase-direct') {
    notes.push('this is the direct database host (db.<project-ref>.supabase.co), not the pooler');
    warnings.push(
      'direct host: it resolves to IPv6 only on many projects, and platforms without IPv6 egress (Render, many CI runners) cannot reach it; ' +
        'use the pooler URL (postgres.<project-ref>@<region>.pooler.supabase.com:6543)',
    );
  }
  if (kind === 'supabase-pooler') {
    notes.push(`the hosted pooler, ${port === 6543 ? 'transaction mode (6543)' : port === 5432 ? 'session mode (5432)' : `port ${port}`}`);
    if (!/^[^.]+\.[a-z0-9]+$/i.test(user)) {
      warnings.push(`user "${user}" is not in the pooler's form postgres.<project-ref>: the pooler answers "Tenant or user not found"`);
    }
  }
  if (expectedMode === 'transaction' && mode === 'session') {
    warnings.push(`the profile says POOL_MODE=transaction but port ${port} is session mode (or direct): use port 6543 for transaction mode`);
  }
  if (expectedMode === 'session' && mode === 'transaction') {
    warnings.push('the profile says POOL_MODE=session but port 6543 is transaction mode: services relying on session state will break');
  }
  if (sslmode === 'require' || sslmode === 'verify-ca') {
    notes.push(
      `sslmode=${sslmode}: node-postgres treats it as verify-full (the certificate chain and host name are checked); ` +
        'with a self-signed or private CA use sslrootcert=<ca file> or sslmode=no-verify',
    );
  }
  return { host, port, user, database, kind, mode, sslmode, notes, warnings };
}
