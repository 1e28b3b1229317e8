// The verdict: the first failed step names the cause (steps run in causal order: the database
// before the API, the port before the endpoints), later failures follow as "also".
import type { DoctorStep } from './step.ts';

export interface Verdict {
  status: 'PASS' | 'FAIL';
  /** The first line's cause (or what passed). */
  cause: string;
  fix?: string;
  also: string[];
  warnings: string[];
}

export const EXIT = { ok: 0, problem: 1, usage: 2 } as const;

export function verdictOf(steps: DoctorStep[]): Verdict {
  const failed = steps.filter((s) => s.status === 'fail');
  const warnings = steps.filter((s) => s.status === 'warn').map((s) => `${s.target} ${s.title}: ${s.diagnosis?.cause ?? s.found}`);
  if (failed.length) {
    const [first, ...rest] = failed;
    return {
      status: 'FAIL',
      cause: first!.diagnosis?.cause ?? `${first!.target} ${first!.title}: ${first!.found}`,
      fix: first!.diagnosis?.fix,
      also: rest.map((s) => `${s.target} ${s.title}: ${s.diagnosis?.cause ?? s.found}`),
      warnings,
    };
  }
  const checked = [...new Set(steps.map((s) => (s.target === 'database' ? 'DATABASE_URL' : 'the API')))].join(' and ');
  const ran = steps.filter((s) => s.status !== 'skip').length;
  return {
    status: 'PASS',
    cause: `${checked}: all ${ran} checks passed${warnings.length ? `, ${warnings.length} warning${warnings.length > 1 ? 's' : ''}` : ''}`,
    also: [],
    warnings,
  };
}

export const exitCodeOf = (v: Verdict) => (v.status === 'PASS' ? EXIT.ok : EXIT.problem);
