// A stack's run directory: data and logs live in a temp dir for the run; at the end the logs are
// kept in reports/stack-logs/<label>/ for a person or CI artefacts, and the rest is removed.
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './processes/node-service.ts';

export function keepLogsAndRemove(runDir: string, logDir: string, label: string): void {
  const kept = path.join(REPO_ROOT, 'reports', 'stack-logs', label);
  rmSync(kept, { recursive: true, force: true });
  mkdirSync(path.dirname(kept), { recursive: true });
  cpSync(logDir, kept, { recursive: true });
  rmSync(runDir, { recursive: true, force: true });
}
