// Starts the stack once for the e2e project and hands its endpoints to tests (provide/inject).
// The returned teardown stops it; Ctrl-C and crashes are covered by helpers/stack/cleanup.ts.
import type { TestProject } from 'vitest/node';
import { loadProfile, profileDir, ProfileError } from '../profile.ts';
import { redact } from '../redact.ts';
import { runSecrets } from '../report/secrets.ts';
import { ProviderUnavailable, resolveProvider, startStack } from '../stack/index.ts';
import type { StackEndpoints } from '../stack/types.ts';
import type { Profile } from '../../env/schema.ts';
import { findScenario } from '../../scenarios/index.ts';
import type { ProcessStack } from '../stack/processes/index.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    stack: StackEndpoints;
    profile: Profile;
  }
}

export default async function setup(project: TestProject) {
  const target = process.env.E2E_TARGET ?? 'local';
  // E2E_SCENARIO starts the stack broken in one of the catalogue's ways (scenarios/); its profile
  // values come under real environment variables.
  const scenario = process.env.E2E_SCENARIO ? findScenario(process.env.E2E_SCENARIO) : undefined;
  let profile: Profile;
  try {
    profile = loadProfile(target, { ...scenario?.profile, ...process.env }, profileDir()).profile;
  } catch (error) {
    if (error instanceof ProfileError) {
      // One line per bad variable, no stack trace.
      process.stderr.write(`\n${error.message}\n\n`);
      process.exit(2);
    }
    throw error;
  }
  const log = (m: string) => process.stdout.write(`[stack] ${m}\n`);
  const scenarioOptions = typeof scenario?.stack === 'function' ? await scenario.stack() : scenario?.stack;
  if (scenario) log(`scenario ${scenario.name}: ${scenario.story}`);
  // The e2e-containers project always runs containers; the e2e project runs what the profile asks
  // for, with auto meaning processes there (`npm run e2e` resolves auto and picks the project).
  const requested = project.name === 'e2e-containers' ? 'containers' : profile.E2E_PROVIDER === 'auto' ? 'processes' : profile.E2E_PROVIDER;
  let provider: ReturnType<typeof resolveProvider>;
  try {
    provider = resolveProvider(requested);
  } catch (error) {
    if (error instanceof ProviderUnavailable) {
      process.stderr.write(`\n${error.message}\n\n`);
      process.exit(2);
    }
    throw error;
  }
  log(`provider: ${provider.provider} (${provider.reason})`);
  const stack = await startStack(provider.provider, profile, { onProgress: log, label: project.name, ...scenarioOptions }).catch((error: Error) => {
    throw new Error(`the ${target} stack did not start: ${redact(error.message)}`);
  });
  if (scenario?.after) {
    await scenario.after(stack as ProcessStack).catch(async (error: Error) => {
      await stack.stop();
      throw new Error(`scenario ${scenario.name} could not break the stack as planned: ${redact(error.message)}`);
    });
  }
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
