// api-input: table-driven bad requests. Each gets a 4xx (413/415/431 where they fit) with a JSON
// error naming the problem; nothing is written; the API stays healthy. The HTTP cases are the
// cheapest live-safe checks there are, so they run on live targets too. "Nothing written": on a
// local stack the job rows are byte-for-byte unchanged (direct connection); on a live target, whose
// table changes with real traffic, every refused body that is a JSON object carries this run's id
// and no row with that id may exist afterwards (through the profile's database connection).
import net from 'node:net';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ApiClient } from '../helpers/api-client.ts';
import { errorBodySchema } from '../helpers/contract.ts';
import { withPgClient } from '../helpers/db-client.ts';
import { newRunId, waitForFinalState } from '../helpers/jobs.ts';
import { addMeta } from '../helpers/report/meta.ts';
import { cleanupConnection } from '../helpers/run-rows.ts';

const stack = inject('stack');
const profile = inject('profile');
/** Every refused JSON-object body carries it: no row with it may exist afterwards. */
const refusedRunId = newRunId('refused');
/** Puts the run id first in a JSON object's text, leaving the rest byte for byte as it was. */
const tagged = (body: string | undefined) =>
  body && /^\{[\s\S]*\}$/.test(body.trim()) ? body.replace('{', `{"runId":${JSON.stringify(refusedRunId)},`) : body;
const api = new ApiClient(stack.apiUrl);
const json = { 'content-type': 'application/json' };
const post = (body: string, headers: Record<string, string> = json) => ({ method: 'POST', path: '/jobs', body, headers });
const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

interface Case {
  name: string;
  method: string;
  path: string;
  body?: string;
  headers?: Record<string, string>;
  status: number;
  code: string;
  field?: string;
}

