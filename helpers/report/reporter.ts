// A vitest reporter that turns the e2e run into results.json and summary.md (see results.ts).
// It runs in vitest's main process, where the global setup left the run's secrets.
import path from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';
import { loadProfile, profileDir } from '../profile.ts';
import { profileSecrets } from '../stack/external.ts';
import { runSecrets } from './secrets.ts';
import { writeResults, type RunResults, type TestRecord } from './results.ts';

export default class E2eReporter implements Reporter {
  private started = Date.now();

  onTestRunStart(): void {
    this.started = Date.now();
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const tests: TestRecord[] = [];
    for (const module of testModules) {
      if (!module.project.name.startsWith('e2e')) continue;
      const suite = path.basename(module.moduleId).replace(/\.e2e\.test\.ts$/, '');
      for (const test of module.children.allTests()) {
        const result = test.result();
        tests.push({
          suite,
          name: test.fullName,
          state: result.state,
          durationMs: test.diagnostic()?.duration,
          error: result.state === 'failed' ? result.errors.map((e) => e.message).join('\n') : undefined,
          skipNote: result.state === 'skipped' ? result.note : undefined,
          meta: test.meta().e2e,
        });
      }
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
    };
    writeResults(results, [...runSecrets.values, ...(profile ? profileSecrets(profile) : [])]);
  }
}
