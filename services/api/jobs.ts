// POST /jobs and GET /jobs/:id. Every client mistake is a 4xx naming the field; nothing is
// written unless the whole request is valid. Database trouble is a 503, never a 500 with a trace.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type pg from 'pg';
import { z } from 'zod';
import { isJobType, JOB_TYPES, MAX_BODY_BYTES, MAX_PAYLOAD_BYTES, MAX_PAYLOAD_DEPTH, payloadSchemas } from '../shared/job-types.ts';
import type { Defect } from '../shared/defects.ts';
import { HttpError, readJsonBody, sendJson } from './http-kit.ts';

const envelope = z
  .object({
    type: z.string({ error: 'type is required and must be a string' }),
    payload: z.unknown().optional(),
    maxAttempts: z.number({ error: 'maxAttempts must be an integer from 1 to 25' }).int('maxAttempts must be an integer from 1 to 25').min(1, 'maxAttempts must be at least 1').max(25, 'maxAttempts must be at most 25').optional(),
    idempotencyKey: z.string({ error: 'idempotencyKey must be a string' }).min(1, 'idempotencyKey must not be empty').max(200, 'idempotencyKey must be at most 200 characters').optional(),
    runId: z.string({ error: 'runId must be a string' }).min(1, 'runId must not be empty').max(100, 'runId must be at most 100 characters').optional(),
  })
  .strict();

export interface NewJob {
  type: string;
  payload: unknown;
  maxAttempts: number;
  idempotencyKey?: string;
  runId?: string;
}

export const DEFAULT_MAX_ATTEMPTS = 3;

/** Validates a POST /jobs body; throws HttpError naming the first problem. Pure: no I/O. */
export function validateNewJob(body: unknown, defects: ReadonlySet<Defect> = new Set(), stage: 'all' | 'envelope' | 'payload' = 'all'): NewJob {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpError(400, 'invalid_body', 'request body must be a JSON object');
  }
  checkStorable(body as Record<string, unknown>);
  const parsed = envelope.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    if (issue.code === 'unrecognized_keys') {
      throw new HttpError(400, 'unknown_field', `unknown field ${issue.keys.join(', ')}; allowed: type, payload, maxAttempts, idempotencyKey, runId`, issue.keys[0]);
    }
    const field = String(issue.path[0] ?? 'body');
    throw new HttpError(400, 'invalid_field', issue.message, field);
  }
  const { type, payload = null, maxAttempts = DEFAULT_MAX_ATTEMPTS, idempotencyKey, runId } = parsed.data;
  if (!isJobType(type)) {
    throw new HttpError(400, 'unknown_job_type', `unknown job type "${type.slice(0, 50)}"; known types: ${JOB_TYPES.join(', ')}`, 'type');
  }
  if (stage === 'envelope') return { type, payload, maxAttempts, idempotencyKey, runId };
  // Defect switch (mutants): characters counted instead of UTF-8 bytes.
  const payloadBytes = defects.has('payload-size-in-chars') ? JSON.stringify(payload).length : Buffer.byteLength(JSON.stringify(payload));
  if (payloadBytes > MAX_PAYLOAD_BYTES) {
    throw new HttpError(413, 'payload_too_large', `payload is ${payloadBytes} bytes; the limit is ${MAX_PAYLOAD_BYTES}`, 'payload');
  }
  const checked = payloadSchemas[type].safeParse(payload);
  if (!checked.success) {
    const issue = checked.error.issues[0]!;
    const where = ['payload', ...issue.path.map(String)].join('.');
    throw new HttpError(400, 'invalid_payload', `${where}: ${issue.message} (for a "${type}" job)`, 'payload');
  }
  return { type, payload, maxAttempts, idempotencyKey, runId };
}

