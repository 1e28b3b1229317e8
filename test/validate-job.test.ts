import { describe, expect, it } from 'vitest';
import { HttpError } from '../services/api/http-kit.ts';
import { validateNewJob } from '../services/api/jobs.ts';
import { MAX_PAYLOAD_BYTES } from '../services/shared/job-types.ts';

function refusal(body: unknown): { status: number; code: string; field?: string; message: string } {
  try {
    validateNewJob(body);
  } catch (error) {
    if (error instanceof HttpError) return { status: error.status, code: error.code, field: error.field, message: error.message };
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('POST /jobs validation', () => {
  it('accepts a valid job and fills defaults', () => {
    expect(validateNewJob({ type: 'echo', payload: { a: 1 } })).toEqual({ type: 'echo', payload: { a: 1 }, maxAttempts: 3, idempotencyKey: undefined, runId: undefined });
    expect(validateNewJob({ type: 'sleep', payload: { ms: 5 }, maxAttempts: 1, idempotencyKey: 'k', runId: 'r' })).toMatchObject({ maxAttempts: 1, idempotencyKey: 'k' });
  });

  it.each([
    [[1, 2], 400, 'invalid_body', undefined],
    [null, 400, 'invalid_body', undefined],
    [{}, 400, 'invalid_field', 'type'],
    [{ type: 7 }, 400, 'invalid_field', 'type'],
    [{ type: 'nope' }, 400, 'unknown_job_type', 'type'],
    [{ type: 'echo', maxAttempts: 0 }, 400, 'invalid_field', 'maxAttempts'],
    [{ type: 'echo', maxAttempts: 1.5 }, 400, 'invalid_field', 'maxAttempts'],
    [{ type: 'echo', maxAttempts: '3' }, 400, 'invalid_field', 'maxAttempts'],
    [{ type: 'echo', maxAttempts: 1e9 }, 400, 'invalid_field', 'maxAttempts'],
    [{ type: 'echo', idempotencyKey: '' }, 400, 'invalid_field', 'idempotencyKey'],
    [{ type: 'echo', extra: true }, 400, 'unknown_field', 'extra'],
    [{ type: 'sleep', payload: { ms: -1 } }, 400, 'invalid_payload', 'payload'],
    [{ type: 'sleep' }, 400, 'invalid_payload', 'payload'],
    [{ type: 'flaky', payload: { failures: 'x' } }, 400, 'invalid_payload', 'payload'],
    [{ type: 'echo', payload: 'x'.repeat(MAX_PAYLOAD_BYTES) }, 413, 'payload_too_large', 'payload'],
  ])('%j → %i %s naming %s', (body, status, code, field) => {
    expect(refusal(body)).toMatchObject({ status, code, field });
  });

  it('the message says what is wrong in words', () => {
    expect(refusal({ type: 'nope' }).message).toBe('unknown job type "nope"; known types: echo, sleep, flaky, fail, external');
    expect(refusal({ type: 'sleep', payload: { ms: 'soon' } }).message).toMatch(/^payload\.ms: .* \(for a "sleep" job\)$/);
    expect(refusal({ type: 'echo', maxAttempts: 0 }).message).toBe('maxAttempts must be at least 1');
  });
});
