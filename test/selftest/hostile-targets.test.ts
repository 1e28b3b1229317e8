// Bounded live runs: `npm run e2e:staging` against targets that misbehave on purpose, each a tiny
// HTTP server on a free loopback port. Every run ends within its deadline (plus the documented
// grace) with the documented exit code: 5 when the deadline stopped it, 1 when checks failed.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { runE2eAgainst } from './run-e2e-child.ts';

const DEADLINE_S = 15;
/** For the targets whose own limits (body cap, no redirects) end the run: the deadline is only a backstop there, with room for a busy machine. */
const BACKSTOP_S = 60;
/** After the deadline: stopping vitest (≤ 3 s), the cleanup (no database here) and the reports. */
const GRACE_MS = 15_000;

// Closed when every case is done: the cases run at the same time (each mostly waits on its deadline).
const servers: http.Server[] = [];
afterAll(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

function serve(handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  servers.push(server);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

const live = (res: http.ServerResponse) => {
  res.writeHead(200, { 'content-type': 'application/health+json' });
  res.end('{"status":"pass"}');
};

const profile = (apiUrl: string, deadlineS: number) => ({ E2E_PROVIDER: 'external', API_URL: apiUrl, E2E_DEADLINE_S: String(deadlineS), EXPECTED_COMMIT: '0123456', E2E_JOB_TIMEOUT_MS: '5000' });

async function timedRun(apiUrl: string, deadlineS = DEADLINE_S) {
  const started = Date.now();
  const run = await runE2eAgainst(profile(apiUrl, deadlineS), { timeoutMs: deadlineS * 1000 + 60_000 });
  return { ...run, ms: Date.now() - started };
}

// Side by side: each run mostly waits (on a target that hangs, or on its deadline), so four at
// once take about as long as the longest; the bounds below hold with the others running.
describe.concurrent('a live run is bounded, whatever the target does', () => {
  it('a target that hangs on everything but /health/live: stopped at the deadline, exit 5', async () => {
    const api = await serve((req, res) => (req.url === '/health/live' ? live(res) : undefined)); // never answers
    const run = await timedRun(api);
    if (![1, 5].includes(run.code ?? -1) || !/e2e remote: (checks failed|deadline exceeded)/.test(run.summary)) console.log(run.output.slice(-5000));
    console.log(`hanging target: exit ${run.code} after ${(run.ms / 1000).toFixed(1)} s`);
    expect(run.code, run.output.slice(-2000)).toBe(5);
    expect(run.ms).toBeLessThan(DEADLINE_S * 1000 + GRACE_MS);
    expect(run.summary).toMatch(/e2e remote: deadline exceeded/);
    expect(run.summary).toMatch(/did not finish within E2E_DEADLINE_S=15 s/);
  });

  it('a target that takes 5 s per response: stopped at the deadline, exit 5', async () => {
    const api = await serve((req, res) => {
      const timer = setTimeout(() => (req.url === '/health/live' ? live(res) : res.writeHead(503, { 'content-type': 'application/json' }).end('{"status":"fail"}')), 5_000);
      res.on('close', () => clearTimeout(timer));
    });
    const run = await timedRun(api);
    if (![1, 5].includes(run.code ?? -1) || !/e2e remote: (checks failed|deadline exceeded)/.test(run.summary)) console.log(run.output.slice(-5000));
    console.log(`slow target: exit ${run.code} after ${(run.ms / 1000).toFixed(1)} s`);
    expect(run.code, run.output.slice(-2000)).toBe(5);
    expect(run.ms).toBeLessThan(DEADLINE_S * 1000 + GRACE_MS);
  });

  it('a target answering 50 MB bodies: each read stops at the 1 MiB cap, checks fail, exit 1', async () => {
    let largestSent = 0;
    const api = await serve((req, res) => {
      if (req.url === '/health/live') return live(res);
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, ' ');
      let sent = 0;
      let closed = false;
      res.on('close', () => {
        closed = true;
        largestSent = Math.max(largestSent, sent);
      });
      const pump = () => {
        while (!closed && sent < 50 * 1024 * 1024) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        if (!closed) res.end();
      };
      pump();
    });
    const run = await timedRun(api, BACKSTOP_S);
    if (![1, 5].includes(run.code ?? -1) || !/e2e remote: (checks failed|deadline exceeded)/.test(run.summary)) console.log(run.output.slice(-5000));
    console.log(`huge-body target: exit ${run.code} after ${(run.ms / 1000).toFixed(1)} s; most bytes one response got out before the client stopped: ${largestSent}`);
    expect(run.code, run.output.slice(-2000)).toBe(1);
    expect(run.ms).toBeLessThan(BACKSTOP_S * 1000 + GRACE_MS);
    expect(run.summary).toMatch(/passed the 1 MiB cap on a response; stopped reading/);
    // Socket buffers let a few MiB out before the client's cancel arrives; never the 50 MB.
    expect(largestSent).toBeLessThan(16 * 1024 * 1024);
  });

  it('a target redirecting to another origin: not followed, checks fail, exit 1', async () => {
    let elsewhere = 0;
    const other = await serve((_req, res) => {
      elsewhere++;
      res.end('{}');
    });
    const api = await serve((req, res) => {
      if (req.url === '/health/live') return live(res);
      res.writeHead(302, { location: `${other}${req.url}` }).end();
    });
    const run = await timedRun(api, BACKSTOP_S);
    if (![1, 5].includes(run.code ?? -1) || !/e2e remote: (checks failed|deadline exceeded)/.test(run.summary)) console.log(run.output.slice(-5000));
    console.log(`redirecting target: exit ${run.code} after ${(run.ms / 1000).toFixed(1)} s; requests that reached the other origin: ${elsewhere}`);
    expect(run.code, run.output.slice(-2000)).toBe(1);
    expect(run.ms).toBeLessThan(BACKSTOP_S * 1000 + GRACE_MS);
    expect(run.summary).toMatch(/a redirect to another origin \(http(&#58;|:)\/\/127\.0\.0\.1:\d+\): not followed/);
    expect(elsewhere).toBe(0);
  });
});
