// The API client's bounds, against tiny local servers: the body cap, same-origin-only redirects,
// a bounded redirect count, a timeout that covers a body trickling in, basic auth from the URL.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, MAX_RESPONSE_BYTES } from '../helpers/api-client.ts';

let main: http.Server;
let other: http.Server;
let base: string;
let otherBase: string;
let otherHits = 0;
let lastAuth: string | undefined;

function listen(server: http.Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

beforeAll(async () => {
  other = http.createServer((_req, res) => {
    otherHits++;
    res.end('{"stolen":true}');
  });
  otherBase = await listen(other);
  main = http.createServer((req, res) => {
    lastAuth = req.headers.authorization;
    const url = req.url ?? '/';
    if (url === '/huge') {
      // 50 MB, streamed without a content-length: the client must stop reading, not buffer it.
      res.writeHead(200, { 'content-type': 'text/plain' });
      const chunk = Buffer.alloc(64 * 1024, 'x');
      let sent = 0;
      const pump = () => {
        while (sent < 50 * 1024 * 1024) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      res.on('close', () => (sent = Infinity));
      return pump();
    }
    if (url === '/declared-huge') {
      res.writeHead(200, { 'content-length': String(50 * 1024 * 1024) });
      return res.write('x');
    }
    if (url === '/elsewhere') {
      res.writeHead(302, { location: `${otherBase}/steal` });
      return res.end();
    }
    if (url === '/here') {
      res.writeHead(307, { location: '/ok' });
      return res.end();
    }
    if (url.startsWith('/loop')) {
      res.writeHead(302, { location: `/loop${url.length}` });
      return res.end();
    }
    if (url === '/trickle') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"a":');
      return; // never ends
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ok: true, method: req.method }));
  });
  base = await listen(main);
});

afterAll(async () => {
  main.closeAllConnections();
  other.closeAllConnections();
  await Promise.all([new Promise((r) => main.close(r)), new Promise((r) => other.close(r))]);
});

describe('the API client is bounded', () => {
  it('stops reading a 50 MB body at the cap, naming it', async () => {
    const started = Date.now();
    await expect(new ApiClient(base).request('GET', '/huge')).rejects.toThrow(/GET \/huge on http:\/\/127\.0\.0\.1:\d+: the response body passed the 1 MiB cap/);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(MAX_RESPONSE_BYTES).toBe(1024 * 1024);
  });

  it('does not start reading a body declared over the cap', async () => {
    await expect(new ApiClient(base).request('GET', '/declared-huge')).rejects.toThrow(/is 52428800 bytes, over the 1 MiB cap/);
  });

  it('never follows a redirect to another origin', async () => {
    await expect(new ApiClient(base).request('GET', '/elsewhere')).rejects.toThrow(/answered 302, a redirect to another origin \(http:\/\/127\.0\.0\.1:\d+\): not followed/);
    expect(otherHits).toBe(0);
  });

  it('follows a same-origin redirect, keeping the method for 307', async () => {
    const res = await new ApiClient(base).request('POST', '/here', { body: '{}', headers: { 'content-type': 'application/json' } });
    expect(res.body).toEqual({ ok: true, method: 'POST' });
  });

  it('gives up after a bounded number of redirects', async () => {
    await expect(new ApiClient(base).request('GET', '/loop')).rejects.toThrow(/more than 5 redirects/);
  });

  it('a body that trickles in forever ends at the timeout', async () => {
    const started = Date.now();
    await expect(new ApiClient(base, 1_000).request('GET', '/trickle')).rejects.toThrow(/failed: ETIMEDOUT/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('credentials in the base URL go as basic auth, never in a message', async () => {
    const withUser = base.replace('http://', 'http://checker:s%40cret@');
    await new ApiClient(withUser).request('GET', '/ok');
    expect(lastAuth).toBe(`Basic ${Buffer.from('checker:s@cret').toString('base64')}`);
    const error = await new ApiClient(withUser).request('GET', '/elsewhere').catch((e: Error) => e.message);
    expect(error).not.toMatch(/s%40cret|s@cret/);
  });
});
