// Starts the stack once for the e2e project and hands its endpoints to tests (provide/inject).
// The returned teardown stops it; Ctrl-C and crashes are covered by helpers/stack/cleanup.ts.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { loadProfile, profileDir, ProfileError } from '../profile.ts';
import { profileUrlSecrets, redact } from '../redact.ts';
import { cleanupConnection, cleanupRun, describeCleanup, newRunPrefix, readLedger } from '../run-rows.ts';
import { REPO_ROOT } from '../stack/repo-root.ts';
import { runSecrets } from '../report/secrets.ts';
import { chooseStack, ProviderUnavailable, type StackChoice, startStack } from '../stack/index.ts';
import { stackPlan } from '../stack/plan.ts';
import { describeServices } from '../stack/services.ts';
import type { StackEndpoints } from '../stack/types.ts';
import type { Profile } from '../../env/schema.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    stack: StackEndpoints;
    profile: Profile;
    /** Profile values a vitest project sets for itself (e.g. the Python example's commands), under real environment variables. */
    profileOverrides?: Record<string, string>;
    /** The run's id prefix: every job of the run carries it (helpers/jobs.ts newRunId). */
    runId: string;
  }
}

/** Masks the stack's secrets in the service logs kept under reports/stack-logs/<label>/. */
function redactKeptLogs(label: string, secrets: readonly string[]): void {
  const dir = path.join(REPO_ROOT, 'reports', 'stack-logs', label);
  const walk = (d: string): string[] => {
    try {
      return readdirSync(d).flatMap((n) => (statSync(path.join(d, n)).isDirectory() ? walk(path.join(d, n)) : [path.join(d, n)]));
    } catch {
      return [];
    }
  };
  for (const file of walk(dir)) writeFileSync(file, redact(readFileSync(file, 'utf8'), secrets));
}

export default async function setup(project: TestProject) {
  const target = process.env.E2E_TARGET ?? 'local';
  // A plan (scenarios/global-setup.ts, for E2E_SCENARIO) starts the stack broken in one of the
  // catalogue's ways; its profile values come under real environment variables.
  const scenario = stackPlan();
  let profile: Profile;
  try {
    const projectValues = project.getProvidedContext().profileOverrides ?? {};
    profile = loadProfile(target, { ...scenario?.profile, ...projectValues, ...process.env }, profileDir()).profile;
  } catch (error) {
    if (error instanceof ProfileError) {
      // One line per bad variable, no stack trace.
      process.stderr.write(`\n${error.message}\n\n`);
      process.exit(2);
    }
    throw error;
  }
  const log = (m: string) => process.stdout.write(`[stack] ${m}\n`);
  if (scenario) log(`scenario ${scenario.name}: ${scenario.story ?? ''}`);
  let provider: StackChoice;
  try {
    provider = chooseStack(profile, project.name);
  } catch (error) {
    if (error instanceof ProviderUnavailable) {
      process.stderr.write(`\n${error.message}\n\n`);
      process.exit(2);
    }
    throw error;
  }
  log(`provider: ${provider.provider} (${provider.reason})${provider.services ? `; services: ${describeServices(provider.services)}` : ''}`);
  const stack = await startStack(provider.provider, profile, { onProgress: log, label: project.name, services: provider.services, ...scenario?.options }).catch((error: Error) => {
    throw new Error(`the ${target} stack did not start: ${redact(error.message)}`);
  });
  if (scenario?.after) {
    await scenario.after(stack).catch(async (error: Error) => {
      await stack.stop();
      throw new Error(`scenario ${scenario.name} could not break the stack as planned: ${redact(error.message)}`);
    });
  }
  runSecrets.values.push(...stack.endpoints.secrets, ...profileUrlSecrets(profile));
  // One id prefix for every job of the run (the runner hands its own, so it can clean up after a kill).
  const runId = process.env.E2E_RUN_ID?.trim() || newRunPrefix();
  project.provide('runId', runId);
  runSecrets.provider = stack.endpoints.provider;
  runSecrets.apiUrl = stack.endpoints.apiUrl;
  project.provide('stack', stack.endpoints);
  project.provide('profile', profile);
  return async () => {
    log('stopping');
    await stack.stop();
    redactKeptLogs(project.name, runSecrets.values);
    log(`stopped; service logs kept in reports/stack-logs/`);
    // A live target keeps its rows: remove the run's own (the runner does it itself, after vitest).
    if (stack.endpoints.provider === 'external' && !process.env.E2E_CLEANUP_BY_RUNNER) {
      const { url, via } = cleanupConnection(profile);
      const report = await cleanupRun({ runId, databaseUrl: url, via, ledger: readLedger(process.env.E2E_JOB_LEDGER) });
      log(`cleanup: ${redact(describeCleanup(report), runSecrets.values)}`);
    }
  };
}
