import { describe, expect, it } from 'vitest';
import { redact } from '../helpers/redact.ts';
import { createLogger } from '../services/shared/log.ts';

describe('redaction', () => {
  it('masks passwords in connection strings, however many', () => {
    expect(redact('a postgres://app:pw1@h:6543/db b postgresql://postgres.ref:p%40ss@pooler:5432/x')).toBe(
      'a postgres://app:***@h:6543/db b postgresql://postgres.ref:***@pooler:5432/x',
    );
  });

  it('masks known secret values anywhere', () => {
    expect(redact('key=abcdef123456 and again abcdef123456', ['abcdef123456'])).toBe('key=*** and again ***');
  });

  it('service logs mask URL passwords even inside error messages', () => {
    const lines: string[] = [];
    createLogger('api', (l) => lines.push(l)).error('connect failed for postgres://u:hunter2@db:5432/app');
    expect(lines[0]).toContain('postgres://u:***@db:5432/app');
    expect(lines[0]).not.toContain('hunter2');
  });
});

describe('secrets of a connection string', () => {
  it('gives the password decoded and as written, or nothing', async () => {
    const { urlPasswords } = await import('../helpers/stack/secrets.ts');
    expect(urlPasswords('postgresql://u:p%40ss@h:6543/db')).toEqual(['p@ss', 'p%40ss']);
    expect(urlPasswords('postgresql://u:plain@h/db')).toEqual(['plain']);
    expect(urlPasswords('postgresql://u@h/db')).toEqual([]);
    expect(urlPasswords(undefined)).toEqual([]);
  });
});

describe('one redactor: every place and form a password takes', () => {
  const masked = (text: string, secrets: string[] = []) => redact(text, secrets);

  it('an unencoded @ in the password: the last @ before the host ends it', () => {
    expect(masked('postgresql://postgres.ref:p@ss@w0rd@pooler.example:6543/db')).toBe('postgresql://postgres.ref:***@pooler.example:6543/db');
    expect(masked('x postgres://u:a@b@h y postgres://v:c@d/e')).toBe('x postgres://u:***@h y postgres://v:***@d/e');
  });

  it('a password as a query parameter, whatever its length', () => {
    expect(masked('postgresql://app@db.example:5432/app?sslmode=require&password=x')).toBe('postgresql://app@db.example:5432/app?sslmode=require&password=***');
    expect(masked('postgres://h/db?password=hunter2&sslmode=require')).toBe('postgres://h/db?password=***&sslmode=require');
    expect(masked('{"url":"postgres://h/db?password=a%22b"}')).toBe('{"url":"postgres://h/db?password=***"}');
  });

  it('headers and key=value pairs', () => {
    expect(masked('authorization: Basic dXNlcjpwYXNz')).toBe('authorization: Basic ***');
    expect(masked('"x-api-key":"k-123"')).toBe('"x-api-key":"***"');
    expect(masked('PGPASSWORD=abc psql')).toBe('PGPASSWORD=*** psql');
    expect(masked('{"password": "a\\"b"}')).toBe('{"password": "***"}');
    expect(masked('wrong password for user "app"')).toBe('wrong password for user "app"');
  });

  it('a known secret in raw, URL-encoded, JSON-escaped, XML-escaped and base64 forms', () => {
    const secret = 'Pa"ss\\w/rd @1+';
    const forms = [
      secret,
      encodeURIComponent(secret),
      JSON.stringify(secret).slice(1, -1),
      JSON.stringify(JSON.stringify(secret)).slice(1, -1),
      secret.replace(/&/g, '&amp;').replace(/"/g, '&quot;'),
      Buffer.from(secret).toString('base64'),
      Buffer.from(`user:${secret}`).toString('base64'), // basic auth: the secret at another alignment
      Buffer.from(`us:${secret}`).toString('base64'),
      Buffer.from(`u:${secret}`).toString('base64'),
    ];
    for (const form of forms) {
      const out = masked(`before ${form} after`, [secret]);
      expect(out, form).not.toContain(form.length > 12 ? form.slice(4, -4) : form);
    }
  });

  it('short secrets (1–3 characters): masked as whole tokens and by shape, never inside words', () => {
    expect(masked('password is x1 here', ['x1'])).toBe('password is *** here');
    expect(masked('ex1t', ['x1'])).toBe('ex1t');
    expect(masked('postgres://u:ab@h/db', ['ab'])).toBe('postgres://u:***@h/db');
    expect(masked('postgres://u@h/db?password=ab', ['ab'])).toBe('postgres://u@h/db?password=***');
  });

  it('values are redacted before serialising: no escaped form survives in JSON', async () => {
    const { redactDeep } = await import('../helpers/redact.ts');
    const secret = 'q"u\\o';
    const json = JSON.stringify(redactDeep({ error: `login failed for ${secret}`, list: [secret] }, [secret]));
    expect(json).not.toContain(JSON.stringify(secret).slice(1, -1));
    expect(JSON.parse(json)).toEqual({ error: 'login failed for ***', list: ['***'] });
  });

  it('the secrets inside a URL: userinfo (with an unencoded @) and query parameters, as written and decoded', async () => {
    const { urlSecrets } = await import('../helpers/redact.ts');
    expect(urlSecrets('postgresql://u:p@ss@h/db')).toEqual(expect.arrayContaining(['p@ss']));
    expect(urlSecrets('postgresql://u:p%40ss@h/db')).toEqual(expect.arrayContaining(['p%40ss', 'p@ss']));
    expect(urlSecrets('postgresql://u@h/db?password=a%2Bb&sslmode=require')).toEqual(expect.arrayContaining(['a%2Bb', 'a+b']));
    expect(urlSecrets('https://api.example')).toEqual([]);
  });

  it('secret-named environment variables and the secrets of URL-valued ones', async () => {
    const { envSecrets } = await import('../helpers/redact.ts');
    expect(envSecrets({ DATABASE_URL: 'postgres://u:dbpw@h/db', EXTERNAL_API_KEY: 'k-1', PGPASSWORD: 'pg', HOME: '/root' }).sort()).toEqual(['dbpw', 'k-1', 'pg']);
  });
});
