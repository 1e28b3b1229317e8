// The database half of `doctor`: the suites' step-by-step DATABASE_URL diagnosis (one
// implementation, helpers/diagnose/database.ts) under doctor's bounds, then the pooling mode as
// observed (helpers/diagnose/pool-mode.ts).
import { diagnoseDatabase } from '../diagnose/database.ts';
import { observePoolMode, poolModeMismatch } from '../diagnose/pool-mode.ts';
import { DOCTOR_BOUNDS } from './bounds.ts';
import { elapsed, type DoctorStep, type StepSink } from './step.ts';

export async function databaseSteps(url: string, meant: 'transaction' | 'session', sink: StepSink): Promise<DoctorStep[]> {
  const steps: DoctorStep[] = [];
  const emit = (s: Omit<DoctorStep, 'target'>) => {
    const step = { ...s, target: 'database' as const };
    steps.push(step);
    sink(step);
  };
  const report = await diagnoseDatabase(url, {
    poolMode: meant,
    retries: 0, // a doctor is run again by hand; its bounds must hold
    bounds: { resolveMs: DOCTOR_BOUNDS['db.resolve'], connectMs: DOCTOR_BOUNDS['db.connect'], tlsMs: DOCTOR_BOUNDS['db.tls'], loginMs: DOCTOR_BOUNDS['db.login'] },
    onStep: emit,
  });

  const boundMs = DOCTOR_BOUNDS['db.pool-mode'];
  if (!report.ok) {
    emit({ id: 'pool-mode', title: 'pool mode', status: 'skip', ms: 0, boundMs, found: 'skipped: no login' });
    return steps;
  }
  const started = performance.now();
  const seen = await observePoolMode(url, { boundMs });
  const port = report.url.port;
  const between =
    seen.backendPort === undefined ? '' : seen.backendPort === port ? `; the backend reports port ${seen.backendPort}, as the URL: likely no pooler in between` : `; the backend reports port ${seen.backendPort}, the URL says ${port}: a pooler or proxy in between`;
  if (!seen.mode) {
    emit({
      id: 'pool-mode', title: 'pool mode', status: 'warn', ms: elapsed(started), boundMs, found: seen.evidence,
      diagnosis: { cause: `the pooling mode could not be observed (${seen.error})`, fix: 'a pooler with one server connection per user, or a slow link: check the pool size' },
    });
    return steps;
  }
  const mismatch = poolModeMismatch(meant, seen.mode);
  emit({
    id: 'pool-mode', title: 'pool mode', status: mismatch ? 'fail' : 'pass', ms: elapsed(started), boundMs,
    found: `${seen.mode} mode (${meant} meant): ${seen.evidence}${between}`,
    diagnosis: mismatch,
  });
  return steps;
}
