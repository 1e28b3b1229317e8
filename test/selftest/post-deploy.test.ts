// The post-deploy run against a stack started here "as if it were remote": green when healthy,
// and with each incident-shaped fault, the right exit code and a diagnosis naming the cause.
// Secrets seeded by the stack are searched for in every artefact.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IPV6_ONLY_DIAGNOSIS } from '../../helpers/diagnose/database.ts';
import { probeSessionState } from '../../helpers/diagnose/session-state.ts';
import { freePort } from '../../helpers/ports.ts';
import { startProcessStack, type ProcessStack } from '../../helpers/stack/processes/index.ts';
import { leaks, runE2eAgainst } from './run-e2e-child.ts';

let stack: ProcessStack;
let profile: Record<string, string>;

beforeAll(async () => {
  stack = await startProcessStack({ label: 'selftest' });
  const e = stack.endpoints;
  profile = {
    E2E_PROVIDER: 'external',
    API_URL: e.apiUrl,
    DATABASE_URL: e.poolerUrl!,
    POOL_MODE: 'transaction',
    EXPECTED_COMMIT: e.release.commit.slice(0, 7), // a short commit must match the full one
    EXPECTED_BRANCH: e.release.branch,
    E2E_HEARTBEAT_MAX_AGE_MS: '5000',
    E2E_JOB_TIMEOUT_MS: '10000',
    E2E_LATENCY_JOBS: '10',
    E2E_LATENCY_P50_MS: '200',
    E2E_LATENCY_P95_MS: '1000',
  };
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

describe('post-deploy run against a live-like target', () => {
  it('is green when the target is healthy, and skips control-only suites with their reason', async () => {
    const run = await runE2eAgainst(profile);
    expect(run.code, run.summary || run.output.slice(-3000)).toBe(0);
    expect(run.summary).toMatch(/e2e remote: pass/);
    expect(run.summary).toMatch(/### Release/);
    expect(run.summary).toMatch(/### Enqueue-to-completion/);
    expect(run.summary).toMatch(/skipped on a live target/);
    expect(run.artefacts.map((a) => a.name)).toEqual(
      expect.arrayContaining(['reports/junit.xml', 'reports/results.json', 'reports/summary.md', 'github-step-summary.md']),
    );
    expect(run.artefacts.find((a) => a.name === 'github-step-summary.md')!.text).toContain('e2e remote: pass');
    expect(leaks(run, stack.endpoints.secrets), 'a secret appears in these artefacts').toEqual([]);
  });

  it('a wrong expected commit fails with both commits side by side and the likely cause', async () => {
    const run = await runE2eAgainst({ ...profile, EXPECTED_COMMIT: '0123456789abcdef0123456789abcdef01234567' });
    expect(run.code, run.output.slice(-3000)).toBe(1);
    expect(run.summary).toMatch(/the API runs another release than expected/);
    expect(run.summary).toMatch(new RegExp(`commit\\s+0123456789abcdef0123456789abcdef01234567\\s+${stack.endpoints.release.commit}`));
    expect(run.summary).toMatch(/likely cause: an older build is still live/);
  });

  it('a wrong database password fails the connectivity check, naming the cause, never the password', async () => {
    const wrong = 'not-the-password-4f1c';
    const url = new URL(stack.endpoints.poolerUrl!);
    url.password = wrong;
    const run = await runE2eAgainst({ ...profile, DATABASE_URL: url.toString() });
    expect(run.code, run.output.slice(-3000)).toBe(1);
    expect(run.summary).toMatch(/wrong password for user "app"/);
    expect(leaks(run, [wrong, ...stack.endpoints.secrets])).toEqual([]);
  });

  it('an invalid profile exits 2 with one line per bad variable', async () => {
    const { API_URL: _, ...withoutUrl } = profile;
    const run = await runE2eAgainst({ ...withoutUrl, E2E_LATENCY_JOBS: 'lots' });
    expect(run.code).toBe(2);
    expect(run.output).toMatch(/e2e remote: profile invalid/);
    expect(run.output).toMatch(/E2E_LATENCY_JOBS: expected an integer from 1 to 10000; got "lots"/);
    expect(run.output).toMatch(/API_URL: expected the deployed API's base URL because E2E_PROVIDER is external/);
    expect(run.output).not.toMatch(/\n\s+at /);
  });

  it('an unreachable target exits 3 saying nothing listens there', async () => {
    const run = await runE2eAgainst({ ...profile, API_URL: `http://127.0.0.1:${await freePort()}` });
    expect(run.code).toBe(3);
    expect(run.summary).toMatch(/target unreachable/);
    expect(run.summary).toMatch(/ECONNREFUSED\): nothing listens there/);
  });

  it('session state survives on a direct connection but not through the transaction pooler', async () => {
    expect((await probeSessionState(stack.endpoints.directUrl!)).survived).toBe(true);
    expect((await probeSessionState(stack.endpoints.poolerUrl!)).survived).toBe(false);
  });

  // Last: it stops the workers of this stack.
  it('stopped workers fail the heartbeat check: no worker is running', async () => {
    for (const id of stack.endpoints.workers) await stack.processes.get(id)!.stop();
    const run = await runE2eAgainst({ ...profile, E2E_JOB_TIMEOUT_MS: '1500' });
    expect(run.code, run.output.slice(-3000)).toBe(1);
    expect(run.summary).toMatch(/no worker heartbeat fresher than 5.0 s \(the API reports none\): no worker is running/);
  });
});

const NETNS = new URL('../../scripts/netns.sh', import.meta.url).pathname;
const canNetns = process.getuid?.() === 0 && (existsSync('/usr/sbin/ip') || existsSync('/sbin/ip'));

describe('direct host that is IPv6-only, from a network without IPv6 route', () => {
  it('fails with the diagnosis "use the pooler URL" (inside a network namespace of its own)', async ({ skip }) => {
    if (!canNetns) skip('needs root and iproute2 to create a network namespace');
    const ns = `e2e6-${process.pid}`;
    try {
      execFileSync('bash', [NETNS, 'create', ns, '2001:db8::5 db.abcdefghijklmnopqrst.supabase.co']);
      const run = await runE2eAgainst(
        {
          E2E_PROVIDER: 'processes', // the whole stack runs inside the namespace
          DATABASE_URL: 'postgresql://postgres:direct-secret-9a7b@db.abcdefghijklmnopqrst.supabase.co:5432/postgres',
          POOL_MODE: 'transaction',
        },
        // Only what this case tests: the pooler suite's DATABASE_URL diagnosis. The stack still
        // starts inside the namespace, but no other suite runs there.
        { wrap: ['ip', 'netns', 'exec', ns], timeoutMs: 120_000, suites: ['suites/pooler.e2e.test.ts'] },
      );
      expect(run.code, run.output.slice(-3000)).toBe(1);
      expect(run.summary).toContain(IPV6_ONLY_DIAGNOSIS);
      expect(run.summary).toMatch(/resolve db\.abcdefghijklmnopqrst\.supabase\.co: A none; AAAA 2001:db8::5/);
      expect(run.summary).toMatch(/connect \[2001:db8::5\]:5432: failed \(ENETUNREACH\)/);
      expect(leaks(run, ['direct-secret-9a7b'])).toEqual([]);
    } finally {
      execFileSync('bash', [NETNS, 'delete', ns]);
    }
  });
});