const cases: Case[] = [
  { name: 'malformed JSON', ...post('{"type": "echo",'), status: 400, code: 'malformed_json' },
  { name: 'JSON with a trailing comma', ...post('{"type":"echo",}'), status: 400, code: 'malformed_json' },
  { name: 'wrong content type', ...post('type=echo', { 'content-type': 'application/x-www-form-urlencoded' }), status: 415, code: 'unsupported_media_type' },
  { name: 'no content type', ...post('{"type":"echo"}', {}), status: 415, code: 'unsupported_media_type' },
  { name: 'a JSON-ish but different content type', ...post('{"type":"echo"}', { 'content-type': 'application/merge-patch+json' }), status: 415, code: 'unsupported_media_type' },
  { name: 'JSON declared in another charset', ...post('{"type":"echo"}', { 'content-type': 'application/json; charset=iso-8859-1' }), status: 415, code: 'unsupported_charset' },
  { name: 'JSON declared as UTF-16', ...post('{"type":"echo"}', { 'content-type': 'application/json; charset="UTF-16"' }), status: 415, code: 'unsupported_charset' },
  { name: 'no body', method: 'POST', path: '/jobs', headers: json, status: 400, code: 'empty_body' },
  { name: 'a JSON array instead of an object', ...post('[{"type":"echo"}]'), status: 400, code: 'invalid_body' },
  { name: 'a JSON string instead of an object', ...post('"echo"'), status: 400, code: 'invalid_body' },
  { name: 'unknown job type', ...post('{"type":"format-disk"}'), status: 400, code: 'unknown_job_type', field: 'type' },
  { name: 'an SQL-looking job type', ...post(`{"type":"echo'); DROP TABLE jobs;--"}`), status: 400, code: 'unknown_job_type', field: 'type' },
  { name: 'missing type', ...post('{"payload":{}}'), status: 400, code: 'invalid_field', field: 'type' },
  { name: 'type is not a string', ...post('{"type":42}'), status: 400, code: 'invalid_field', field: 'type' },
  { name: 'maxAttempts as a string', ...post('{"type":"echo","maxAttempts":"3"}'), status: 400, code: 'invalid_field', field: 'maxAttempts' },
  { name: 'negative maxAttempts', ...post('{"type":"echo","maxAttempts":-1}'), status: 400, code: 'invalid_field', field: 'maxAttempts' },
  { name: 'huge maxAttempts', ...post('{"type":"echo","maxAttempts":1e12}'), status: 400, code: 'invalid_field', field: 'maxAttempts' },
  { name: 'maxAttempts overflowing to Infinity', ...post('{"type":"echo","maxAttempts":1e400}'), status: 400, code: 'invalid_field', field: 'maxAttempts' },
  { name: 'an unknown field', ...post('{"type":"echo","priority":1}'), status: 400, code: 'unknown_field', field: 'priority' },
  { name: 'a __proto__ field', ...post('{"type":"echo","__proto__":{"admin":true}}'), status: 400, code: 'unknown_field', field: '__proto__' },
  { name: 'payload invalid for its type', ...post('{"type":"sleep","payload":{"ms":"soon"}}'), status: 400, code: 'invalid_payload', field: 'payload' },
  { name: 'a payload over the limit', ...post(JSON.stringify({ type: 'echo', payload: 'x'.repeat(20_000) })), status: 413, code: 'payload_too_large', field: 'payload' },
  { name: 'a body over the limit', ...post(JSON.stringify({ type: 'echo', payload: 'x'.repeat(70_000) })), status: 413, code: 'payload_too_large' },
  { name: 'a payload over the limit in UTF-8 bytes, not in characters', ...post(JSON.stringify({ type: 'echo', payload: 'é'.repeat(9_000) })), status: 413, code: 'payload_too_large', field: 'payload' },
  { name: 'deeply nested JSON', ...post(`{"type":"echo","payload":${nested(1000)}}`), status: 400, code: 'too_deep', field: 'payload' },
  { name: 'a NUL character in the payload', ...post('{"type":"echo","payload":{"s":"a\\u0000b"}}'), status: 400, code: 'unstorable_text', field: 'payload' },
  { name: 'an unpaired surrogate in the payload', ...post('{"type":"echo","payload":"\\ud800"}'), status: 400, code: 'unstorable_text', field: 'payload' },
  { name: 'a NUL character in the idempotency key', ...post('{"type":"echo","idempotencyKey":"k\\u0000"}'), status: 400, code: 'unstorable_text', field: 'idempotencyKey' },
  { name: 'an empty idempotency key', ...post('{"type":"echo","idempotencyKey":""}'), status: 400, code: 'invalid_field', field: 'idempotencyKey' },
  { name: 'a bad job id', method: 'GET', path: '/jobs/not-a-uuid', status: 400, code: 'invalid_id', field: 'id' },
  { name: 'an SQL-looking job id', method: 'GET', path: `/jobs/${encodeURIComponent("1' OR '1'='1")}`, status: 400, code: 'invalid_id', field: 'id' },
  { name: 'a job id with broken percent-encoding', method: 'GET', path: '/jobs/%E0%A4%A', status: 400, code: 'invalid_path', field: 'id' },
  { name: 'an unknown job id', method: 'GET', path: '/jobs/00000000-0000-4000-8000-000000000000', status: 404, code: 'job_not_found', field: 'id' },
  { name: 'an unknown route', method: 'GET', path: '/admin', status: 404, code: 'not_found' },
  { name: 'a wrong method on /jobs', method: 'DELETE', path: '/jobs', status: 405, code: 'method_not_allowed' },
  { name: 'a wrong method on a job', method: 'PUT', path: '/jobs/00000000-0000-4000-8000-000000000000', body: '{}', headers: json, status: 405, code: 'method_not_allowed' },
  { name: 'a very long URL', method: 'GET', path: `/jobs/${'a'.repeat(5_000)}`, status: 414, code: 'uri_too_long' },
];

/** The valid requests of this file write on purpose, under these run ids; nothing else may change. */
const validRunIds = { dupKey: newRunId('dup-key'), unicode: newRunId('unicode') };

/** A fingerprint of every job row but the valid requests': equal before and after means byte-for-byte unchanged. */
async function jobRowsFingerprint(): Promise<string> {
  return withPgClient(stack.directUrl!, async (db) =>
    (await db.query(
      `SELECT coalesce(md5(string_agg(j::text, '|' ORDER BY j.id)), 'empty') AS f FROM jobs j WHERE j.run_id IS NULL OR NOT (j.run_id = ANY($1::text[]))`,
      [Object.values(validRunIds)],
    )).rows[0].f,
  );
}

