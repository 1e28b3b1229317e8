// The external provider: a system someone else deployed (staging, a preview). Nothing is started
// or stopped; the endpoints come from the profile. Suites that need control over the stack see
// provider 'external' and skip with their reason.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Profile } from '../../env/schema.ts';
import { startWatchdog } from './cleanup.ts';
import { urlPasswords } from './secrets.ts';
import type { StartedStack } from './types.ts';

/** Secret parts of the profile: the password in DATABASE_URL. */
export function profileSecrets(profile: Profile): string[] {
  return [...urlPasswords(profile.DATABASE_URL), ...urlPasswords(profile.E2E_DIRECT_DATABASE_URL)];
}

export function externalStack(profile: Profile): StartedStack {
  // Nothing runs here, but the run still needs scratch space (the shared-stack turn lock): the
  // watchdog removes it if this process dies before stop().
  const scratchDir = mkdtempSync(path.join(os.tmpdir(), 'e2e-external-'));
  const watchdog = startWatchdog(path.join(scratchDir, 'pids'), scratchDir);
  return {
    endpoints: {
      provider: 'external',
      // A live target is only reachable over HTTP, plus what the profile adds for a stack you run yourself.
      capabilities: {
        control: false,
        bootServices: false,
        directDatabase: !!profile.E2E_DIRECT_DATABASE_URL,
        mockExternal: !!profile.E2E_MOCK_EXTERNAL_URL,
        ownNetwork: false,
        referenceServices: false,
        serviceLogs: false,
      },
      directUrl: profile.E2E_DIRECT_DATABASE_URL,
      mockUrl: profile.E2E_MOCK_EXTERNAL_URL?.replace(/\/+$/, ''),
      apiUrl: profile.API_URL!.replace(/\/+$/, ''),
      poolerUrl: profile.DATABASE_URL,
      // What the target should run; the deploy suite compares the deployed release with it.
      release: { commit: profile.EXPECTED_COMMIT ?? '', branch: profile.EXPECTED_BRANCH ?? '' },
      workers: [],
      logFiles: {},
      readyMs: 0,
      secrets: profileSecrets(profile),
      scratchDir,
    },
    stop: async () => {
      watchdog.dismiss();
      rmSync(scratchDir, { recursive: true, force: true });
    },
  };
}
