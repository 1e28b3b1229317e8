// The API half of `doctor`: the port answers, the three health endpoints, the release against the
// expected commit and branch, the workers' heartbeats and releases. The causes come from the
// suites' own diagnoses (helpers/diagnose/{api,release,connect-error}.ts).
import net from 'node:net';
import { networkCode } from '../api-client.ts';
import { healthReportSchema, describeIssues, type HealthReportBody } from '../contract.ts';
import { apiNetworkHint, liveStatusDiagnosis, readinessDiagnosis } from '../diagnose/api.ts';
import { withinBound } from '../diagnose/bound.ts';
import { releaseMismatch, staleWorkers, type Release } from '../diagnose/release.ts';
import { DOCTOR_BOUNDS, HEARTBEAT_MAX_AGE_MS } from './bounds.ts';
import { elapsed, type DoctorStep, type StepSink } from './step.ts';

type Emit = (s: Omit<DoctorStep, 'target'>) => void;

/** The base URL without userinfo (fetch refuses it), and the Authorization header it stood for. */
export function splitApiUrl(apiUrl: string): { base: URL; headers: Record<string, string> } {
  const base = new URL(apiUrl);
  const headers: Record<string, string> = {};
  if (base.username || base.password) {
    headers.authorization = `Basic ${Buffer.from(`${decodeURIComponent(base.username)}:${decodeURIComponent(base.password)}`).toString('base64')}`;
    base.username = '';
    base.password = '';
  }
  return { base, headers };
}

function tcpConnect(host: string, port: number, boundMs: number): Promise<void> {
  return withinBound(boundMs, `connect ${host}:${port}`, (signal) =>
    new Promise<void>((resolve, reject) => {
      const socket = net.connect({ host, port });
      signal.addEventListener('abort', () => socket.destroy());
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', reject);
    }),
  );
}

interface Answer {
  status: number;
  text: string;
  json?: unknown;
}

async function get(base: URL, path: string, headers: Record<string, string>, boundMs: number): Promise<Answer> {
  // The bound covers the body too: AbortSignal.timeout aborts a stalled read as well.
  const res = await fetch(new URL(path, base), { headers, signal: AbortSignal.timeout(boundMs), redirect: 'manual' });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, text, json };
}

const networkFailure = (what: string, error: unknown, boundMs: number) => {
  const code = networkCode(error);
  return { code, cause: `${what} failed (${code}): ${apiNetworkHint(code, boundMs)}` };
};

/** "the API runs another release than expected" + the likely cause, from the suites' release diagnosis. */
function releaseCause(mismatch: string): { cause: string; table: string[] } {
  const lines = mismatch.split('\n');
  const head = lines[0]!.replace(/:$/, '');
  const likely = lines.find((l) => l.startsWith('likely cause: ')) ?? '';
  return { cause: likely ? `${head}; ${likely}` : head, table: lines.slice(1).filter((l) => !l.startsWith('likely cause: ')) };
}

const short = (commit: string) => (/^[0-9a-f]{40}$/i.test(commit) ? commit.slice(0, 12) : commit);
const describeRelease = (r: Release) => `${short(r.commit)} on ${r.branch}`;

