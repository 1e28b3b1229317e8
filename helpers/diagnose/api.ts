// What an API base URL's answers (or silences) mean. Shared by the runner's preflight
// (scripts/run-e2e.ts, exit 3) and `npm run doctor`.
import { diagnoseConnectError } from './connect-error.ts';

/** A network failure reaching the API, by code: the likely cause. */
export function apiNetworkHint(code: string, timeoutMs: number): string {
  const hints: Record<string, string> = {
    ENOTFOUND: 'the host name does not resolve: check API_URL',
    EAI_AGAIN: 'the host name could not be resolved just now (DNS): check API_URL and this network',
    ECONNREFUSED: 'nothing listens there: the service is down, or API_URL has the wrong port',
    ETIMEDOUT: `no answer within ${timeoutMs / 1000} s: the service is starting, asleep, or a firewall drops the traffic`,
    UND_ERR_CONNECT_TIMEOUT: `no answer within ${timeoutMs / 1000} s: the service is starting, asleep, or a firewall drops the traffic`,
    ECONNRESET: 'the connection was reset: a proxy in front of the service, or TLS spoken to a plain-HTTP port (or the reverse)',
    CERT_HAS_EXPIRED: 'its TLS certificate has expired',
    DEPTH_ZERO_SELF_SIGNED_CERT: 'its TLS certificate is self-signed',
  };
  return hints[code] ?? 'the target cannot be reached';
}

/** undefined when GET /health/live answered 200; otherwise what its status means. */
export function liveStatusDiagnosis(origin: string, status: number): string | undefined {
  if (status === 200) return undefined;
  if (status === 404) return `${origin} answers, but GET /health/live is 404: API_URL points at another service, or the deployed build predates the health endpoints (an old build)`;
  if ([502, 503, 504].includes(status)) return `${origin} answered ${status} on /health/live: the platform has no running instance to route to (crashed at boot, still deploying, or not listening on $PORT / 0.0.0.0)`;
  return `${origin} answered ${status} on /health/live, which must answer 200 whenever the process runs`;
}

/** undefined when GET /health/ready answered 200; otherwise the database cause it reports, with its fix. */
export function readinessDiagnosis(status: number, body: unknown, text: string): { output: string; cause: string; fix: string } | undefined {
  if (status === 200) return undefined;
  const output = (body as { checks?: { 'postgres:connection'?: { output?: string }[] } })?.checks?.['postgres:connection']?.[0]?.output ?? text.slice(0, 300);
  if (status !== 503) return { output, cause: `GET /health/ready answered ${status}: ${output}`, fix: 'it must answer 200 or 503 (CONTRACT.md)' };
  const d = diagnoseConnectError({ message: output }, { host: 'the pooler', port: 0, user: '' });
  return { output, cause: `the API cannot reach its database (/health/ready is 503): ${d.cause}`, fix: d.fix };
}
