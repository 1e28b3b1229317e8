import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadProfile, ProfileError } from '../helpers/profile.ts';
import { isLoopbackHost, remoteRefusal } from '../services/migrate.ts';
import { tempDir } from './support/temp-dir.ts';

describe('npm run e2e (the local target) refuses to become a live run', () => {
  const dir = tempDir('guard');
  writeFileSync(path.join(dir, 'local.env'), 'E2E_PROVIDER=auto\n');
  writeFileSync(path.join(dir, 'staging.env'), 'E2E_PROVIDER=external\nAPI_URL=https://api.example.invalid\n');

  it('E2E_PROVIDER=external left in the shell: a clear problem naming the way out', () => {
    const problems = (() => {
      try {
        loadProfile('local', { E2E_PROVIDER: 'external', API_URL: 'https://api.example.invalid' }, dir);
        return [];
      } catch (error) {
        return (error as ProfileError).problems;
      }
    })();
    expect(problems).toEqual([expect.stringMatching(/^E2E_PROVIDER: external is a live run, but the target is "local".*npm run e2e:staging/)]);
  });

  it('a named live target is fine', () => {
    expect(loadProfile('staging', {}, dir).profile.E2E_PROVIDER).toBe('external');
    expect(loadProfile('local', {}, dir).profile.E2E_PROVIDER).toBe('auto');
  });
});

describe('npm run migrate refuses a remote database unless confirmed', () => {
  it('knows the loopback hosts', () => {
    for (const h of ['localhost', '127.0.0.1', '127.3.4.5', '[::1]', '::1', 'api.localhost', '/var/run/postgresql']) expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ['db.abc.supabase.co', '10.0.0.5', '127.0.0.1.nip.io', 'pooler', '::2']) expect(isLoopbackHost(h), h).toBe(false);
  });

  it('lets a local URL through, refuses a remote one naming the ways to confirm, never the password', () => {
    expect(remoteRefusal('postgresql://app:pw@127.0.0.1:6432/app', [], {})).toBeUndefined();
    const refusal = remoteRefusal('postgresql://postgres.ref:s3cret-pw@aws-0-eu.pooler.supabase.com:6543/postgres', [], {});
    expect(refusal).toMatch(/refusing to apply the schema to aws-0-eu\.pooler\.supabase\.com/);
    expect(refusal).toMatch(/--yes-apply-to-remote/);
    expect(refusal).toMatch(/MIGRATE_CONFIRM_HOST=aws-0-eu\.pooler\.supabase\.com/);
    expect(refusal).not.toContain('s3cret-pw');
  });

  it('takes the flag, or MIGRATE_CONFIRM_HOST naming exactly that host', () => {
    const url = 'postgresql://u:p@db.example.invalid:5432/x';
    expect(remoteRefusal(url, ['--yes-apply-to-remote'], {})).toBeUndefined();
    expect(remoteRefusal(url, [], { MIGRATE_CONFIRM_HOST: 'db.example.invalid' })).toBeUndefined();
    expect(remoteRefusal(url, [], { MIGRATE_CONFIRM_HOST: 'other.example.invalid' })).toBeDefined();
    expect(remoteRefusal(url, [], { MIGRATE_CONFIRM_HOST: 'example.invalid' })).toBeDefined();
  });

  it('the command exits 2 before connecting anywhere', () => {
    let code = 0;
    let stderr = '';
    try {
      execFileSync(process.execPath, ['--import', 'tsx', 'services/migrate.ts'], {
        env: { PATH: process.env.PATH, DATABASE_URL: 'postgresql://u:pw-9f2@db.example.invalid:5432/x' },
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 20_000,
      });
    } catch (error) {
      const e = error as { status: number; stderr: Buffer };
      code = e.status;
      stderr = e.stderr.toString();
    }
    expect(code).toBe(2);
    expect(stderr).toMatch(/migrate: refusing to apply the schema to db\.example\.invalid/);
    expect(stderr).not.toContain('pw-9f2');
  }, 20_000);
});
