// health: the three endpoints, the health+json shape, and readiness gated on the database.
import net from 'node:net';
import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import { ApiClient } from '../helpers/api-client.ts';
import { describeIssues, errorBodySchema, healthReportSchema } from '../helpers/contract.ts';
import { withPgClient } from '../helpers/db-client.ts';
import { newRunId } from '../helpers/jobs.ts';
import { spawnExtraApi, type ExtraService } from '../helpers/extra-service.ts';
import { freePort } from '../helpers/ports.ts';
import { needs } from '../helpers/skip.ts';
import { diagnoseConnectError } from '../helpers/diagnose/connect-error.ts';
import { addMeta } from '../helpers/report/meta.ts';
import pg from 'pg';

const stack = inject('stack');
/** Errors that say the credentials or the user are wrong, not that the database is away. */
const CREDENTIALS_REFUSED = /password authentication failed|SASL|Tenant or user not found|role "[^"]*" does not exist|no pg_hba\.conf entry/i;
const api = new ApiClient(stack.apiUrl);

describe('health endpoints', () => {
  it('GET /health/live answers 200 without touching dependencies [H-live]', async () => {
    const res = await api.request('GET', '/health/live');
    expect(res.status, res.text).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/health\+json/);
    expect(res.body).toMatchObject({ status: 'pass' });
  });

  it('GET /health/ready answers 200 when the database answers through the pooler [H-ready] [P-no-startup-params]', async ({ task }) => {
    const res = await api.request('GET', '/health/ready');
    if (res.status !== 200) {
      const output = (res.body as { checks?: { 'postgres:connection'?: { output?: string }[] } })?.checks?.['postgres:connection']?.[0]?.output ?? res.text;
      const d = diagnoseConnectError({ message: output }, { host: 'the pooler', port: 0, user: '' });
      const diagnosis = `/health/ready is ${res.status}: ${output}\ncause: ${d.cause}\nfix: ${d.fix}`;
      addMeta(task, { diagnosis: [diagnosis] });
      expect.fail(diagnosis);
    }
    expect(res.headers.get('content-type')).toMatch(/^application\/health\+json/);
  });

  it('GET /health is application/health+json in the draft-inadarei shape, with the release deployed [H-shape] [H-workers-listed] [S-release]', async () => {
    const res = await api.request('GET', '/health');
    expect(res.headers.get('content-type'), '/health must be sent as application/health+json').toMatch(/^application\/health\+json/);
    const parsed = healthReportSchema.safeParse(res.body);
    expect(parsed.success, parsed.success ? '' : `/health does not follow the contract: ${describeIssues(parsed.error)}`).toBe(true);
    const body = parsed.data!;
    expect(res.status, `/health is ${body.status}: ${res.text.slice(0, 500)}`).toBe(200);
    expect(body.status).not.toBe('fail');
    // Against a stack it started, the suite knows the release; a live target's is checked by the
    // deploy suite against EXPECTED_COMMIT, with the diagnosis.
    const started = !!stack.services;
    if (started) {
      expect(body.releaseId, 'releaseId must be the commit the stack deployed').toBe(stack.release.commit);
      expect(body.branch).toBe(stack.release.branch);
    }

    const db = body.checks['postgres:connection'][0]!;
    expect(db.status).toBe('pass');
    expect(db.observedUnit).toBe('ms');
    expect(typeof db.observedValue).toBe('number');

    const heartbeats = body.checks['worker:heartbeat'];
    expect(heartbeats[0]!.status, `worker heartbeat: ${heartbeats[0]!.output ?? ''}`).toBe('pass');
    // One entry per running worker, each with its age and the release it runs.
    if (started) expect(heartbeats.map((h) => h.componentId).sort()).toEqual([...stack.workers].sort());
    for (const h of heartbeats) {
      expect(h).toMatchObject({ componentId: expect.any(String), observedUnit: 'ms', releaseId: expect.any(String), branch: expect.any(String) });
      if (started) expect(h).toMatchObject({ status: 'pass', releaseId: stack.release.commit, branch: stack.release.branch });
    }
  });

  it('config:env says where each setting came from and never shows a secret [H-config-env]', async () => {
    const res = await api.request('GET', '/health');
    const settings = healthReportSchema.parse(res.body).checks['config:env'][0]!.settings;
    const byName = new Map(settings.map((s) => [s.name, s]));
    expect(byName.get('DATABASE_URL'), 'config:env must report DATABASE_URL as a secret, without its value').toEqual({ name: 'DATABASE_URL', source: 'env', secret: true });
    for (const s of settings) expect(s.secret ? s.value : 'ok', `${s.name} is secret but its value is shown`).toBe(s.secret ? undefined : 'ok');
    for (const secret of stack.secrets) expect(res.text.includes(secret), 'config:env shows a secret value').toBe(false);
    if (stack.services) {
      // Containers get the platform's PORT=10000 behind a mapped port; native processes listen on the
      // URL's port. A live target sits behind the platform's proxy: nothing to compare there.
      const port = stack.apiPortGiven ?? new URL(stack.apiUrl).port;
      expect(byName.get('PORT')).toMatchObject({ source: 'env', value: port });
      const commit = byName.get('RENDER_GIT_COMMIT') ?? byName.get('GIT_COMMIT');
      expect(commit).toMatchObject({ source: 'env', value: stack.release.commit });
    }
    for (const secret of stack.secrets) expect(res.text.includes(secret), 'a secret appears in /health').toBe(false);
  });
});

