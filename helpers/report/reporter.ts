// A vitest reporter that turns the e2e run into results.json and summary.md (see results.ts).
// It runs in vitest's main process, where the global setup left the run's secrets.
// It also appends each finished test to reports/progress.jsonl as it goes, so a run stopped at
// its deadline (scripts/run-e2e.ts) can still say which checks ran and which suite was running.
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Reporter, TestCase, TestModule } from 'vitest/node';
import { loadProfile, profileDir } from '../profile.ts';
import { envSecrets, profileUrlSecrets, redactDeep } from '../redact.ts';
import { profileSecrets } from '../stack/external.ts';
import { runSecrets } from './secrets.ts';
import { reportsDir, writeResults, type RunResults, type TestRecord } from './results.ts';

/** One JSON line per event: {"running": suite} when a file starts, a TestRecord when a test ends. */
export const PROGRESS_FILE = 'progress.jsonl';

const suiteOf = (moduleId: string) => path.basename(moduleId).replace(/\.e2e\.test\.ts$/, '');

function record(test: TestCase, suite: string): TestRecord {
  const result = test.result();
  return {
    suite,
    name: test.fullName,
    state: result.state,
    durationMs: test.diagnostic()?.duration,
    error: result.state === 'failed' ? result.errors.map((e) => e.message).join('\n') : undefined,
    skipNote: result.state === 'skipped' ? result.note : undefined,
    meta: test.meta().e2e,
  };
}

export default class E2eReporter implements Reporter {
  private started = Date.now();
  private progress = path.join(reportsDir(), PROGRESS_FILE);

  onTestRunStart(): void {
    this.started = Date.now();
    mkdirSync(path.dirname(this.progress), { recursive: true });
    writeFileSync(this.progress, '');
  }

  private note(value: unknown): void {
    try {
      appendFileSync(this.progress, `${JSON.stringify(redactDeep(value, [...runSecrets.values, ...envSecrets()]))}\n`);
    } catch {
      /* progress is a help for a stopped run, never a reason to fail one */
    }
  }

  onTestModuleStart(module: TestModule): void {
    if (module.project.name.startsWith('e2e')) this.note({ running: suiteOf(module.moduleId) });
  }

  onTestCaseResult(test: TestCase): void {
    if (test.project.name.startsWith('e2e')) this.note(record(test, suiteOf(test.module.moduleId)));
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const tests: TestRecord[] = [];
    for (const module of testModules) {
      if (!module.project.name.startsWith('e2e')) continue;
      const suite = suiteOf(module.moduleId);
      for (const test of module.children.allTests()) tests.push(record(test, suite));
    }
    if (tests.length === 0) return; // not an e2e run
    const target = process.env.E2E_TARGET ?? 'local';
    let profile: ReturnType<typeof loadProfile>['profile'] | undefined;
    try {
      profile = loadProfile(target, process.env, profileDir()).profile;
    } catch {
      /* the global setup already reported it */
    }
    const counts = {
      passed: tests.filter((t) => t.state === 'passed').length,
      failed: tests.filter((t) => t.state === 'failed').length,
      skipped: tests.filter((t) => t.state === 'skipped').length,
    };
    const results: RunResults = {
      verdict: counts.failed > 0 ? 'checks failed' : 'pass',
      target,
      provider: runSecrets.provider ?? profile?.E2E_PROVIDER,
      apiUrl: runSecrets.apiUrl ?? profile?.API_URL,
      finishedAt: new Date().toISOString(),
      durationMs: Date.now() - this.started,
      expected: { commit: profile?.EXPECTED_COMMIT, branch: profile?.EXPECTED_BRANCH },
      counts,
      tests,
      runId: process.env.E2E_RUN_ID,
    };
    writeResults(results, [...runSecrets.values, ...envSecrets(), ...(profile ? [...profileSecrets(profile), ...profileUrlSecrets(profile)] : [])]);
  }
}
