import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient } from '../helpers/api-client.ts';
import { retryLog } from '../helpers/report/meta.ts';

let server: http.Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? (server.close(() => r()), server.closeAllConnections()) : r())));

async function serve(handler: http.RequestListener, resetFirst: number): Promise<string> {
  let seen = 0;
  // The first requests have their connection cut before any answer: a transient network error.
  server = http.createServer((req, res) => (seen++ < resetFirst ? req.socket.destroy() : handler(req, res)));
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('ApiClient retries', () => {
  it('retries a reset connection at most twice, logging each retry for the report', async () => {
    retryLog.length = 0;
    const url = await serve((_req, res) => res.end('{"ok":true}'), 1);
    const res = await new ApiClient(url).request('GET', '/health/live');
    expect(res.status).toBe(200);
    expect(retryLog).toHaveLength(1);
    expect(retryLog[0]).toBe('GET /health/live: UND_ERR_SOCKET, retry 1/2');
  });

  it('gives up after two retries, naming the endpoint and the cause', async () => {
    retryLog.length = 0;
    const url = await serve((_req, res) => res.end('{}'), 10);
    await expect(new ApiClient(url).request('GET', '/jobs/x')).rejects.toThrow(/^GET \/jobs\/x on http:\/\/127\.0\.0\.1:\d+ failed: /);
    expect(retryLog).toHaveLength(2);
  });

  it('never retries an HTTP answer, whatever its status', async () => {
    retryLog.length = 0;
    let calls = 0;
    const url = await serve((_req, res) => ((calls += 1), (res.statusCode = 503), res.end('{}')), 0);
    expect((await new ApiClient(url).request('GET', '/health')).status).toBe(503);
    expect(calls).toBe(1);
    expect(retryLog).toEqual([]);
  });
});
