// `pooler-queue-e2e check`'s flags become the profile variables scripts/run-e2e.ts reads.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkEnv, CliUsageError } from '../helpers/cli-args.ts';

const cwd = mkdtempSync(path.join(os.tmpdir(), 'e2e-cli-args-'));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

describe('check flags', () => {
  it('map to the profile variables; a live run by default; reports in the caller directory', () => {
    const { env, target, vitestArgs } = checkEnv(
      ['--target', 'preview', '--api-url', 'https://api.example.test', '--expected-commit=abc1234', '--deadline', '120', '--', 'suites/deploy.e2e.test.ts'],
      { EXPECTED_BRANCH: 'main' },
      cwd,
    );
    expect(target).toBe('preview');
    expect(env).toMatchObject({ E2E_TARGET: 'preview', API_URL: 'https://api.example.test', EXPECTED_COMMIT: 'abc1234', EXPECTED_BRANCH: 'main', E2E_DEADLINE_S: '120', E2E_PROVIDER: 'external' });
    expect(env.E2E_REPORTS_DIR).toBe(path.join(cwd, 'reports'));
    expect(vitestArgs).toEqual(['suites/deploy.e2e.test.ts']);
  });

  it('a flag wins over the environment; the target defaults to $E2E_TARGET, then staging', () => {
    expect(checkEnv(['--api-url', 'https://b.test'], { API_URL: 'https://a.test' }, cwd).env.API_URL).toBe('https://b.test');
    expect(checkEnv([], { E2E_TARGET: 'preview' }, cwd).target).toBe('preview');
    expect(checkEnv([], {}, cwd).target).toBe('staging');
  });

  it("profiles come from the caller's env/ when it has the target, else from the environment alone", () => {
    expect(checkEnv([], {}, cwd).env.E2E_ENV_DIR).not.toBe(path.join(cwd, 'env'));
    mkdirSync(path.join(cwd, 'env'));
    writeFileSync(path.join(cwd, 'env', 'staging.env'), 'API_URL=https://api.example.test\n');
    expect(checkEnv([], {}, cwd).env.E2E_ENV_DIR).toBe(path.join(cwd, 'env'));
    expect(checkEnv(['--env-dir', 'profiles'], {}, cwd).env.E2E_ENV_DIR).toBe(path.join(cwd, 'profiles'));
  });

  it('--no-ci-defaults drops the CI variables the expected release would default to', () => {
    const ci = { GITHUB_SHA: 'a'.repeat(40), GITHUB_REF_NAME: 'main', GITHUB_STEP_SUMMARY: '/tmp/s' };
    expect(checkEnv([], ci, cwd).env.GITHUB_SHA).toBe(ci.GITHUB_SHA);
    const { env } = checkEnv(['--no-ci-defaults', '--expected-branch', 'main'], ci, cwd);
    expect(env.GITHUB_SHA).toBeUndefined();
    expect(env.GITHUB_REF_NAME).toBeUndefined();
    expect(env).toMatchObject({ GITHUB_STEP_SUMMARY: '/tmp/s', EXPECTED_BRANCH: 'main' });
  });

  it('refuses unknown flags and flags without a value', () => {
    expect(() => checkEnv(['--api'], {}, cwd)).toThrow(CliUsageError);
    expect(() => checkEnv(['--api-url'], {}, cwd)).toThrow(/--api-url needs a value/);
    expect(() => checkEnv(['--api-url', '--target', 'x'], {}, cwd)).toThrow(/--api-url needs a value/);
  });
});