// Local stacks are ours: the whole table must not change. A live one changes with real traffic.
const fingerprinted = !!stack.services && stack.capabilities.directDatabase;
const liveRows = fingerprinted ? undefined : stack.directUrl ? { url: stack.directUrl, via: 'the direct connection' } : cleanupConnection(profile);

/** A raw connection to the API (TLS for https), for requests fetch cannot send. */
function rawConnect(onConnect: (socket: net.Socket) => void): net.Socket {
  const url = new URL(stack.apiUrl);
  const secure = url.protocol === 'https:';
  const port = Number(url.port || (secure ? 443 : 80));
  return secure ? tls.connect({ host: url.hostname, port, servername: url.hostname }, function (this: tls.TLSSocket) { onConnect(this); }) : net.connect(port, url.hostname, function (this: net.Socket) { onConnect(this); });
}

/** A raw request with headers too large for node's parser: answered before any route runs. */
function oversizedHeaders(): Promise<{ status: number; text: string }> {
  const host = new URL(stack.apiUrl).host;
  return new Promise((resolve, reject) => {
    const socket = rawConnect((s) => s.write(`GET /health/live HTTP/1.1\r\nhost: ${host}\r\nconnection: close\r\nx-filler: ${'a'.repeat(20_000)}\r\n\r\n`));
    const giveUp = setTimeout(() => socket.destroy(new Error('no answer within 15 s')), 15_000);
    let text = '';
    socket.on('data', (d) => (text += d.toString().slice(0, 64 * 1024 - text.length)));
    socket.on('end', () => {
      clearTimeout(giveUp);
      resolve({ status: Number(text.split(' ')[1]), text });
    });
    socket.on('error', reject);
  });
}

/** A POST whose body never arrives in full: the time until the server answers, and what it said. */
function trickledBody(giveUpMs: number): Promise<{ status: number; text: string; ms: number }> {
  const url = new URL(stack.apiUrl);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(url.port), url.hostname, () => {
      socket.write(`POST /jobs HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"type":`);
    });
    const giveUp = setTimeout(() => socket.destroy(new Error(`no answer within ${giveUpMs} ms`)), giveUpMs);
    let text = '';
    socket.on('data', (d) => (text += d));
    socket.on('close', () => {
      clearTimeout(giveUp);
      resolve({ status: Number(text.split(' ')[1]), text, ms: Date.now() - started });
    });
    socket.on('error', reject);
  });
}