// A NUL character or an unpaired UTF-16 surrogate is valid JSON but cannot be stored by Postgres
// (text and jsonb refuse them): refused here as the client's mistake, not a 500 from the database.
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Walks the body without recursion (a deeply nested body must not blow the stack). */
function checkStorable(body: Record<string, unknown>): void {
  const stack: { value: unknown; path: string; depth: number }[] = Object.entries(body).map(([k, v]) => ({ value: v, path: k, depth: 0 }));
  for (const key of Object.keys(body)) {
    if (UNSTORABLE.test(key)) throw new HttpError(400, 'unstorable_text', 'a field name contains a NUL character or an unpaired surrogate');
  }
  while (stack.length) {
    const { value, path, depth } = stack.pop()!;
    const field = path.split(/[.[]/)[0]!;
    if (depth > MAX_PAYLOAD_DEPTH) {
      throw new HttpError(400, 'too_deep', `${field} nests more than ${MAX_PAYLOAD_DEPTH} levels deep`, field);
    }
    if (typeof value === 'string') {
      if (UNSTORABLE.test(value)) throw new HttpError(400, 'unstorable_text', `${path} contains a NUL character or an unpaired UTF-16 surrogate, which cannot be stored`, field);
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => stack.push({ value: v, path: `${path}[${i}]`, depth: depth + 1 }));
    } else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        if (UNSTORABLE.test(k)) throw new HttpError(400, 'unstorable_text', `a key inside ${path} contains a NUL character or an unpaired surrogate`, field);
        stack.push({ value: v, path: `${path}.${k}`, depth: depth + 1 });
      }
    }
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface JobRow {
  id: string;
  type: string;
  payload: unknown;
  state: string;
  attempts: number;
  max_attempts: number;
  idempotency_key: string | null;
  run_id: string | null;
  result: unknown;
  last_error: string | null;
  run_after: Date;
  locked_by: string | null;
  locked_until: Date | null;
  created_at: Date;
  updated_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

export function jobView(row: JobRow, executions?: unknown[]) {
  return {
    id: row.id,
    type: row.type,
    state: row.state,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    payload: row.payload,
    result: row.result,
    lastError: row.last_error,
    idempotencyKey: row.idempotency_key,
    runId: row.run_id,
    runAfter: row.run_after,
    lockedBy: row.locked_by,
    lockedUntil: row.locked_until,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    ...(executions ? { executions } : {}),
  };
}

export function jobRoutes(pool: pg.Pool, defects: ReadonlySet<Defect> = new Set()) {
  const dbCall = <T>(fn: () => Promise<T>) => guardedDbCall(fn, defects.has('db-call-missing-await'));
  return {
    async create(req: IncomingMessage, res: ServerResponse) {
      const body = await readJsonBody(req, MAX_BODY_BYTES);
      // Defect switch (mutants): the payload is validated after the row is written.
      const late = defects.has('insert-before-payload-check');
      const job = validateNewJob(body, defects, late ? 'envelope' : 'all');
      const inserted = await dbCall(() =>
        pool.query<JobRow>(
          `INSERT INTO jobs (type, payload, max_attempts, idempotency_key, run_id)
           VALUES ($1, $2::jsonb, $3, $4, $5)
           ON CONFLICT (idempotency_key) DO NOTHING
           RETURNING *`,
          // Defect switch (mutants): the default stored whatever was sent.
          [job.type, JSON.stringify(job.payload), defects.has('max-attempts-dropped') ? DEFAULT_MAX_ATTEMPTS : job.maxAttempts, job.idempotencyKey ?? null, job.runId ?? null],
        ),
      );
      if (late) validateNewJob(body, defects, 'all');
      if (inserted.rows[0]) {
        sendJson(res, 202, jobView(inserted.rows[0]));
        return;
      }
      // The key exists: the same request again returns the same job; a different one is a conflict.
      // jsonb equality in SQL, so key order and number formatting do not matter.
      const existing = await dbCall(() =>
        // Defect switch (mutants): the payload compared as text, where key order and spacing matter.
        pool.query<JobRow & { same: boolean }>(`SELECT *, (type = $2 AND ${defects.has('idempotency-text-compare') ? 'payload::text = $3' : 'payload = $3::jsonb'}) AS same FROM jobs WHERE idempotency_key = $1`, [
          job.idempotencyKey,
          job.type,
          JSON.stringify(job.payload),
        ]),
      );
      const row = existing.rows[0];
      if (!row) throw new HttpError(503, 'retry', 'the job with this idempotencyKey was removed meanwhile; retry the request');
      if (!row.same) {
        throw new HttpError(409, 'idempotency_conflict', `idempotencyKey is already used by job ${row.id} with a different type or payload`, 'idempotencyKey');
      }
      res.setHeader('idempotent-replayed', 'true');
      const { same: _same, ...stored } = row;
      sendJson(res, 200, jobView(stored));
    },

    async get(_req: IncomingMessage, res: ServerResponse, params: Record<string, string>) {
      const id = params.id!;
      if (!UUID.test(id)) throw new HttpError(400, 'invalid_id', `job id must be a UUID, got "${id.slice(0, 60)}"`, 'id');
      const found = await dbCall(() => pool.query<JobRow>('SELECT * FROM jobs WHERE id = $1', [id]));
      if (!found.rows[0]) throw new HttpError(404, 'job_not_found', `no job with id ${id}`, 'id');
      const executions = await dbCall(() =>
        pool.query(
          `SELECT attempt, worker_id AS "workerId", started_at AS "startedAt", finished_at AS "finishedAt", outcome, error
             FROM job_executions WHERE job_id = $1 ORDER BY id${defects.has('executions-newest-first') ? ' DESC' : ''}`,
          [id],
        ),
      );
      sendJson(res, 200, jobView(found.rows[0], executions.rows));
    },
  };
}

/** Any database failure becomes a 503 the client can act on; the detail goes to the log. */
async function guardedDbCall<T>(fn: () => Promise<T>, missingAwait = false): Promise<T> {
  try {
    // Defect switch (mutants): without the await, a rejection escapes the try and becomes a 500.
    if (missingAwait) return fn();
    return await fn();
  } catch (error) {
    throw new HttpError(503, 'database_unavailable', `the job store is unavailable: ${(error as Error).message}`);
  }
}
