// The post-deploy run against a stack started here "as if it were remote": green when healthy,
// and with each incident-shaped fault, the right exit code and a diagnosis naming the cause.
// Secrets seeded by the stack are searched for in every artefact.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IPV6_ONLY_DIAGNOSIS } from '../../helpers/diagnose/database.ts';
import { probeSessionState } from '../../helpers/diagnose/session-state.ts';
import { freePort } from '../../helpers/ports.ts';
import { startProcessStack, type ProcessStack } from '../../helpers/stack/processes/index.ts';
import { findNativeBinaries } from '../../helpers/stack/processes/binaries.ts';
import { withPgClient } from '../../helpers/db-client.ts';
import { leaks, leaksInAnyForm, runE2eAgainst, type E2eRun } from './run-e2e-child.ts';

let stack: ProcessStack;
let profile: Record<string, string>;
let checkerUrl: string;

/**
 * env/checker-role.sql applied as a user would (psql, as the database's superuser), and the
 * checker's URL on the direct Postgres port: the least-privilege connection the runs clean up with.
 */
async function createCheckerRole(): Promise<string> {
  const direct = new URL(stack.endpoints.directUrl!);
  let superuserUrl: string | undefined;
  for (const candidate of stack.endpoints.secrets) {
    const url = `postgresql://postgres:${encodeURIComponent(candidate)}@${direct.host}${direct.pathname}`;
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
    client.on('error', () => undefined);
    const ok = await client.connect().then(() => true, () => false);
    await client.end().catch(() => undefined);
    if (ok) superuserUrl = url;
    if (ok) break;
  }
  if (!superuserUrl) throw new Error('could not log in as the stack\'s superuser to create the checker role');
  const password = randomBytes(12).toString('hex');
  const psql = path.join(path.dirname(findNativeBinaries().postgres), 'psql');
  execFileSync(psql, [superuserUrl, '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-v', `checker_password=${password}`, '-f', 'env/checker-role.sql'], { stdio: 'pipe', timeout: 20_000 });
  return `postgresql://e2e_checker:${password}@${direct.host}${direct.pathname}`;
}

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
  checkerUrl = await createCheckerRole();
  // The runs read and remove their rows through the least-privilege checker role, so a run whose
  // DATABASE_URL is wrong (a failing run) still cleans up after itself.
  profile.E2E_CHECKER_DATABASE_URL = checkerUrl;
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

/** Rows of the suite's left in the target's tables (any run), read through the direct connection. */
async function suiteRowsLeft(): Promise<{ jobs: number; executions: number }> {
  return withPgClient(stack.endpoints.directUrl!, async (db) => {
    const jobs = (await db.query(`SELECT count(*)::int AS n FROM jobs WHERE run_id LIKE 'e2e-%'`)).rows[0].n as number;
    const executions = (await db.query(`SELECT count(*)::int AS n FROM job_executions e WHERE NOT EXISTS (SELECT 1 FROM jobs j WHERE j.id = e.job_id)`)).rows[0].n as number;
    return { jobs, executions };
  });
}

/**
 * The suites that write rows on a live target: what the runs after the first need to show that
 * nothing is left behind. A case that tests one check runs that check's suite (and, where it
 * also shows the cleanup, a suite that writes rows), not the whole suite again: each full run
 * costs ~12 s and most of a core.
 */
const WRITING_SUITES = ['suites/deploy.e2e.test.ts', 'suites/jobs.e2e.test.ts', 'suites/queue.e2e.test.ts', 'suites/api-input.e2e.test.ts'];
const suite = (name: string) => `suites/${name}.e2e.test.ts`;

/** What a run says it removed and left, from its summary. */
const cleanupLine = (run: E2eRun) => /### Rows written and removed\n\n(- run id [^\n]+)\n- left behind: (\d+)/.exec(run.summary);

