import { appendFileSync } from 'node:fs';
import { retryLog } from './report/meta.ts';

// A small typed client for the contract's HTTP endpoints, used by the suites. Every call is
// bounded: a timeout for the whole exchange (body included), a cap on the response body (read as
// a stream, abandoned past the cap), and redirects followed only within the API's own origin (a
// bounded number of them). A failed call says which endpoint and why.

/** The most a response body may hold before the client stops reading it. */
export const MAX_RESPONSE_BYTES = 1024 * 1024;
/** Same-origin redirects followed per call. */
export const MAX_REDIRECTS = 5;

/** A response the client refused to take (too large, a redirect elsewhere): an answer, not a network error. */
export class RefusedResponse extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RefusedResponse';
  }
}

export interface BoundedResponse {
  status: number;
  headers: Headers;
  text: string;
}

const mib = (n: number) => (n % (1024 * 1024) === 0 ? `${n / (1024 * 1024)} MiB` : `${n} bytes`);

/** Reads a body up to maxBytes; past that, cancels the stream and throws. */
async function readCapped(res: Response, maxBytes: number, what: string): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel().catch(() => undefined);
    throw new RefusedResponse(`${what}: the response body is ${declared} bytes, over the ${mib(maxBytes)} cap on a response; not read`);
  }
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new RefusedResponse(`${what}: the response body passed the ${mib(maxBytes)} cap on a response; stopped reading`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * fetch, bounded: one timeout for the whole exchange, the body capped, redirects followed only to
 * the same origin (at most MAX_REDIRECTS). Credentials in the URL are sent as basic auth, never in
 * the URL.
 */
export async function boundedFetch(
  url: URL,
  init: { method?: string; body?: string; headers?: Record<string, string> } = {},
  options: { timeoutMs: number; maxBytes?: number; maxRedirects?: number },
): Promise<BoundedResponse> {
  const { url: start, authorization } = withoutCredentials(url);
  const headers = { ...(authorization ? { authorization } : {}), ...init.headers };
  const signal = AbortSignal.timeout(options.timeoutMs);
  const maxRedirects = options.maxRedirects ?? MAX_REDIRECTS;
  let method = init.method ?? 'GET';
  let body = init.body;
  let current = start;
  for (let hops = 0; ; hops++) {
    const res = await fetch(current, { method, body, headers, signal, redirect: 'manual' });
    const what = `${method} ${current.pathname} on ${current.origin}`;
    const location = res.status >= 300 && res.status < 400 ? res.headers.get('location') : null;
    if (location === null) return { status: res.status, headers: res.headers, text: await readCapped(res, options.maxBytes ?? MAX_RESPONSE_BYTES, what) };
    await res.body?.cancel().catch(() => undefined);
    let next: URL;
    try {
      next = new URL(location, current);
    } catch {
      throw new RefusedResponse(`${what} answered ${res.status} with an unparseable Location: not followed`);
    }
    if (next.origin !== start.origin) {
      throw new RefusedResponse(`${what} answered ${res.status}, a redirect to another origin (${next.origin}): not followed, the suite talks only to API_URL's origin`);
    }
    if (hops >= maxRedirects) throw new RefusedResponse(`${what}: more than ${maxRedirects} redirects; not followed further`);
    if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
      method = 'GET';
      body = undefined;
    }
    current = next;
  }
}

/** A URL's userinfo becomes an Authorization header (fetch refuses credentials in a URL). */
function withoutCredentials(url: URL): { url: URL; authorization?: string } {
  if (!url.username && !url.password) return { url };
  const bare = new URL(url);
  bare.username = '';
  bare.password = '';
  const pair = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  return { url: bare, authorization: `Basic ${Buffer.from(pair).toString('base64')}` };
}

/**
 * Where the run records every job it created (E2E_JOB_LEDGER, set by the runner): the cleanup can
 * then name each row it could not remove, even without a database connection.
 */
function recordJob(job: { id?: string; runId?: string | null }): void {
  const ledger = process.env.E2E_JOB_LEDGER;
  if (!ledger || !job.id) return;
  try {
    appendFileSync(ledger, `${JSON.stringify({ id: job.id, runId: job.runId ?? null })}\n`);
  } catch {
    /* the ledger is a help for the report, never a reason to fail a check */
  }
}

export interface JobView {
  id: string;
  type: string;
  state: 'queued' | 'running' | 'retrying' | 'succeeded' | 'dead';
  attempts: number;
  maxAttempts: number;
  payload: unknown;
  result: unknown;
  lastError: string | null;
  idempotencyKey: string | null;
  runId: string | null;
  lockedBy: string | null;
  lockedUntil: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  executions?: { attempt: number; workerId: string; startedAt: string; finishedAt: string | null; outcome: string | null; error: string | null }[];
}

export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly timeoutMs = 10_000,
  ) {}

  /**
   * One HTTP call. Transient network errors (a reset connection, a DNS hiccup) are retried at
   * most twice and logged for the report; an HTTP answer, whatever its status, is never retried.
   */
  async request<T = unknown>(method: string, path: string, init: { body?: string; headers?: Record<string, string> } = {}): Promise<ApiResponse<T>> {
    const url = new URL(path, this.baseUrl);
    let response: BoundedResponse;
    for (let attempt = 1; ; attempt++) {
      try {
        response = await boundedFetch(url, { method, body: init.body, headers: init.headers }, { timeoutMs: this.timeoutMs });
        break;
      } catch (error) {
        if (error instanceof RefusedResponse) throw error;
        const cause = networkCode(error);
        if (TRANSIENT.has(cause) && attempt <= 2) {
          retryLog.push(`${method} ${url.pathname}: ${cause}, retry ${attempt}/2`);
          await new Promise((r) => setTimeout(r, 100 * attempt));
          continue;
        }
        throw new Error(`${method} ${url.pathname} on ${url.origin} failed: ${cause}`);
      }
    }
    const text = response.text;
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      /* not JSON: keep the text */
    }
    if (method === 'POST' && url.pathname === '/jobs' && (response.status === 202 || response.status === 200)) recordJob(body as JobView);
    return { status: response.status, headers: response.headers, body: body as T, text };
  }

  postJson<T = unknown>(path: string, value: unknown) {
    return this.request<T>('POST', path, { body: JSON.stringify(value), headers: { 'content-type': 'application/json' } });
  }

  /** POST /jobs expecting 202; throws with the API's error otherwise. */
  async createJob(job: { type: string; payload?: unknown; maxAttempts?: number; idempotencyKey?: string; runId?: string }): Promise<JobView> {
    const res = await this.postJson<JobView>('/jobs', job);
    if (res.status !== 202) throw new Error(`POST /jobs answered ${res.status}: ${res.text.slice(0, 300)}`);
    return res.body;
  }

  async getJob(id: string): Promise<JobView> {
    const res = await this.request<JobView>('GET', `/jobs/${id}`);
    if (res.status !== 200) throw new Error(`GET /jobs/${id} answered ${res.status}: ${res.text.slice(0, 300)}`);
    return res.body;
  }
}

const TRANSIENT = new Set(['ECONNRESET', 'EPIPE', 'EAI_AGAIN', 'UND_ERR_SOCKET']);

export function networkCode(error: unknown): string {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return 'ETIMEDOUT';
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(error);
}

export const isTerminal = (state: string) => state === 'succeeded' || state === 'dead';
