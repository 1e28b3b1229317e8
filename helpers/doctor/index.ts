// `npm run doctor`: diagnoses the DATABASE_URL and/or API URL it is given, step by step, each step
// under a stated bound, and ends with a verdict whose first line names the cause. No profile, no
// stack, no jobs; nothing created in the database and no session state left.
import { apiSteps } from './api.ts';
import type { DoctorOptions } from './args.ts';
import { databaseSteps } from './database.ts';
import type { DoctorStep, StepSink } from './step.ts';
import { exitCodeOf, verdictOf, type Verdict } from './verdict.ts';

export interface DoctorResult {
  steps: DoctorStep[];
  verdict: Verdict;
  exitCode: number;
  totalMs: number;
}

export async function runDoctor(options: DoctorOptions, sink: StepSink = () => undefined): Promise<DoctorResult> {
  const started = performance.now();
  const steps: DoctorStep[] = [];
  if (options.databaseUrl) steps.push(...(await databaseSteps(options.databaseUrl, options.poolMode, sink)));
  if (options.apiUrl) steps.push(...(await apiSteps(options.apiUrl, { commit: options.expectedCommit, branch: options.expectedBranch }, sink)));
  const verdict = verdictOf(steps);
  return { steps, verdict, exitCode: exitCodeOf(verdict), totalMs: Math.round(performance.now() - started) };
}
