// Starts one of the TypeScript services (API, worker, mock) with node + tsx, configured only
// through environment variables, exactly as the platform would.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ManagedProcess } from '../managed-process.ts';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export function nodeService(options: {
  name: string;
  entry: string; // path relative to the repo root
  env: Record<string, string>;
  logFile: string;
  onLine?: (line: string) => void;
}): ManagedProcess {
  // Only what a platform would pass: PATH and HOME from here, everything else explicit.
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'test',
    ...options.env,
  };
  return new ManagedProcess({
    name: options.name,
    command: process.execPath,
    args: ['--import', 'tsx', path.join(REPO_ROOT, options.entry)],
    cwd: REPO_ROOT,
    env,
    logFile: options.logFile,
    onLine: options.onLine,
    stopSignal: 'SIGTERM',
  });
}
