import { describe, expect, it } from 'vitest';
import { diagnoseConnectError } from '../helpers/diagnose/connect-error.ts';
import { classifyDatabaseUrl } from '../helpers/diagnose/database-url.ts';

describe('database URL classification', () => {
  it('the hosted pooler in transaction mode with the right user form: no warnings', () => {
    const c = classifyDatabaseUrl('postgresql://postgres.abcdefghijklmnopqrst:pw@aws-0-eu-central-1.pooler.supabase.com:6543/postgres', 'transaction');
    expect(c).toMatchObject({ kind: 'supabase-pooler', mode: 'transaction', user: 'postgres.abcdefghijklmnopqrst', port: 6543, warnings: [] });
    expect(c.notes.join('\n')).not.toContain(':pw@');
  });

  it('the direct host: warns that it may be IPv6-only and names the pooler URL', () => {
    const c = classifyDatabaseUrl('postgresql://postgres:pw@db.abcdefghijklmnopqrst.supabase.co:5432/postgres', 'transaction');
    expect(c.kind).toBe('supabase-direct');
    expect(c.warnings.join('\n')).toMatch(/direct host: it resolves to IPv6 only/);
    expect(c.warnings.join('\n')).toMatch(/POOL_MODE=transaction but port 5432 is session mode/);
  });

  it('the pooler with a plain user: "Tenant or user not found" is predicted', () => {
    const c = classifyDatabaseUrl('postgresql://postgres:pw@aws-0-eu-central-1.pooler.supabase.com:6543/postgres', 'transaction');
    expect(c.warnings).toEqual(['user "postgres" is not in the pooler\'s form postgres.<project-ref>: the pooler answers "Tenant or user not found"']);
  });

  it('session port of the pooler when the profile wants transaction mode', () => {
    const c = classifyDatabaseUrl('postgresql://postgres.ref:pw@aws-0-eu-central-1.pooler.supabase.com:5432/postgres', 'transaction');
    expect(c.mode).toBe('session');
    expect(c.warnings[0]).toMatch(/use port 6543 for transaction mode/);
  });

  it('sslmode=require is explained: node-postgres verifies the chain', () => {
    const c = classifyDatabaseUrl('postgresql://u:pw@127.0.0.1:6543/db?sslmode=require', 'transaction');
    expect(c.notes.join('\n')).toMatch(/node-postgres treats it as verify-full/);
  });
});

describe('connection error diagnosis', () => {
  const where = { host: 'db.example', port: 6543, user: 'app', timeoutMs: 5000 };
  it.each([
    [{ code: '28P01', message: 'password authentication failed for user "app"' }, /wrong password for user "app"/],
    [{ message: 'SASL authentication failed' }, /wrong password/],
    [{ code: 'XX000', message: 'Tenant or user not found' }, /postgres\.<project-ref>/],
    [{ code: '08P01', message: 'unsupported startup parameter: statement_timeout' }, /rejects the startup parameter statement_timeout/],
    [{ code: 'SELF_SIGNED_CERT_IN_CHAIN', message: 'self-signed certificate in certificate chain' }, /node-postgres treats sslmode=require as verify-full/],
    [{ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }, /nothing listens on db\.example:6543/],
    [{ code: 'ENETUNREACH', message: 'connect ENETUNREACH' }, /network is unreachable/],
    [{ code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND' }, /does not resolve/],
    [{ message: 'timeout expired' }, /no answer from db\.example:6543 within 5000 ms/],
  ])('%j', (error, expected) => {
    const d = diagnoseConnectError(error, where);
    expect(`${d.cause}; fix: ${d.fix}`).toMatch(expected);
  });
});