describe('health tells the truth', () => {
  it("/health's database check agrees with a real round trip through DATABASE_URL [H-db]", async ({ task, skip }) => {
    if (!stack.poolerUrl) skip('the profile gives no DATABASE_URL to compare with');
    const client = new pg.Client({ connectionString: stack.poolerUrl, connectionTimeoutMillis: 3_000, query_timeout: 3_000 });
    client.on('error', () => undefined);
    const ours = await client.connect().then(() => client.query('SELECT 1')).then(() => 'ok', (e: Error) => e.message);
    await client.end().catch(() => undefined);
    const res = await api.request('GET', '/health');
    const claimed = healthReportSchema.parse(res.body).checks['postgres:connection'][0]!.status;
    // The suite's own URL refused (a wrong password, an unknown user) shows nothing about /health:
    // the pooler suite diagnoses that URL; here there is nothing to compare with.
    if (claimed === 'pass' && ours !== 'ok' && CREDENTIALS_REFUSED.test(ours)) {
      const note = `cannot compare: the suite's own DATABASE_URL is refused (${ours}) while the API reports its database reachable; the profile's DATABASE_URL is not the services' (see the pooler check's diagnosis)`;
      addMeta(task, { diagnosis: [note] });
      skip(note);
    }
    const lies = claimed === 'pass' && ours !== 'ok';
    const diagnosis = `/health says postgres:connection pass, but a real round trip through DATABASE_URL fails (${ours}): the health check does not touch the database`;
    if (lies) addMeta(task, { diagnosis: [diagnosis] });
    expect(lies, diagnosis).toBe(false);
    if (claimed !== 'pass' && ours === 'ok') addMeta(task, { diagnosis: [`/health says ${claimed} while the suite reaches the database: the API may use another DATABASE_URL`] });
  });
});

