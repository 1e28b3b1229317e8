// The job life cycle, in one place so that the worker, the API and the tests agree on it.
//
//   queued ──claim──▶ running ──ok──▶ succeeded
//                       │  ▲
//            error, attempts left │  │ claim (after backoff)
//                       ▼  │
//                     retrying
//                       │
//   running ──error, no attempts left──▶ dead
//   running ──lease expired──▶ claimable again (counts as an attempt) or dead when none are left

export const JOB_STATES = ['queued', 'running', 'retrying', 'succeeded', 'dead'] as const;
export type JobState = (typeof JOB_STATES)[number];

export const TERMINAL_STATES: readonly JobState[] = ['succeeded', 'dead'];

export const JOB_EVENTS = ['claim', 'succeed', 'fail', 'release', 'lease-expired'] as const;
export type JobEvent = (typeof JOB_EVENTS)[number];

export interface JobProgress {
  state: JobState;
  attempts: number;
  maxAttempts: number;
}

export class IllegalTransition extends Error {}

/** The state a job moves to on an event, or IllegalTransition. Mirrors the SQL in the worker. */
export function nextState(job: JobProgress, event: JobEvent): JobState {
  const { state, attempts, maxAttempts } = job;
  switch (event) {
    case 'claim':
      if (state === 'queued' || state === 'retrying') return 'running';
      break;
    case 'succeed':
      if (state === 'running') return 'succeeded';
      break;
    case 'fail':
      if (state === 'running') return attempts >= maxAttempts ? 'dead' : 'retrying';
      break;
    case 'release':
      // A worker shutting down hands its job back; the attempt it started is given back too.
      if (state === 'running') return attempts - 1 > 0 ? 'retrying' : 'queued';
      break;
    case 'lease-expired':
      if (state === 'running') return attempts >= maxAttempts ? 'dead' : 'running';
      break;
  }
  throw new IllegalTransition(`job in state ${state} cannot take event ${event}`);
}

export function isTerminal(state: JobState): boolean {
  return TERMINAL_STATES.includes(state);
}
