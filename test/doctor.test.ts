// doctor's pure parts: flags (bad usage is named), the verdict's choice of cause, masking of
// URLs, and the bounded probes against local fakes.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { readinessDiagnosis } from '../helpers/diagnose/api.ts';
import { BoundExceeded, withinBound } from '../helpers/diagnose/bound.ts';
import { poolModeMismatch } from '../helpers/diagnose/pool-mode.ts';
import { probeTls } from '../helpers/diagnose/tls.ts';
import { parseArgs, UsageError } from '../helpers/doctor/args.ts';
import { displayUrl, secretsOf } from '../helpers/doctor/output.ts';
import type { DoctorStep } from '../helpers/doctor/step.ts';
import { verdictOf } from '../helpers/doctor/verdict.ts';

describe('doctor flags', () => {
  it('takes flags, with DATABASE_URL / API_URL from the environment as fallbacks', () => {
    const o = parseArgs(['--api-url=http://127.0.0.1:8000', '--expected-commit', 'abc1234', '--json'], { DATABASE_URL: 'postgresql://u:p@h:6543/d' });
    expect(o).toMatchObject({ databaseUrl: 'postgresql://u:p@h:6543/d', apiUrl: 'http://127.0.0.1:8000', expectedCommit: 'abc1234', poolMode: 'transaction', json: true });
  });

  it.each([
    [['--nope'], /unknown flag "--nope"/],
    [['--database-url'], /--database-url needs a value/],
    [['--database-url', 'mysql://u:secret@h/db'], /--database-url: expected a postgres:\/\/ or postgresql:\/\/ URL; got mysql:\/\/…/],
    [['--database-url', 'not a url'], /--database-url: not a URL/],
    [['--api-url', 'localhost:8000'], /--api-url: expected a http:\/\/ or https:\/\/ URL/],
    [[], /nothing to diagnose/],
    [['--api-url', 'http://h', '--expected-commit', 'main'], /--expected-commit: expected a git commit/],
    [['--database-url', 'postgresql://h/db', '--expected-branch', 'main'], /give --api-url too/],
    [['--database-url', 'postgresql://h/db', '--pool-mode', 'statement'], /--pool-mode: expected transaction or session/],
  ])('%j is bad usage', (argv, message) => {
    expect(() => parseArgs(argv as string[], {})).toThrow(UsageError);
    expect(() => parseArgs(argv as string[], {})).toThrow(message);
  });

  it('never echoes a malformed URL (it may hold a password)', () => {
    expect(() => parseArgs(['--database-url', 'postgresql://u:pa ss@[bad/db'], {})).toThrow(/^--database-url: not a URL/);
    try {
      parseArgs(['--database-url', 'postgresql://u:pa ss@[bad/db'], {});
    } catch (error) {
      expect((error as Error).message).not.toContain('pa ss');
    }
  });
});

const step = (target: DoctorStep['target'], id: string, status: DoctorStep['status'], cause?: string): DoctorStep => ({
  target, id, title: id, status, ms: 1, boundMs: 1000, found: `${id} found`, diagnosis: cause ? { cause, fix: `fix ${id}` } : undefined,
});

describe('doctor verdict', () => {
  it('the first failed step names the cause; later ones follow as "also"', () => {
    const v = verdictOf([step('database', 'url', 'warn', 'direct host'), step('database', 'connect', 'fail', 'first cause'), step('api', 'workers', 'fail', 'second cause')]);
    expect(v).toMatchObject({ status: 'FAIL', cause: 'first cause', fix: 'fix connect', also: ['api workers: second cause'], warnings: ['database url: direct host'] });
  });

  it('passes with warnings', () => {
    const v = verdictOf([step('api', 'port', 'pass'), step('api', 'release', 'warn', 'no identity'), step('api', 'workers', 'skip')]);
    expect(v).toMatchObject({ status: 'PASS', cause: 'the API: all 2 checks passed, 1 warning' });
  });
});

describe('pool mode mismatch', () => {
  it('session where transaction was meant, and the reverse', () => {
    expect(poolModeMismatch('transaction', 'transaction')).toBeUndefined();
    expect(poolModeMismatch('transaction', 'session')?.cause).toMatch(/session mode .* where transaction mode was meant/);
    expect(poolModeMismatch('session', 'transaction')?.cause).toMatch(/transaction mode .* where session mode was meant/);
  });
});

describe('readiness', () => {
  it('a 503 names the database cause the API reports', () => {
    expect(readinessDiagnosis(200, {}, '')).toBeUndefined();
    const body = { status: 'fail', checks: { 'postgres:connection': [{ status: 'fail', output: 'connect ECONNREFUSED 127.0.0.1:6543' }] } };
    const d = readinessDiagnosis(503, body, JSON.stringify(body));
    expect(d?.cause).toMatch(/^the API cannot reach its database \(\/health\/ready is 503\): /);
    expect(readinessDiagnosis(500, undefined, 'boom')?.cause).toBe('GET /health/ready answered 500: boom');
  });
});

describe('doctor masking', () => {
  it('masks the database password and the whole API userinfo', () => {
    expect(displayUrl('postgresql://app:s3cret@h:6543/db')).toBe('postgresql://app:***@h:6543/db');
    expect(displayUrl('https://ops:tok3n@api.example/', true)).toBe('https://***@api.example/');
    expect(displayUrl('https://tok3nonly@api.example/', true)).toBe('https://***@api.example/');
    expect(secretsOf({ databaseUrl: 'postgresql://app:s%40cret@h/db', apiUrl: 'https://ops:tok3n@api.example/' })).toEqual(expect.arrayContaining(['s@cret', 's%40cret', 'tok3n', 'ops']));
  });
});

describe('bounded probes', () => {
  let server: net.Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  const fake = (onData: (socket: net.Socket) => void) =>
    new Promise<number>((resolve) => {
      server = net.createServer((socket) => socket.once('data', () => onData(socket)));
      server.listen(0, '127.0.0.1', () => resolve((server!.address() as net.AddressInfo).port));
    });

  it('withinBound settles at the bound even when the work never does, and aborts it', async () => {
    let aborted = false;
    const started = performance.now();
    await expect(withinBound(100, 'never', (signal) => new Promise(() => signal.addEventListener('abort', () => (aborted = true))))).rejects.toThrow(BoundExceeded);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(aborted).toBe(true);
  });

  it('TLS: S is offered, N is not, anything else is not Postgres, silence is a timeout', async () => {
    expect((await probeTls('127.0.0.1', await fake((s) => s.end('S')), 1_000)).offer).toBe('offered');
    await new Promise<void>((r) => server!.close(() => r()));
    expect((await probeTls('127.0.0.1', await fake((s) => s.end('N')), 1_000)).offer).toBe('not-offered');
    await new Promise<void>((r) => server!.close(() => r()));
    expect((await probeTls('127.0.0.1', await fake((s) => s.end('HTTP/1.1 400 Bad Request\r\n')), 1_000)).error).toMatch(/not a Postgres answer/);
    await new Promise<void>((r) => server!.close(() => r()));
    const silent = await probeTls('127.0.0.1', await fake(() => undefined), 200);
    expect(silent.error).toBe('ETIMEDOUT');
    server!.close();
    server = undefined;
  });
});
