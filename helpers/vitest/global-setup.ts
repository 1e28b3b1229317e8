// Starts the stack once for the e2e project and hands its endpoints to tests (provide/inject).
// The returned teardown stops it; Ctrl-C and crashes are covered by helpers/stack/cleanup.ts.
import type { TestProject } from 'vitest/node';
import { loadProfile, profileDir, ProfileError } from '../profile.ts';
import { redact } from '../redact.ts';
import { runSecrets } from '../report/secrets.ts';
import { startStack } from '../stack/index.ts';
import type { StackEndpoints } from '../stack/types.ts';
import type { Profile } from '../../env/schema.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    stack: StackEndpoints;
    profile: Profile;
  }
}

export default async function setup(project: TestProject) {
  const target = process.env.E2E_TARGET ?? 'local';
  let profile: Profile;
  try {
    profile = loadProfile(target, process.env, profileDir()).profile;
  } catch (error) {
    if (error instanceof ProfileError) {
      // One line per bad variable, no stack trace.
      process.stderr.write(`\n${error.message}\n\n`);
      process.exit(2);
    }
    throw error;
  }
  const log = (m: string) => process.stdout.write(`[stack] ${m}\n`);
  const stack = await startStack(profile, { onProgress: log }).catch((error: Error) => {
    throw new Error(`the ${target} stack did not start: ${redact(error.message)}`);
  });
  runSecrets.values.push(...stack.endpoints.secrets);
  runSecrets.provider = stack.endpoints.provider;
  runSecrets.apiUrl = stack.endpoints.apiUrl;
  project.provide('stack', stack.endpoints);
  project.provide('profile', profile);
  return async () => {
    log('stopping');
    await stack.stop();
    log(`stopped; service logs kept in reports/stack-logs/`);
  };
}
