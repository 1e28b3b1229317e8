// The external provider: a system someone else deployed (staging, a preview). Nothing is started
// or stopped; the endpoints come from the profile. Suites that need control over the stack see
// provider 'external' and skip with their reason.
import type { Profile } from '../../env/schema.ts';
import { urlPasswords } from './secrets.ts';
import type { StartedStack } from './types.ts';

/** Secret parts of the profile: the password in DATABASE_URL. */
export function profileSecrets(profile: Profile): string[] {
  return [...urlPasswords(profile.DATABASE_URL), ...urlPasswords(profile.E2E_DIRECT_DATABASE_URL)];
}

export function externalStack(profile: Profile): StartedStack {
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
    },
    stop: async () => undefined,
  };
}
