// A doctor step: the diagnosis library's step shape, tagged with what it checked.
import type { DiagnosisStep } from '../diagnose/database.ts';

export type DoctorTarget = 'database' | 'api';

export interface DoctorStep extends DiagnosisStep {
  target: DoctorTarget;
}

export type StepSink = (step: DoctorStep) => void;

export const elapsed = (started: number) => Math.round(performance.now() - started);
