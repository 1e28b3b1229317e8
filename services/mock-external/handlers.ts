// msw handlers standing in for the external HTTP API the `external` job calls. They check the
// API key, record every request (without the key), and can be told to fail the next N requests
// for a `ref`, so a suite can show the worker survives a 503.
import { http, HttpResponse } from 'msw';

export interface RecordedRequest {
  ref: string;
  apiKeyPresent: boolean;
  apiKeyValid: boolean;
  requestId: string | null;
  status: number;
  at: string;
}

export function createMockState() {
  return {
    requests: [] as RecordedRequest[],
    failures: new Map<string, { remaining: number; status: number }>(),
  };
}
export type MockState = ReturnType<typeof createMockState>;

export function externalApiHandlers(apiKey: string, state: MockState) {
  return [
    http.post('*/v1/messages', async ({ request }) => {
      const body = (await request.json().catch(() => null)) as { ref?: unknown } | null;
      const ref = typeof body?.ref === 'string' ? body.ref : '';
      const given = request.headers.get('x-api-key');
      const record = (status: number) =>
        state.requests.push({
          ref,
          apiKeyPresent: given !== null,
          apiKeyValid: given === apiKey,
          requestId: request.headers.get('x-request-id'),
          status,
          at: new Date().toISOString(),
        });
      if (given !== apiKey) {
        record(401);
        return HttpResponse.json({ error: given === null ? 'missing x-api-key header' : 'invalid API key' }, { status: 401 });
      }
      const planned = state.failures.get(ref);
      if (planned && planned.remaining > 0) {
        planned.remaining--;
        record(planned.status);
        return HttpResponse.json({ error: 'planned failure' }, { status: planned.status });
      }
      record(200);
      return HttpResponse.json({ accepted: true, ref });
    }),

    // Test control: fail the next `times` requests for `ref` with `status`.
    http.post('*/__mock/failures', async ({ request }) => {
      const { ref, times, status = 503 } = (await request.json()) as { ref: string; times: number; status?: number };
      state.failures.set(ref, { remaining: times, status });
      return HttpResponse.json({ ref, times, status });
    }),

    http.get('*/__mock/requests', ({ request }) => {
      const ref = new URL(request.url).searchParams.get('ref');
      return HttpResponse.json(ref ? state.requests.filter((r) => r.ref === ref) : state.requests);
    }),

    http.get('*/__mock/health', () => HttpResponse.json({ status: 'pass' })),
  ];
}
