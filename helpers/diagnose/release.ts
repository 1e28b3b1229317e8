// Is the deployed release the expected one? When not, say so side by side, with the likely cause.
// This is the incident's root cause: a service deploying from the wrong branch ran months-old code.
import { sameCommit } from '../../contract/release.ts';

export interface Release {
  commit: string;
  branch: string;
}

/** undefined when the deployed release matches; otherwise the diagnosis to print. */
export function releaseMismatch(who: string, expected: Partial<Release>, deployed: Release): string | undefined {
  const commitOk = !expected.commit || sameCommit(expected.commit, deployed.commit);
  const branchOk = !expected.branch || expected.branch === deployed.branch;
  if (commitOk && branchOk) return undefined;
  const rows = [
    ['', 'expected', 'deployed'],
    ['commit', expected.commit ?? '(any)', deployed.commit],
    ['branch', expected.branch ?? '(any)', deployed.branch],
  ];
  const width = [8, Math.max(...rows.map((r) => r[1]!.length)) + 3];
  const table = rows.map((r) => `  ${r[0]!.padEnd(width[0]!)}${r[1]!.padEnd(width[1]!)}${r[2]}`).join('\n');
  return `${who} runs another release than expected:\n${table}\nlikely cause: ${likelyCause(expected, deployed, branchOk)}`;
}

function likelyCause(expected: Partial<Release>, deployed: Release, branchOk: boolean): string {
  if (deployed.commit === 'unknown' || deployed.commit === '') {
    return 'it reports no release identity: an old build from before RENDER_GIT_COMMIT/GIT_COMMIT was read, or the variable is not set on this service';
  }
  if (!branchOk) {
    return `the service deploys from branch "${deployed.branch}", not "${expected.branch}": change the branch in the service's deploy settings and redeploy`;
  }
  return 'an older build is still live: the deploy of the expected commit has not finished, failed, or auto-deploy is off for this service (check its deploy log)';
}

export interface WorkerBeat {
  id: string;
  ageMs: number;
  /** What /health says about this worker when it is not healthy. */
  output?: string;
  commit?: string;
  branch?: string;
  /** Time since its last heartbeat row write (CONTRACT.md: `beatAgeMs`), when reported. */
  beatAgeMs?: number;
}

/** The workers /health lists in `worker:heartbeat` (entries with an id and an age), as WorkerBeats. */
export function workerBeats(entries: readonly { componentId?: string; observedValue?: unknown; output?: string }[]): WorkerBeat[] {
  return entries
    .filter((h) => h.componentId && typeof h.observedValue === 'number')
    .map((h) => ({ id: h.componentId!, ageMs: h.observedValue as number, output: h.output, beatAgeMs: (h as { beatAgeMs?: number }).beatAgeMs }));
}

/** undefined when some worker beat within `maxAgeMs`; otherwise the diagnosis. */
export function staleWorkers(workers: WorkerBeat[], maxAgeMs: number): string | undefined {
  const freshest = [...workers].sort((a, b) => a.ageMs - b.ageMs)[0];
  if (freshest && freshest.ageMs <= maxAgeMs) return undefined;
  const seen = freshest
    ? `the freshest is ${freshest.id}, ${(freshest.ageMs / 1000).toFixed(1)} s old${freshest.output ? `: ${freshest.output}` : ''}`
    : 'the API reports none';
  // Alive but not consuming: it still writes heartbeats (a fresh beatAgeMs) while its age, which
  // counts stalled progress too, is past the limit. Any implementation reporting beatAgeMs shows it.
  const stillBeating = freshest?.beatAgeMs !== undefined && freshest.beatAgeMs <= maxAgeMs;
  if (stillBeating || freshest?.output?.includes('alive but not consuming')) {
    return (
      `no worker heartbeat fresher than ${(maxAgeMs / 1000).toFixed(1)} s (${seen}): workers are alive but not consuming jobs. ` +
      'A handler hangs (a call without a timeout?): read the worker logs for the job it is stuck on, and give that call a timeout.'
    );
  }
  return (
    `no worker heartbeat fresher than ${(maxAgeMs / 1000).toFixed(1)} s (${seen}): no worker is running. ` +
    'The platform gives workers no health check, so a crashed or never-started worker shows only here: ' +
    'check that the worker service is deployed and not suspended, and read its logs for a boot error (a missing variable exits at once).'
  );
}
