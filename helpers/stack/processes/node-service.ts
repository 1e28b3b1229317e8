// Starts a service process (the reference services with node + tsx, or the user's command line),
// configured only through environment variables, exactly as the platform would.
import { ManagedProcess } from '../managed-process.ts';
import type { ServiceLaunch } from '../services.ts';

export { REPO_ROOT } from '../repo-root.ts';

export function serviceProcess(options: {
  name: string;
  launch: ServiceLaunch;
  env: Record<string, string>;
  logFile: string;
  onLine?: (line: string) => void;
}): ManagedProcess {
  // Only what a platform would pass: PATH and HOME from here, everything else explicit.
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...options.launch.env,
    ...options.env,
  };
  return new ManagedProcess({
    name: options.name,
    command: options.launch.command,
    args: options.launch.args,
    cwd: options.launch.cwd,
    env,
    logFile: options.logFile,
    onLine: options.onLine,
    stopSignal: 'SIGTERM',
    signalGroup: options.launch.viaShell,
  });
}
