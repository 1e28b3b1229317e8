// `npm run doctor` as a person runs it: the real command in a child process, holding one URL (or a
// URL and a base URL) and nothing else. One stack serves every case; each case's fault comes from
// what doctor is given (a wrong password, a session-mode pooler, a wrong expected commit) or, last,
// from stopping the workers. The IPv6-only direct host needs no stack: a network namespace of its
// own, where the host name resolves only to IPv6 and there is no IPv6 route.
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IPV6_ONLY_DIAGNOSIS } from '../../helpers/diagnose/database.ts';
import { findNativeBinaries, unprivilegedUser } from '../../helpers/stack/processes/binaries.ts';
import { startPgBouncer, type PoolerHandle } from '../../helpers/stack/processes/pgbouncer.ts';
import { startProcessStack, type ProcessStack } from '../../helpers/stack/processes/index.ts';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DOCTOR = path.join(REPO, 'scripts/doctor.ts');
const NETNS = path.join(REPO, 'scripts/netns.sh');
/** The issue asks for 5 s; CI is a busy 2-core box, so the assertion leaves room and the time is printed. */
const SLACK_MS = 15_000;

interface DoctorRun {
  code: number | null;
  output: string;
  /** The verdict's first line. */
  verdict: string;
  ms: number;
}

async function doctor(name: string, args: string[], options: { wrap?: string[]; env?: Record<string, string> } = {}): Promise<DoctorRun> {
  const command = [...(options.wrap ?? []), process.execPath, '--import', 'tsx', DOCTOR, ...args];
  // A clean environment: only what the case gives (no DATABASE_URL or API_URL leaking in).
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, ...options.env };
  const started = performance.now();
  const child = spawn(command[0]!, command.slice(1), { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const code: number | null = await new Promise((resolve) => child.on('close', resolve));
  clearTimeout(timer);
  const ms = Math.round(performance.now() - started);
  const verdict = output.split('\n').find((l) => l.startsWith('verdict:')) ?? '(no verdict line)';
  console.log(`doctor ${name}: exit ${code} in ${ms} ms\n${output.trimEnd().slice(0, 4000)}`);
  return { code, output, verdict, ms };
}

const withPassword = (url: string, password: string) => {
  const u = new URL(url);
  u.password = password;
  return u.toString();
};

describe('npm run doctor against a local stack', () => {
  let stack: ProcessStack;
  let sessionPooler: PoolerHandle | undefined;
  let sessionDir: string | undefined;
  let sessionUrl: string;

  beforeAll(async () => {
    stack = await startProcessStack({ label: 'doctor' });
    // A second PgBouncer on the same Postgres, in session mode: the "wrong port" of the hosted pooler.
    const direct = new URL(stack.endpoints.directUrl!);
    sessionDir = mkdtempSync(path.join(os.tmpdir(), 'e2e-doctor-'));
    chmodSync(sessionDir, 0o755);
    const password = decodeURIComponent(direct.password);
    sessionPooler = await startPgBouncer({
      bins: findNativeBinaries(), runDir: sessionDir, logFile: path.join(sessionDir, 'pooler-session.log'), user: unprivilegedUser(),
      postgresPort: Number(direct.port), database: direct.pathname.slice(1), appUser: decodeURIComponent(direct.username), appPassword: password,
      poolMode: 'session',
    });
    sessionUrl = sessionPooler.harnessUrl;
  }, 120_000);

  afterAll(async () => {
    await sessionPooler?.process.stop();
    if (sessionDir) rmSync(sessionDir, { recursive: true, force: true });
    await stack?.stop();
  });

  const secrets = () => stack.endpoints.secrets;
  const noSecrets = (run: DoctorRun, extra: string[] = []) => {
    for (const s of [...secrets(), ...extra]) expect(run.output.includes(s), 'a secret appears in the output').toBe(false);
  };

  it('a healthy stack: every step passes, exit 0', async () => {
    const e = stack.endpoints;
    const run = await doctor('healthy', [
      '--database-url', e.poolerUrl!, '--api-url', e.apiUrl,
      '--expected-commit', e.release.commit.slice(0, 7), '--expected-branch', e.release.branch,
    ]);
    expect(run.code, run.output).toBe(0);
    expect(run.verdict).toMatch(/^verdict: PASS — DATABASE_URL and the API: all 13 checks passed$/);
    expect(run.output).toMatch(/ok {4}db {2}pool mode .* transaction mode \(transaction meant\)/);
    expect(run.output).toMatch(/ok {4}api workers .* worker-1 beat/);
    expect(run.ms).toBeLessThan(SLACK_MS);
    noSecrets(run);
  });

  it('--json: one object with steps, verdict and exit code; API userinfo never printed', async () => {
    const api = new URL(stack.endpoints.apiUrl);
    api.username = 'ops-user-77';
    api.password = 'api-secret-5e1d';
    const run = await doctor('json', ['--json', '--api-url', api.toString()]);
    expect(run.code, run.output).toBe(0);
    const out = JSON.parse(run.output);
    expect(out).toMatchObject({ exitCode: 0, verdict: { status: 'PASS', line: expect.stringMatching(/^verdict: PASS/) } });
    expect(out.steps.map((s: { target: string; id: string }) => `${s.target}.${s.id}`)).toEqual(['api.port', 'api.live', 'api.ready', 'api.health', 'api.release', 'api.workers']);
    for (const s of out.steps) expect(s).toMatchObject({ status: expect.any(String), ms: expect.any(Number), boundMs: expect.any(Number), found: expect.any(String) });
    noSecrets(run, ['ops-user-77', 'api-secret-5e1d']);
  });

  it('a wrong password: the login fails, naming the cause, never the password', async () => {
    const wrong = 'not-the-password-4f1c';
    const run = await doctor('wrong-password', ['--database-url', withPassword(stack.endpoints.poolerUrl!, wrong)]);
    expect(run.code, run.output).toBe(1);
    expect(run.verdict).toMatch(/^verdict: FAIL — wrong password for user "app"/);
    expect(run.ms).toBeLessThan(SLACK_MS);
    noSecrets(run, [wrong]);
  });

  it('a session-mode pooler where transaction mode was meant', async () => {
    const run = await doctor('session-mode', ['--database-url', sessionUrl]);
    expect(run.code, run.output).toBe(1);
    expect(run.verdict).toBe('verdict: FAIL — DATABASE_URL is in session mode (each client keeps one backend) where transaction mode was meant');
    expect(run.output).toMatch(/kept one backend/);
    expect(run.ms).toBeLessThan(SLACK_MS);
    noSecrets(run);
    // …and the same URL passes when session mode is what is meant.
    const meant = await doctor('session-mode-meant', ['--database-url', sessionUrl, '--pool-mode', 'session']);
    expect(meant.code, meant.output).toBe(0);
  });

  it('a stale commit: the API runs another release, with the likely cause', async () => {
    const e = stack.endpoints;
    const run = await doctor('stale-commit', ['--api-url', e.apiUrl, '--expected-commit', '0123456789abcdef0123456789abcdef01234567', '--expected-branch', e.release.branch]);
    expect(run.code, run.output).toBe(1);
    expect(run.verdict).toMatch(/^verdict: FAIL — the API runs another release than expected; likely cause: an older build is still live/);
    expect(run.output).toMatch(new RegExp(`commit\\s+0123456789abcdef0123456789abcdef01234567\\s+${e.release.commit}`));
    expect(run.ms).toBeLessThan(SLACK_MS);
  });

  it('bad usage exits 2, naming the flag, never echoing a URL', async () => {
    const bad = await doctor('bad-flag', ['--database-url', 'postgresql://u:pw-9c2e@h/db', '--frobnicate']);
    expect(bad.code).toBe(2);
    expect(bad.output).toMatch(/bad usage: unknown flag "--frobnicate"/);
    const malformed = await doctor('malformed-url', ['--api-url', 'localhost:8000']);
    expect(malformed.code).toBe(2);
    expect(malformed.output).toMatch(/bad usage: --api-url: expected a http:\/\/ or https:\/\/ URL/);
    const nothing = await doctor('no-url', []);
    expect(nothing.code).toBe(2);
    expect(nothing.output).toMatch(/nothing to diagnose/);
  });

  // Last: it stops this stack's workers.
  it('no live worker: the workers step names it', async () => {
    for (const id of stack.endpoints.workers) await stack.control.stop(id);
    const run = await doctor('no-worker', ['--api-url', stack.endpoints.apiUrl]);
    expect(run.code, run.output).toBe(1);
    expect(run.verdict).toMatch(/^verdict: FAIL — no worker heartbeat fresher than 30\.0 s \(the API reports none\): no worker is running$/);
    expect(run.ms).toBeLessThan(SLACK_MS);
  });
});

const canNetns = process.getuid?.() === 0 && (existsSync('/usr/sbin/ip') || existsSync('/sbin/ip'));

describe('npm run doctor in a network without an IPv6 route', () => {
  it('a direct host that is IPv6-only: "use the pooler URL"', async ({ skip }) => {
    if (!canNetns) skip('needs root and iproute2 to create a network namespace');
    const ns = `doc6-${process.pid}`;
    const secret = 'direct-secret-9a7b';
    try {
      execFileSync('bash', [NETNS, 'create', ns, '2001:db8::5 db.abcdefghijklmnopqrst.supabase.co']);
      const run = await doctor('ipv6-only', ['--database-url', `postgresql://postgres:${secret}@db.abcdefghijklmnopqrst.supabase.co:5432/postgres`], {
        wrap: ['ip', 'netns', 'exec', ns],
      });
      expect(run.code, run.output).toBe(1);
      expect(run.verdict).toBe(`verdict: FAIL — ${IPV6_ONLY_DIAGNOSIS}`);
      expect(run.output).toMatch(/resolve db\.abcdefghijklmnopqrst\.supabase\.co: A none; AAAA 2001:db8::5/);
      expect(run.output).toMatch(/connect \[2001:db8::5\]:5432: failed \(ENETUNREACH\)/);
      expect(run.ms).toBeLessThan(SLACK_MS);
      expect(run.output).not.toContain(secret);
    } finally {
      execFileSync('bash', [NETNS, 'delete', ns]);
    }
  });
});