describe('bad requests', () => {
  // Taken once, before any request of this file: a refusal that writes a row shows at the end.
  let before: string;
  beforeAll(async () => {
    if (fingerprinted) before = await jobRowsFingerprint();
  });

  it('covers at least 20 kinds of bad request', () => {
    expect(cases.length).toBeGreaterThanOrEqual(20);
  });

  it.each(cases)('$name → $status $code [J-refusal-codes]', async ({ name, method, path, body, headers, status, code, field }) => {
    const res = await api.request(method, path, { body: tagged(body), headers });
    expect(res.status, `${name}: the API answered ${res.status} instead of ${status} ${code}: ${res.text.slice(0, 300)}`).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const parsed = errorBodySchema.safeParse(res.body);
    expect(parsed.success, `error body is not {error:{code,message}}: ${res.text.slice(0, 300)}`).toBe(true);
    expect(parsed.data!.error).toMatchObject({ code, ...(field ? { field } : {}) });
    expect(res.text).not.toMatch(/\n\s+at |\\n\s+at /);
  });

  it('headers too large → 431 with a JSON error, before any route runs', async () => {
    const res = await oversizedHeaders();
    expect(res.status).toBe(431);
    expect(res.text).toMatch(/content-type: application\/json/i);
    // The raw response (status line, headers, body): its JSON body, however it is spaced.
    expect(JSON.parse(res.text.slice(res.text.indexOf('\r\n\r\n') + 4))).toMatchObject({ error: { code: 'headers_too_large' } });
  });

  // The reference's own limit (CONTRACT.md: not a contract rule), so only where the stack is ours.
  it('a body that never arrives in full is cut after API_REQUEST_TIMEOUT_MS with 408 (the reference API)', async ({ skip }) => {
    if (!stack.capabilities.referenceServices) skip("the request timeout is the reference API's choice, not a contract rule");
    // The limit the API runs with, as its /health reports it (10 s by default; the test stacks set less).
    const settings = (await api.request('GET', '/health')).body as { checks?: { 'config:env'?: { settings?: { name: string; value?: string }[] }[] } };
    const limitMs = Number(settings.checks?.['config:env']?.[0]?.settings?.find((s) => s.name === 'API_REQUEST_TIMEOUT_MS')?.value ?? 10_000);
    const res = await trickledBody(limitMs + 20_000);
    expect(res.status, res.text).toBe(408);
    expect(res.text).toMatch(/"code"\s*:\s*"request_timeout"/);
    expect(res.ms).toBeGreaterThanOrEqual(limitMs - 1_000);
    expect(res.ms).toBeLessThan(limitMs + 15_000);
  }, 60_000);

  it('a reused idempotency key with a different payload → 409, the first job untouched [J-idempotent]', async () => {
    const idempotencyKey = validRunIds.dupKey;
    const runId = idempotencyKey;
    const first = await api.createJob({ type: 'echo', payload: { v: 1 }, idempotencyKey, runId });
    const again = await api.postJson('/jobs', { type: 'echo', payload: { v: 2 }, idempotencyKey, runId });
    expect(again.status).toBe(409);
    expect(errorBodySchema.parse(again.body).error).toMatchObject({ code: 'idempotency_conflict', field: 'idempotencyKey' });
    expect((await api.getJob(first.id)).payload).toEqual({ v: 1 });
    // This case wrote one valid job on purpose (left out of the fingerprint); let it end, within
    // the profile's job timeout, but what it is about (the 409) is already checked.
    await waitForFinalState(api, first.id, profile.E2E_JOB_TIMEOUT_MS).catch(() => undefined);
  });

  it('valid odd input is stored as sent: unusual Unicode and SQL-looking strings are data', async () => {
    const payload = { emoji: '😀👩‍💻', rtl: 'مرحبا', combining: 'e\u0301', zeroWidth: 'a\u200bb', sql: "'); DROP TABLE jobs;--" };
    const job = await api.createJob({ type: 'echo', payload, runId: validRunIds.unicode });
    expect((await waitForFinalState(api, job.id, profile.E2E_JOB_TIMEOUT_MS)).result).toEqual(payload);
  });

  // Last of the file's checks (vitest runs them in order): every refusal above has been made.
  it('refused requests wrote nothing: no row carries their run id, and the job rows are byte-for-byte unchanged [J-refusal-writes-nothing]', async ({ task, skip }) => {
    const url = fingerprinted ? stack.directUrl : liveRows?.url;
    if (!url) skip(`no database connection to look with: ${liveRows?.via ?? ''}`);
    const { rows } = await withPgClient(url!, (db) => db.query<{ id: string; type: string; payload: unknown }>('SELECT id, type, payload FROM jobs WHERE run_id = $1', [refusedRunId]));
    const written = `refused requests wrote ${rows.length} job row(s) (run id ${refusedRunId}, looked through ${fingerprinted ? 'the direct connection' : liveRows!.via}): ` +
      `${rows.slice(0, 3).map((r) => `${r.type} ${JSON.stringify(r.payload).slice(0, 80)}`).join('; ')}: a refusal must write nothing (validate before the INSERT)`;
    if (rows.length) addMeta(task, { diagnosis: [written] });
    expect(rows.map((r) => r.id), written).toEqual([]);
    // Worker activity on the valid jobs is left out; nothing else may have changed.
    if (fingerprinted) expect(await jobRowsFingerprint(), 'refused requests must leave the job rows byte-for-byte unchanged').toBe(before);
  });

  afterAll(async () => {
    const ready = await api.request('GET', '/health/ready');
    expect(ready.status, 'the API stays healthy after bad input').toBe(200);
  });
});
