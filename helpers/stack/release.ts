// The release identity a locally started stack deploys with: this checkout's commit and branch,
// as the platform would pass RENDER_GIT_COMMIT / RENDER_GIT_BRANCH.
import { execFileSync } from 'node:child_process';
import { REPO_ROOT } from './processes/node-service.ts';

export function localRelease(): { commit: string; branch: string } {
  const git = (...args: string[]) => {
    try {
      return execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return '';
    }
  };
  const commit = git('rev-parse', 'HEAD') || '0000000000000000000000000000000000000000';
  const branch = git('rev-parse', '--abbrev-ref', 'HEAD') || 'local';
  return { commit, branch: branch === 'HEAD' ? 'detached' : branch };
}
