// What each job type does. A handler gets the payload and the attempt number and returns the
// result (stored as jsonb) or throws (the message becomes the job's last error).
import type { JobType } from '../shared/job-types.ts';
import type { WorkerConfig } from './config.ts';

export interface JobContext {
  id: string;
  attempt: number;
  signal: AbortSignal;
}

export type Handler = (payload: any, ctx: JobContext) => Promise<unknown>;

export function createHandlers(config: WorkerConfig): Record<JobType, Handler> {
  return {
    echo: async (payload) => payload,

    sleep: async ({ ms }: { ms: number }, { signal }) => {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, ms);
        signal.addEventListener('abort', () => (clearTimeout(timer), reject(new Error('aborted: worker shutting down'))), { once: true });
      });
      return { sleptMs: ms };
    },

    flaky: async ({ failures }: { failures: number }, { attempt }) => {
      // Mutant: a flipped comparison (fails attempts below n only).
      if (config.defects.has('flaky-off-by-one') ? attempt < failures : attempt <= failures) throw new Error(`flaky: planned failure ${attempt} of ${failures}`);
      return { succeededOnAttempt: attempt };
    },

    fail: async ({ message }: { message?: string }, { attempt }) => {
      throw new Error(message ?? `fail: planned failure on attempt ${attempt}`);
    },

    external: async ({ ref, body }: { ref: string; body?: unknown }, { id, attempt, signal }) => {
      if (!config.external) throw new Error('external: EXTERNAL_API_URL is not set on this worker');
      const url = new URL('/v1/messages', config.external.url);
      const response = await fetch(url, {
        method: 'POST',
        // Mutant: the header's name misremembered.
        headers: { 'content-type': 'application/json', [config.defects.has('api-key-header-name') ? 'x-api-token' : 'x-api-key']: config.external.apiKey, 'x-request-id': `${id}/${attempt}` },
        body: JSON.stringify({ ref, body: body ?? null }),
        signal: AbortSignal.any([signal, AbortSignal.timeout(config.external.timeoutMs)]),
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`external: ${url.origin} answered ${response.status} ${text.slice(0, 200)}`);
      return { status: response.status, response: safeJson(text) };
    },
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text.slice(0, 1000);
  }
}
