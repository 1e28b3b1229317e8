// The package as a user gets it: `npm pack`, the tarball installed into an empty directory, then
// `npx pooler-queue-e2e check` run there against a live-like local target (a stack started here,
// given as an external one). Green when it runs the expected commit; exit 1 with the release
// diagnosis when it does not. The install is the slow part: it prefers the npm cache (a normal
// install of the project warmed it) and asks the registry only for what is missing.
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProcessStack, type ProcessStack } from '../../helpers/stack/processes/index.ts';
import { REPO_ROOT } from '../../helpers/stack/repo-root.ts';

const run = promisify(execFile);
let stack: ProcessStack | undefined;
let work: string;
let installDir: string;
let tarball: string;
const timings: Record<string, number> = {};

async function timed<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const start = Date.now();
  try {
    return await fn();
  } finally {
    timings[name] = Date.now() - start;
  }
}

/** `npx pooler-queue-e2e …` in the install directory, with a clean environment (no CI variables). */
function cli(args: string[], env: Record<string, string> = {}, timeoutMs = 120_000): Promise<{ code: number | null; output: string }> {
  const child = spawn('npx', ['--no-install', 'pooler-queue-e2e', ...args], {
    cwd: installDir,
    env: { PATH: process.env.PATH!, HOME: process.env.HOME!, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), timeoutMs);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    }),
  );
}

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'e2e-cli-pack-'));
  installDir = path.join(work, 'empty');
  const packed = await timed('pack', () => run('npm', ['pack', '--json', '--pack-destination', work], { cwd: REPO_ROOT, maxBuffer: 16 << 20 }));
  tarball = path.join(work, (JSON.parse(packed.stdout) as { filename: string }[])[0]!.filename);
  const { mkdirSync } = await import('node:fs');
  mkdirSync(installDir);
  // The install and the target's start overlap: the install is mostly waiting on disk and cache.
  const [, started] = await Promise.all([
    timed('install', () => run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', tarball], { cwd: installDir, timeout: 150_000 })),
    timed('stack', () => startProcessStack({ label: 'cli-pack' })),
  ]);
  stack = started;
}, 180_000);

afterAll(async () => {
  await stack?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
  console.log(`cli-pack timings (ms): ${JSON.stringify(timings)}`);
});

describe('the packed CLI, installed in an empty directory', () => {
  it('carries what a live run needs and nothing else', async () => {
    const { stdout } = await run('tar', ['-tzf', tarball]);
    const files = stdout.split('\n').filter(Boolean).map((f) => f.replace(/^package\//, ''));
    for (const needed of ['bin/pooler-queue-e2e.mjs', 'scripts/cli.ts', 'scripts/run-e2e.ts', 'scripts/doctor.ts', 'scripts/notify.ts', 'vitest.config.ts', 'env/schema.ts', 'env/staging.env.example', 'CONTRACT.md', 'suites/deploy.e2e.test.ts', 'helpers/profile.ts']) {
      expect(files, needed).toContain(needed);
    }
    for (const prefix of ['test/', 'services/', 'examples/', 'scenarios/', 'images/', 'reports/', '.ci/', '.github/', 'env/local.env']) {
      expect(files.filter((f) => f.startsWith(prefix)), `${prefix} is not for a live run`).toEqual([]);
    }
  });

  it('answers --version and --help, and refuses an unknown flag with exit 2', async () => {
    const version = await cli(['--version']);
    expect(version.code).toBe(0);
    expect(version.output.trim()).toBe(JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).version);
    const help = await cli(['check', '--help']);
    expect(help.code).toBe(0);
    expect(help.output).toMatch(/--expected-commit VALUE\s+EXPECTED_COMMIT/);
    const bad = await cli(['check', '--expected-comit', 'abc']);
    expect(bad.code).toBe(2);
    expect(bad.output).toMatch(/unknown flag --expected-comit for check/);
  });

  it('check passes against a healthy target running the expected commit; reports land in the caller directory', async () => {
    const e = stack!.endpoints;
    const result = await timed('check', () =>
      cli(['check', '--target', 'preview', '--api-url', e.apiUrl, '--expected-commit', e.release.commit, '--expected-branch', e.release.branch], {
        DATABASE_URL: e.poolerUrl!,
        E2E_HEARTBEAT_MAX_AGE_MS: '5000',
        E2E_JOB_TIMEOUT_MS: '10000',
        E2E_LATENCY_JOBS: '10',
      }),
    );
    const summaryFile = path.join(installDir, 'reports', 'summary.md');
    const summary = existsSync(summaryFile) ? readFileSync(summaryFile, 'utf8') : '';
    expect(result.code, /### Failures[\s\S]*?(?=### Skipped|$)/.exec(summary)?.[0] ?? result.output.slice(-4000)).toBe(0);
    expect(summary).toMatch(/e2e preview: pass/);
    expect(existsSync(path.join(installDir, 'reports', 'junit.xml'))).toBe(true);
    for (const secret of e.secrets) expect(result.output + summary).not.toContain(secret);
  });

  // Only the suite this case tests (vitest arguments after --): the whole suite ran just above.
  it('check against a wrong commit exits 1 with the release diagnosis', async () => {
    const e = stack!.endpoints;
    const result = await timed('check-wrong-commit', () =>
      cli(['check', '--target', 'preview', '--api-url', e.apiUrl, '--database-url', e.poolerUrl!, '--expected-commit', '0123456789abcdef0123456789abcdef01234567', '--reports-dir', 'wrong', '--', 'suites/deploy.e2e.test.ts'], {
        E2E_HEARTBEAT_MAX_AGE_MS: '5000',
        E2E_JOB_TIMEOUT_MS: '10000',
        E2E_LATENCY_JOBS: '10',
      }),
    );
    expect(result.code, result.output.slice(-4000)).toBe(1);
    const summary = readFileSync(path.join(installDir, 'wrong', 'summary.md'), 'utf8');
    expect(summary).toMatch(/the API runs another release than expected/);
    expect(summary).toMatch(/likely cause: an older build is still live/);
  });

  it('doctor runs from the installed package too', async () => {
    const result = await cli(['doctor', '--api-url', stack!.endpoints.apiUrl, '--expected-commit', stack!.endpoints.release.commit]);
    expect(result.code, result.output).toBe(0);
    expect(result.output).toMatch(/verdict: PASS/);
  });
});