describe('worker:heartbeat order', () => {
  it('worker:heartbeat lists the freshest worker first (a stale one built in SQL) [H-freshest-first]', async ({ task }) => {
    const ages = async () =>
      healthReportSchema.parse((await api.request('GET', '/health')).body).checks['worker:heartbeat']
        .filter((h) => h.componentId)
        .map((h) => ({ id: h.componentId!, age: h.observedValue as number }));
    const inOrder = (list: { id: string; age: number }[]) => list.every((w, i) => i === 0 || list[i - 1]!.age <= w.age);
    // A worker that beat 3 s ago (younger than any warn threshold), next to the live ones that beat
    // every second: it must come last. Built only where the stack is ours, and removed at once.
    const staleId = `e2e-stale-${Math.random().toString(36).slice(2, 10)}`;
    const build = !!stack.services && stack.capabilities.directDatabase;
    let list: { id: string; age: number }[];
    if (build) {
      list = await withPgClient(stack.directUrl!, async (db) => {
        try {
          await db.query(
            `INSERT INTO worker_heartbeats (instance_id, service, release_commit, branch, started_at, last_beat_at, last_progress_at, status)
             VALUES ($1, 'worker', $2, $3, now() - interval '1 minute', now() - interval '3 seconds', now() - interval '3 seconds', 'running')`,
            [staleId, stack.release.commit, stack.release.branch],
          );
          return await ages();
        } finally {
          await db.query('DELETE FROM worker_heartbeats WHERE instance_id = $1', [staleId]);
        }
      });
    } else list = await ages();
    const shown = list.map((w) => `${w.id} ${w.age} ms`).join(', ');
    const diagnosis = `worker:heartbeat is not freshest first: ${shown}`;
    if (!inOrder(list) || (build && list[list.length - 1]?.id !== staleId)) addMeta(task, { diagnosis: [diagnosis] });
    expect(inOrder(list), diagnosis).toBe(true);
    if (build) expect(list.map((w) => w.id), diagnosis).toContain(staleId);
  });
});

describe('readiness gating (a second API process)', () => {
  needs(stack, 'bootServices');
  let extra: ExtraService | undefined;
  let proxy: net.Server | undefined;
  afterEach(async () => {
    await extra?.stop();
    await new Promise<void>((r) => (proxy ? proxy.close(() => r()) : r()));
    extra = undefined;
    proxy = undefined;
  });

  it('/health/ready is 503 while the pooler cannot be reached and 200 once it can; /health/live stays 200; POST /jobs is a clear 503 [H-ready] [H-live] [H-status] [H-jobs-503]', async ({ task }) => {
    const pooler = new URL(stack.poolerUrl!);
    const gatePort = await freePort(); // nothing listens here yet: the "pooler" is down
    const url = new URL(stack.poolerUrl!);
    url.port = String(gatePort);
    extra = await spawnExtraApi({ DATABASE_URL: url.toString() });
    const gated = new ApiClient(extra.url);

    const before = await gated.request('GET', '/health/ready');
    const unready = `/health/ready answered ${before.status} (${before.text.slice(0, 200)}) while the pooler it was given cannot be reached: readiness must ask the database`;
    if (before.status !== 503) addMeta(task, { diagnosis: [unready] });
    expect(before.status, unready).toBe(503);
    expect(before.body).toMatchObject({ status: 'fail' });
    const live = await gated.request('GET', '/health/live');
    expect(live.status, `/health/live answered ${live.status} while the database is away: liveness must touch no dependency`).toBe(200);
    expect((await gated.request('GET', '/health')).status, '/health must answer 503 when its status is fail').toBe(503);
    const refused = await gated.postJson('/jobs', { type: 'echo', payload: {}, runId: newRunId('db-away') });
    const unclear = `POST /jobs answered ${refused.status} (${refused.text.slice(0, 200)}) while the database is away: the contract asks for 503 database_unavailable`;
    if (refused.status !== 503) addMeta(task, { diagnosis: [unclear] });
    expect(refused.status, unclear).toBe(503);
    expect(errorBodySchema.parse(refused.body).error.code, unclear).toBe('database_unavailable');
    expect(refused.text, 'no stack trace in the answer').not.toMatch(/\n\s+at |\\n\s+at /);

    // The pooler "comes up": a TCP relay on the port the API was given, to the real pooler.
    proxy = net.createServer((socket) => {
      const upstream = net.connect(Number(pooler.port), pooler.hostname);
      socket.pipe(upstream).pipe(socket);
      socket.on('error', () => upstream.destroy());
      upstream.on('error', () => socket.destroy());
    });
    await new Promise<void>((r) => proxy!.listen(gatePort, '127.0.0.1', r));
    await vi.waitFor(
      async () => {
        const after = await gated.request('GET', '/health/ready');
        if (after.status !== 200) throw new Error(`still ${after.status}: ${after.text}`);
      },
      { timeout: 10_000, interval: 100 },
    );
  });
});
