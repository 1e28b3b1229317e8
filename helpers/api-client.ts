import { retryLog } from './report/meta.ts';

// A small typed client for the contract's HTTP endpoints, used by the suites. Every call has a
// timeout; a failed call says which endpoint and why.

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
    let response: Response;
    for (let attempt = 1; ; attempt++) {
      try {
        response = await fetch(url, { method, body: init.body, headers: init.headers, signal: AbortSignal.timeout(this.timeoutMs) });
        break;
      } catch (error) {
        const cause = networkCode(error);
        if (TRANSIENT.has(cause) && attempt <= 2) {
          retryLog.push(`${method} ${url.pathname}: ${cause}, retry ${attempt}/2`);
          await new Promise((r) => setTimeout(r, 100 * attempt));
          continue;
        }
        throw new Error(`${method} ${url.pathname} on ${url.origin} failed: ${cause}`);
      }
    }
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      /* not JSON: keep the text */
    }
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
