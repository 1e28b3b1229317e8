// api-input: bad requests get a 4xx with a JSON error naming the problem, and nothing is written.
import { describe, expect, inject, it } from 'vitest';
import { ApiClient } from '../helpers/api-client.ts';
import { errorBodySchema } from '../helpers/contract.ts';
import { withPgClient } from '../helpers/db-client.ts';
import { NEEDS_DIRECT_DB, skipUnless } from '../helpers/skip.ts';

const stack = inject('stack');
const api = new ApiClient(stack.apiUrl);
const json = { 'content-type': 'application/json' };

const cases: { name: string; method: string; path: string; body?: string; headers?: Record<string, string>; status: number; code: string }[] = [
  { name: 'malformed JSON', method: 'POST', path: '/jobs', body: '{"type": "echo",', headers: json, status: 400, code: 'malformed_json' },
  { name: 'wrong content type', method: 'POST', path: '/jobs', body: 'type=echo', headers: { 'content-type': 'text/plain' }, status: 415, code: 'unsupported_media_type' },
  { name: 'no body', method: 'POST', path: '/jobs', headers: json, status: 400, code: 'empty_body' },
  { name: 'unknown job type', method: 'POST', path: '/jobs', body: '{"type":"format-disk"}', headers: json, status: 400, code: 'unknown_job_type' },
  { name: 'missing type', method: 'POST', path: '/jobs', body: '{"payload":{}}', headers: json, status: 400, code: 'invalid_field' },
  { name: 'ill-typed maxAttempts', method: 'POST', path: '/jobs', body: '{"type":"echo","maxAttempts":"3"}', headers: json, status: 400, code: 'invalid_field' },
  { name: 'body over the size limit', method: 'POST', path: '/jobs', body: JSON.stringify({ type: 'echo', payload: 'x'.repeat(70_000) }), headers: json, status: 413, code: 'payload_too_large' },
  { name: 'bad job id', method: 'GET', path: '/jobs/not-a-uuid', status: 400, code: 'invalid_id' },
  { name: 'unknown job id', method: 'GET', path: '/jobs/00000000-0000-4000-8000-000000000000', status: 404, code: 'job_not_found' },
  { name: 'unknown route', method: 'GET', path: '/nope', status: 404, code: 'not_found' },
  { name: 'wrong method', method: 'DELETE', path: '/jobs', status: 405, code: 'method_not_allowed' },
];

describe('bad requests', () => {
  skipUnless(!!stack.directUrl, NEEDS_DIRECT_DB);
  it.each(cases)('$name → $status $code, nothing written', async ({ method, path, body, headers, status, code }) => {
    await withPgClient(stack.directUrl!, async (db) => {
      const count = async () => (await db.query('SELECT count(*)::int AS n FROM jobs')).rows[0].n as number;
      const before = await count();
      const res = await api.request(method, path, { body, headers });
      expect(res.status, res.text).toBe(status);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      const parsed = errorBodySchema.safeParse(res.body);
      expect(parsed.success, `error body is not {error:{code,message}}: ${res.text}`).toBe(true);
      expect(parsed.data!.error.code).toBe(code);
      expect(await count(), 'a refused request must not write a job').toBe(before);
    });
  });
});
