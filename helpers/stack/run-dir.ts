// A stack's run directory: data and logs live in a temp dir for the run; at the end the logs are
// kept in reports/stack-logs/<label>/ for a person or CI artefacts, and the rest is removed.
import { accessSync, constants, cpSync, mkdirSync, rmSync, statfsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from './processes/node-service.ts';

export function keepLogsAndRemove(runDir: string, logDir: string, label: string): void {
  const kept = path.join(REPO_ROOT, 'reports', 'stack-logs', label);
  rmSync(kept, { recursive: true, force: true });
  mkdirSync(path.dirname(kept), { recursive: true });
  cpSync(logDir, kept, { recursive: true });
  rmSync(runDir, { recursive: true, force: true });
}

const SHM = '/dev/shm';
const SHM_FREE_NEEDED = 1024 ** 3;

/**
 * Where a native stack's run directory goes: memory (/dev/shm) when it is there, writable and has
 * room (1 GiB free), else the temp dir. A stack's Postgres cluster is a copy of the template
 * (about 40 MB, 1300 files): copied to disk it took 0.7 s here, to memory 0.1 s. The data is
 * thrown away with the stack anyway (fsync is off). E2E_STACK_TMPDIR names another place.
 */
export function stackScratchRoot(): string {
  const chosen = process.env.E2E_STACK_TMPDIR?.trim();
  if (chosen) return chosen;
  try {
    accessSync(SHM, constants.W_OK);
    const fs = statfsSync(SHM);
    if (fs.bavail * fs.bsize >= SHM_FREE_NEEDED) return SHM;
  } catch {
    /* no /dev/shm here */
  }
  return os.tmpdir();
}
