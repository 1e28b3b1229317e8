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