export async function apiSteps(apiUrl: string, expected: Partial<Release>, sink: StepSink): Promise<DoctorStep[]> {
  const steps: DoctorStep[] = [];
  const emit: Emit = (s) => {
    const step = { ...s, target: 'api' as const };
    steps.push(step);
    sink(step);
  };
  const skip = (from: (keyof typeof DOCTOR_BOUNDS)[], reason: string) => {
    for (const id of from) emit({ id: id.slice(4), title: TITLES[id]!, status: 'skip', ms: 0, boundMs: DOCTOR_BOUNDS[id], found: `skipped: ${reason}` });
  };
  const { base, headers } = splitApiUrl(apiUrl);
  const port = Number(base.port || (base.protocol === 'https:' ? 443 : 80));
  const host = base.hostname.replace(/^\[|\]$/g, '');

  // 1. Does anything accept TCP connections on the port?
  let started = performance.now();
  let bound: number = DOCTOR_BOUNDS['api.port'];
  try {
    await tcpConnect(host, port, bound);
    emit({ id: 'port', title: TITLES['api.port'], status: 'pass', ms: elapsed(started), boundMs: bound, found: `${host}:${port} accepts connections` });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? networkCode(error);
    const cause = `${host}:${port}: ${code}: ${apiNetworkHint(code, bound)}`;
    emit({
      id: 'port', title: TITLES['api.port'], status: 'fail', ms: elapsed(started), boundMs: bound, found: `connect ${host}:${port}: failed (${code})`,
      diagnosis: { cause, fix: code === 'ECONNREFUSED' ? 'check the port in API_URL, and that the service runs and listens on $PORT (0.0.0.0 on a platform)' : 'check API_URL\'s host and port, and the service' },
    });
    skip(['api.live', 'api.ready', 'api.health', 'api.release', 'api.workers'], 'the port does not answer');
    return steps;
  }

  // 2. /health/live: the process answers at all (no dependency).
  started = performance.now();
  bound = DOCTOR_BOUNDS['api.live'];
  try {
    const res = await get(base, '/health/live', headers, bound);
    const problem = liveStatusDiagnosis(base.origin, res.status);
    emit({
      id: 'live', title: TITLES['api.live'], status: problem ? 'fail' : 'pass', ms: elapsed(started), boundMs: bound, found: `GET /health/live: ${res.status}`,
      diagnosis: problem ? { cause: problem, fix: 'check the service\'s deploy log and that API_URL is this service' } : undefined,
    });
  } catch (error) {
    const f = networkFailure('GET /health/live', error, bound);
    emit({ id: 'live', title: TITLES['api.live'], status: 'fail', ms: elapsed(started), boundMs: bound, found: `GET /health/live: ${f.code}`, diagnosis: { cause: f.cause, fix: 'check the service and API_URL' } });
  }

  // 3. /health/ready: the API reaches its database through the pooler.
  started = performance.now();
  bound = DOCTOR_BOUNDS['api.ready'];
  try {
    const res = await get(base, '/health/ready', headers, bound);
    const problem = readinessDiagnosis(res.status, res.json, res.text);
    emit({
      id: 'ready', title: TITLES['api.ready'], status: problem ? 'fail' : 'pass', ms: elapsed(started), boundMs: bound,
      found: problem ? `GET /health/ready: ${res.status}: ${problem.output}` : 'GET /health/ready: 200 (the API reaches its database)',
      diagnosis: problem ? { cause: problem.cause, fix: problem.fix } : undefined,
    });
  } catch (error) {
    const f = networkFailure('GET /health/ready', error, bound);
    emit({ id: 'ready', title: TITLES['api.ready'], status: 'fail', ms: elapsed(started), boundMs: bound, found: `GET /health/ready: ${f.code}`, diagnosis: { cause: f.cause, fix: 'check the service and API_URL' } });
  }

  // 4. /health: the full report, in the contract's shape.
  started = performance.now();
  bound = DOCTOR_BOUNDS['api.health'];
  let report: HealthReportBody | undefined;
  try {
    const res = await get(base, '/health', headers, bound);
    const parsed = healthReportSchema.safeParse(res.json);
    if (!parsed.success) {
      emit({
        id: 'health', title: TITLES['api.health'], status: 'fail', ms: elapsed(started), boundMs: bound, found: `GET /health: ${res.status}: ${res.text.slice(0, 200)}`,
        diagnosis: { cause: `GET /health answered ${res.status} without the contract's shape (${describeIssues(parsed.error)})`, fix: 'a build from before the health contract, or API_URL points at another service' },
      });
    } else {
      report = parsed.data;
      const notPassing = Object.entries(report.checks).flatMap(([name, entries]) =>
        (entries as { status: string; output?: string }[]).filter((e) => e.status !== 'pass').map((e) => ({ name, status: e.status, output: e.output })),
      );
      // Database and workers have steps of their own; anything else failing fails here.
      const elsewhere = new Set(['postgres:connection', 'worker:heartbeat']);
      const own = notPassing.filter((c) => c.status === 'fail' && !elsewhere.has(c.name));
      const list = notPassing.map((c) => `${c.name} ${c.status}${c.output ? ` (${c.output})` : ''}`).join('; ');
      emit({
        id: 'health', title: TITLES['api.health'], status: own.length ? 'fail' : notPassing.length ? 'warn' : 'pass', ms: elapsed(started), boundMs: bound,
        found: `GET /health: ${res.status}, status ${report.status}${list ? `: ${list}` : ', every check passes'}`,
        diagnosis: own.length ? { cause: `/health reports ${own[0]!.name} fail${own[0]!.output ? `: ${own[0]!.output}` : ''}`, fix: 'see the check\'s output' } : notPassing.length ? { cause: `/health is ${report.status}: ${list}`, fix: 'see the steps below' } : undefined,
      });
    }
  } catch (error) {
    const f = networkFailure('GET /health', error, bound);
    emit({ id: 'health', title: TITLES['api.health'], status: 'fail', ms: elapsed(started), boundMs: bound, found: `GET /health: ${f.code}`, diagnosis: { cause: f.cause, fix: 'check the service and API_URL' } });
  }
  if (!report) {
    skip(['api.release', 'api.workers'], 'no /health report');
    return steps;
  }

  // 5. Which release runs: the API's and each live worker's, against what was expected.
  started = performance.now();
  const apiRelease: Release = { commit: report.releaseId, branch: report.branch };
  const workers = report.checks['worker:heartbeat'].filter((h) => h.componentId);
  const workerReleases = workers.map((w) => ({ id: w.componentId!, release: { commit: w.releaseId ?? 'unknown', branch: w.branch ?? 'unknown' } }));
  const running = [`the API runs ${describeRelease(apiRelease)}`, ...workerReleases.map((w) => `${w.id} ${describeRelease(w.release)}`)].join('; ');
  if (expected.commit || expected.branch) {
    const mismatches = [
      releaseMismatch('the API', expected, apiRelease),
      ...workerReleases.map((w) => releaseMismatch(`worker ${w.id}`, expected, w.release)),
    ].filter((m): m is string => m !== undefined);
    const first = mismatches[0] ? releaseCause(mismatches[0]) : undefined;
    emit({
      id: 'release', title: TITLES['api.release'], status: first ? 'fail' : 'pass', ms: elapsed(started), boundMs: 0,
      found: `${running}; expected ${expected.commit ? short(expected.commit) : 'any commit'} on ${expected.branch ?? 'any branch'}`,
      diagnosis: first ? { cause: first.cause, fix: ['redeploy the expected commit; expected and deployed side by side:', ...first.table].join('\n') } : undefined,
    });
  } else {
    const unknown = apiRelease.commit === 'unknown';
    const differing = workerReleases.filter((w) => releaseMismatch('', apiRelease, w.release));
    emit({
      id: 'release', title: TITLES['api.release'], status: unknown || differing.length ? 'warn' : 'pass', ms: elapsed(started), boundMs: 0,
      found: `${running} (nothing to compare with: no --expected-commit / --expected-branch)`,
      diagnosis: unknown
        ? { cause: 'the API reports no release identity', fix: 'set RENDER_GIT_COMMIT/GIT_COMMIT on the service, or it is an old build from before they were read' }
        : differing.length
          ? { cause: `${differing.map((w) => w.id).join(', ')} run${differing.length === 1 ? 's' : ''} another release than the API`, fix: 'a service deploys from another branch, or one deploy has not finished: check each service\'s deploy settings' }
          : undefined,
    });
  }

  // 6. Workers: some heartbeat fresh enough (the platform gives workers no health check).
  started = performance.now();
  const beats = workers
    .filter((h) => typeof h.observedValue === 'number')
    .map((h) => ({ id: h.componentId!, ageMs: h.observedValue as number, output: h.output, status: h.status, release: `${short(h.releaseId ?? 'unknown')} on ${h.branch ?? 'unknown'}` }));
  const stale = staleWorkers(beats, HEARTBEAT_MAX_AGE_MS);
  const found = beats.length
    ? beats.map((b) => `${b.id} beat ${(b.ageMs / 1000).toFixed(1)} s ago (${b.status}, ${b.release})`).join('; ')
    : `no live worker${report.checks['worker:heartbeat'][0]?.output ? ` (/health: ${report.checks['worker:heartbeat'][0].output})` : ''}`;
  const unwell = beats.filter((b) => b.status !== 'pass');
  emit({
    id: 'workers', title: TITLES['api.workers'], status: stale ? 'fail' : unwell.length ? 'warn' : 'pass', ms: elapsed(started), boundMs: 0, found,
    diagnosis: stale ? splitStale(stale) : unwell.length ? { cause: `${unwell.map((b) => b.id).join(', ')}: ${unwell[0]!.output ?? unwell[0]!.status}`, fix: 'read those workers\' logs' } : undefined,
  });
  return steps;
}

/** The suites' stale-worker diagnosis, split into its cause and its advice. */
function splitStale(text: string): { cause: string; fix: string } {
  const m = /^(.*?(?:no worker is running|workers are alive but not consuming jobs))\.\s*(.*)$/s.exec(text);
  return m ? { cause: m[1]!, fix: m[2]! } : { cause: text, fix: 'read the workers\' logs' };
}

export const TITLES: Partial<Record<keyof typeof DOCTOR_BOUNDS, string>> & Record<`api.${'port' | 'live' | 'ready' | 'health' | 'release' | 'workers'}`, string> = {
  'api.port': 'port answers',
  'api.live': '/health/live',
  'api.ready': '/health/ready',
  'api.health': '/health',
  'api.release': 'release',
  'api.workers': 'workers',
};