describe('post-deploy run against a live-like target', () => {
  it('is green when the target is healthy, and skips control-only suites with their reason', async () => {
    const run = await runE2eAgainst(profile);
    expect(run.code, run.summary || run.output.slice(-3000)).toBe(0);
    expect(run.summary).toMatch(/e2e remote: pass/);
    expect(run.summary).toMatch(/### Release/);
    expect(run.summary).toMatch(/### Enqueue-to-completion/);
    expect(run.summary).toMatch(/needs control over the services/);
    expect(run.artefacts.map((a) => a.name)).toEqual(
      expect.arrayContaining(['reports/junit.xml', 'reports/results.json', 'reports/summary.md', 'github-step-summary.md']),
    );
    expect(run.artefacts.find((a) => a.name === 'github-step-summary.md')!.text).toContain('e2e remote: pass');
    expect(leaksInAnyForm(run, [...stack.endpoints.secrets, new URL(checkerUrl).password]), 'a secret appears in these artefacts').toEqual([]);
    // It removed every row it wrote, and says so.
    expect(cleanupLine(run)?.[2], run.summary.slice(-1500)).toBe('0');
    expect(cleanupLine(run)?.[1]).toMatch(/removed [1-9]\d* job rows/);
    expect(await suiteRowsLeft()).toEqual({ jobs: 0, executions: 0 });
  });

  it('the checker role (env/checker-role.sql) sees and deletes only the suite\'s rows, and writes nothing', async () => {
    const [own, other] = await withPgClient(stack.endpoints.directUrl!, async (db) => {
      const { rows } = await db.query<{ id: string }>(
        `INSERT INTO jobs (type, payload, state, run_id) VALUES ('echo', '{}', 'succeeded', 'e2e-rls-probe-1'), ('echo', '{}', 'succeeded', 'not-the-suite') RETURNING id`,
      );
      return rows.map((r) => r.id);
    });
    try {
      await withPgClient(checkerUrl, async (db) => {
        const seen = (await db.query<{ id: string }>('SELECT id FROM jobs WHERE id = ANY($1)', [[own, other]])).rows.map((r) => r.id);
        expect(seen).toEqual([own]);
        expect((await db.query('DELETE FROM jobs WHERE id = $1', [other])).rowCount).toBe(0);
        await expect(db.query(`INSERT INTO jobs (type, payload, run_id) VALUES ('echo', '{}', 'e2e-x')`)).rejects.toThrow(/permission denied/);
        await expect(db.query(`UPDATE jobs SET state = 'dead' WHERE id = $1`, [own])).rejects.toThrow(/permission denied/);
        await expect(db.query('SELECT count(*) FROM worker_heartbeats')).rejects.toThrow(/permission denied/);
        expect((await db.query('DELETE FROM jobs WHERE id = $1', [own])).rowCount).toBe(1);
      });
    } finally {
      await withPgClient(stack.endpoints.directUrl!, (db) => db.query('DELETE FROM jobs WHERE id = ANY($1)', [[own, other]]));
    }
  });

  it('three more consecutive runs: still no row of the suite\'s left behind (four in all)', async () => {
    const figures: string[] = [];
    for (let i = 2; i <= 4; i++) {
      const run = await runE2eAgainst(profile, { suites: WRITING_SUITES });
      expect(run.code, run.summary || run.output.slice(-3000)).toBe(0);
      const left = await suiteRowsLeft();
      figures.push(`run ${i}: ${cleanupLine(run)?.[1]}; rows of the suite's in the tables afterwards: ${left.jobs} jobs, ${left.executions} orphan executions`);
      expect(left, figures.join('\n')).toEqual({ jobs: 0, executions: 0 });
    }
    console.log(figures.join('\n'));
  });

  it('secrets in every form, in a passing and in failing runs: 0 hits in every artefact', async () => {
    const pooler = new URL(stack.endpoints.poolerUrl!);
    const realPassword = decodeURIComponent(pooler.password);
    // Passing: the password as a query parameter, and credentials in API_URL's userinfo.
    const apiSecret = 'api"k\\ey@x/1';
    const api = new URL(stack.endpoints.apiUrl);
    const passing = {
      ...profile,
      DATABASE_URL: `postgresql://${pooler.username}@${pooler.host}${pooler.pathname}?password=${encodeURIComponent(realPassword)}`,
      API_URL: `http://probe:${encodeURIComponent(apiSecret)}@${api.host}`,
    };
    const green = await runE2eAgainst(passing);
    expect(green.code, green.summary || green.output.slice(-3000)).toBe(0);
    expect(leaksInAnyForm(green, [realPassword, apiSecret, ...stack.endpoints.secrets])).toEqual([]);
    // Failing: a wrong password with an unencoded '@', a quote and a backslash in the userinfo ...
    const odd = 'p@ss"w\\rd';
    // The failing runs: the suites that report the database's connection error (pooler's
    // diagnosis, health's comparison with a real round trip: the likeliest places for a password
    // to slip out) and the jobs suite (rows to clean up).
    const failingSuites = { suites: [suite('pooler'), suite('health'), suite('jobs')] };
    const oddRun = await runE2eAgainst({ ...profile, DATABASE_URL: `postgresql://${pooler.username}:${odd}@${pooler.host}${pooler.pathname}` }, failingSuites);
    expect(oddRun.code, oddRun.output.slice(-3000)).toBe(1);
    expect(leaksInAnyForm(oddRun, [odd, realPassword, ...stack.endpoints.secrets])).toEqual([]);
    // ... and a 2-character one as a query parameter.
    const short = 'q7';
    const shortRun = await runE2eAgainst({ ...profile, DATABASE_URL: `postgresql://${pooler.username}@${pooler.host}${pooler.pathname}?password=${short}` }, failingSuites);
    expect(shortRun.code, shortRun.output.slice(-3000)).toBe(1);
    expect(leaksInAnyForm(shortRun, [short, realPassword, ...stack.endpoints.secrets])).toEqual([]);
    // The checks can fail: the seeded forms are really searched for.
    expect(leaksInAnyForm({ ...shortRun, artefacts: [{ name: 'probe', text: `x:${short}@y ${Buffer.from(`probe:${apiSecret}`).toString('base64')}` }] }, [short, apiSecret])).toEqual(
      expect.arrayContaining(['probe: ":q7@"', `probe: ${JSON.stringify(Buffer.from(`probe:${apiSecret}`).toString('base64'))}`]),
    );
    // The failing runs cleaned up through the checker role although their DATABASE_URL was wrong.
    for (const run of [oddRun, shortRun]) expect(cleanupLine(run)?.[2], run.summary.slice(-800)).toBe('0');
    expect(await suiteRowsLeft()).toEqual({ jobs: 0, executions: 0 });
  });

  it('a wrong expected commit fails with both commits side by side and the likely cause', async () => {
    const run = await runE2eAgainst({ ...profile, EXPECTED_COMMIT: '0123456789abcdef0123456789abcdef01234567' }, { suites: [suite('deploy'), suite('jobs')] });
    expect(run.code, run.output.slice(-3000)).toBe(1);
    expect(run.summary).toMatch(/the API runs another release than expected/);
    expect(run.summary).toMatch(new RegExp(`commit\\s+0123456789abcdef0123456789abcdef01234567\\s+${stack.endpoints.release.commit}`));
    expect(run.summary).toMatch(/likely cause: an older build is still live/);
    // A failing run also leaves nothing behind (or names each row, with why).
    const left = Number(cleanupLine(run)?.[2]);
    if (left > 0) expect(run.summary).toMatch(/left behind: \d+\n {2}- /);
    else expect(await suiteRowsLeft()).toEqual({ jobs: 0, executions: 0 });
  });

  it('a wrong database password fails the connectivity check, naming the cause, never the password', async () => {
    const wrong = 'not-the-password-4f1c';
    const url = new URL(stack.endpoints.poolerUrl!);
    url.password = wrong;
    const run = await runE2eAgainst({ ...profile, DATABASE_URL: url.toString() }, { suites: [suite('pooler')] });
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
    const run = await runE2eAgainst({ ...profile, E2E_JOB_TIMEOUT_MS: '1500' }, { suites: [suite('deploy')] });
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
