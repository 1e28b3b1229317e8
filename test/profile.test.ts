import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { problemsOf } from './support/problems.ts';
import { loadProfile } from '../helpers/profile.ts';
import { tempDir } from './support/temp-dir.ts';

function envDir(files: Record<string, string>): string {
  const dir = tempDir('profile-test');
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}


describe('loadProfile', () => {
  it('applies defaults and reads the target file', () => {
    const dir = envDir({ 'demo.env': 'E2E_PROVIDER=processes\nE2E_LATENCY_JOBS=7\n' });
    const { profile } = loadProfile('demo', {}, dir);
    expect(profile).toMatchObject({ E2E_TARGET: 'demo', E2E_PROVIDER: 'processes', E2E_LATENCY_JOBS: 7, POOL_MODE: 'transaction' });
  });

  it('real environment variables win over <target>.local.env, which wins over <target>.env', () => {
    const dir = envDir({
      'demo.env': 'E2E_LATENCY_JOBS=1\nE2E_LATENCY_P50_MS=10\nE2E_LATENCY_P95_MS=20\n',
      'demo.local.env': 'E2E_LATENCY_JOBS=2\nE2E_LATENCY_P50_MS=11\n',
    });
    const { profile, files } = loadProfile('demo', { E2E_LATENCY_JOBS: '3' }, dir);
    expect(profile.E2E_LATENCY_JOBS).toBe(3);
    expect(profile.E2E_LATENCY_P50_MS).toBe(11);
    expect(profile.E2E_LATENCY_P95_MS).toBe(20);
    expect(files.map((f) => path.basename(f))).toEqual(['demo.env', 'demo.local.env']);
  });

  it('lists one line per bad variable, saying what was expected', () => {
    const dir = envDir({ 'bad.env': 'E2E_PROVIDER=kubernetes\nE2E_LATENCY_JOBS=many\nAPI_URL=ftp://x\nEXPECTED_COMMIT=xyz\n' });
    const problems = problemsOf(() => loadProfile('bad', {}, dir));
    expect(problems).toEqual(
      expect.arrayContaining([
        'E2E_PROVIDER: expected one of auto, processes, containers, external; got "kubernetes"',
        'E2E_LATENCY_JOBS: expected an integer from 1 to 10000; got "many"',
        'API_URL: expected an http:// or https:// URL; got "ftp://x"',
        'EXPECTED_COMMIT: expected a git commit: 7 to 40 hex digits; got "xyz"',
      ]),
    );
    expect(problems).toHaveLength(4);
  });

  it('names unknown variables in a profile file (typos) and cross-variable problems', () => {
    const dir = envDir({ 'ext.env': 'E2E_PROVIDER=external\nAPI_URLL=https://x.example\n' });
    const problems = problemsOf(() => loadProfile('ext', {}, dir));
    expect(problems).toContain('API_URLL: unknown variable in env/ext.env (a typo?)');
    expect(problems.some((p) => p.startsWith('API_URL: expected the deployed API'))).toBe(true);
  });

  it('a missing target says which file it looked for, and points at the example', () => {
    const dir = envDir({ 'staging.env.example': 'E2E_PROVIDER=external\n' });
    expect(problemsOf(() => loadProfile('staging', {}, dir))).toEqual([
      'E2E_TARGET: no profile file env/staging.env (copy env/staging.env.example), and E2E_PROVIDER is not set in the environment',
    ]);
    expect(problemsOf(() => loadProfile('../etc', {}, dir))[0]).toMatch(/^E2E_TARGET: expected a target name/);
  });

  it('a live target may be described by the environment alone (CI secrets), with CI defaults for the release', () => {
    const dir = envDir({});
    const { profile, files } = loadProfile('staging', { E2E_PROVIDER: 'external', API_URL: 'https://api.example.test', GITHUB_SHA: 'abcdef1234567', GITHUB_REF_NAME: 'main' }, dir);
    expect(files).toEqual([]);
    expect(profile).toMatchObject({ E2E_PROVIDER: 'external', EXPECTED_COMMIT: 'abcdef1234567', EXPECTED_BRANCH: 'main' });
    // Explicit values win over the CI's.
    expect(loadProfile('staging', { E2E_PROVIDER: 'external', API_URL: 'https://a.test', GITHUB_SHA: 'abcdef1234567', EXPECTED_COMMIT: '1234567' }, dir).profile.EXPECTED_COMMIT).toBe('1234567');
  });

  it('masks secrets in the echoed value of a bad URL', () => {
    const dir = envDir({ 's.env': 'DATABASE_URL=postgres://user:hunter2@\n' });
    const text = problemsOf(() => loadProfile('s', {}, dir)).join('\n');
    expect(text).toMatch(/^DATABASE_URL: expected a postgres/);
    expect(text).not.toContain('hunter2');
  });

  it('the committed local profile is valid', () => {
    expect(() => loadProfile('local', {})).not.toThrow();
  });
});
