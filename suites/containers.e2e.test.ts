// Checks only containers can show, as on the platform: the API bound to 0.0.0.0:$PORT answers from
// outside its container; bound to 127.0.0.1 it runs (its own health check passes inside) but
// nothing outside reaches it — "the deploy is live but the platform's health check times out".
// And the workers reach the database only through the pooler's network alias.
import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, inject, it, vi } from 'vitest';
import { ApiClient } from '../helpers/api-client.ts';
import { healthReportSchema } from '../helpers/contract.ts';
import { withPgClient } from '../helpers/db-client.ts';
import { needs } from '../helpers/skip.ts';
import { loadTestcontainers, NoWait } from '../helpers/stack/containers/testcontainers.ts';

const stack = inject('stack');
const docker = (...args: string[]) => execFileSync('docker', args, { encoding: 'utf8' }).trim();
/** A container's addresses; one that runs in another's network namespace (network mode "container:<id>") has that one's. */
const ipOf = (id: string): string[] => {
  const mode = docker('inspect', '-f', '{{.HostConfig.NetworkMode}}', id);
  if (mode.startsWith('container:')) return ipOf(mode.slice('container:'.length));
  return docker('inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}', id).split(/\s+/).filter(Boolean);
};

describe('binding and reachability, as on the platform', () => {
  needs(stack, 'ownNetwork');
  const extra: { stop(): Promise<unknown> }[] = [];
  afterAll(async () => {
    for (const c of extra) await c.stop();
  });

  it('the API bound to 0.0.0.0:$PORT (10000) answers from outside its container', async () => {
    const api = new ApiClient(stack.apiUrl);
    expect((await api.request('GET', '/health/live')).status).toBe(200);
    const settings = healthReportSchema.parse((await api.request('GET', '/health')).body).checks['config:env'][0]!.settings;
    expect(settings.find((s) => s.name === 'PORT')).toMatchObject({ source: 'env', value: '10000' });
    expect(settings.find((s) => s.name === 'API_HOST')).toMatchObject({ source: 'env', value: '0.0.0.0' });
  });

  it('bound to 127.0.0.1 the API runs and passes its own health check inside, but nothing outside reaches it', async () => {
    const { GenericContainer } = await loadTestcontainers();
    const pooler = new URL(stack.poolerUrl!);
    const insideUrl = `postgresql://${pooler.username}:${pooler.password}@pooler:6432${pooler.pathname}`;
    // The API the stack runs: your image with its own command, or the reference image.
    const services = stack.services!;
    const api = new GenericContainer(services.kind === 'images' ? services.api : stack.servicesImage!)
      .withNetworkMode(stack.network!)
      .withEnvironment({ DATABASE_URL: insideUrl, PORT: '10000', API_HOST: '127.0.0.1', RENDER_GIT_COMMIT: stack.release.commit, RENDER_GIT_BRANCH: stack.release.branch })
      .withExposedPorts(10000)
      .withWaitStrategy(new NoWait()); // readiness is asked from inside, below
    const container = await (services.kind === 'images' ? api : api.withCommand(['node', 'dist/api/main.mjs'])).start();
    extra.push(container);
    // Inside its own network namespace /health/live answers: asked from a helper container that
    // shares it (any image may lack curl; the reference image has node).
    const inside = () =>
      docker('run', '--rm', '--network', `container:${container.getId()}`, stack.servicesImage!, 'node', '-e',
        "fetch('http://127.0.0.1:10000/health/live').then(r=>{console.log(r.status);process.exit(r.ok?0:1)},()=>process.exit(1))");
    await vi.waitFor(() => expect(inside()).toBe('200'), { timeout: 30_000, interval: 500 });
    const outside = `http://127.0.0.1:${container.getMappedPort(10000)}/health/live`;
    const reached = await fetch(outside, { signal: AbortSignal.timeout(3_000) }).then(
      (r) => `answered ${r.status}`,
      (error: Error & { cause?: { code?: string } }) => `failed: ${error.cause?.code ?? error.name}`,
    );
    expect(
      reached,
      'an API bound to 127.0.0.1 inside a container must not be reachable from outside: the platform\'s health check would time out although the deploy is live',
    ).toMatch(/^failed/);
    expect(inside(), 'inside, /health/live still answers').toBe('200');
  });
});

describe('workers reach the database only through the pooler', () => {
  needs(stack, 'ownNetwork');

  it('each worker is configured with the pooler alias, and Postgres sees connections from the pooler only', async () => {
    const containers = stack.containers!;
    for (const id of stack.workers) {
      const env = docker('inspect', '-f', '{{range .Config.Env}}{{println .}}{{end}}', containers[id]!);
      const url = env.split('\n').find((l) => l.startsWith('DATABASE_URL='))!.slice('DATABASE_URL='.length);
      expect(new URL(url).host, `${id}'s DATABASE_URL must point at the pooler alias`).toBe('pooler:6432');
    }
    const poolerIps = ipOf(containers.pooler!);
    for (const id of stack.workers) expect(ipOf(containers[id]!), `${id}'s container has no address on the stack's network`).not.toEqual([]);
    const workerIps = stack.workers.flatMap((id) => ipOf(containers[id]!));
    const clients = await withPgClient(stack.directUrl!, async (db) =>
      (await db.query<{ ip: string }>(`SELECT DISTINCT host(client_addr) AS ip FROM pg_stat_activity WHERE client_addr IS NOT NULL AND pid <> pg_backend_pid()`)).rows.map((r) => r.ip),
    );
    expect(clients.filter((ip) => workerIps.includes(ip)), 'no worker connects to Postgres directly').toEqual([]);
    expect(clients.some((ip) => poolerIps.includes(ip)), `Postgres should see the pooler (${poolerIps}) among its clients (${clients})`).toBe(true);
  });
});
