// What a test hands to the reports besides pass/fail: figures, release identities, diagnoses,
// retries. Stored on the vitest task (task.meta), which reporters read in the main process.
export interface E2eMeta {
  release?: { who: string; expectedCommit?: string; deployedCommit: string; expectedBranch?: string; deployedBranch: string }[];
  latency?: { jobs: number; p50: number; p95: number; max: number; limitP50?: number; limitP95?: number };
  diagnosis?: string[];
  retries?: string[];
  figures?: Record<string, string | number>;
}

declare module '@vitest/runner' {
  interface TaskMeta {
    e2e?: E2eMeta;
  }
}

/** Transient-network retries made by helpers during the current test (drained per test). */
export const retryLog: string[] = [];

export function addMeta(task: { meta: { e2e?: E2eMeta } }, patch: E2eMeta): void {
  const current = (task.meta.e2e ??= {});
  for (const [key, value] of Object.entries(patch) as [keyof E2eMeta, never][]) {
    const existing = current[key] as unknown;
    current[key] = (Array.isArray(existing) && Array.isArray(value) ? [...existing, ...value] : value) as never;
  }
}
