// The console under `npm test` passes through the one redactor too (vitest.config.ts installs it in
// vitest's main process; the tests' console output, errors and diffs are printed from there).
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('npm test console', () => {
  it('a test that logs and fails with secrets prints none of them', () => {
    const secret = 'Fixture-Pw-7c1e';
    const keyValue = 'fixture-key-0a9b';
    const run = spawnSync(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', '--project', 'unit', 'test/fixtures/leaky-output.test.ts'], {
      encoding: 'utf8',
      timeout: 60_000,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        E2E_LEAK_FIXTURE: '1',
        E2E_LEAK_FIXTURE_SECRET: secret,
        E2E_LEAK_FIXTURE_SHORT: 'z9',
        // A secret-named variable: known to the redactor by value.
        E2E_LEAK_FIXTURE_KEY_VALUE: keyValue,
        FIXTURE_API_KEY: keyValue,
        FORCE_COLOR: '0',
      },
    });
    const output = `${run.stdout}\n${run.stderr}`;
    expect(run.status, output.slice(-2000)).toBe(1); // the fixture failed, as planned
    expect(output).toMatch(/console\.log postgresql:\/\/app:\*\*\*@db\.example\.invalid/);
    expect(output).toMatch(/password=\*\*\*/);
    for (const leaked of [secret, keyValue, 'password=z9']) expect(output, `"${leaked}" reached the console`).not.toContain(leaked);
  }, 60_000);
});
