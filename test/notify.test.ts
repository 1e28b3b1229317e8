// The monitoring webhook (scripts/notify.ts) against a receiver on 127.0.0.1: the payload's shape,
// redaction, the recovery message, silence when nothing changed, a receiver that hangs (bounded) and
// one that answers 500 (exit 1, state kept).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decide, type MonitorState, type WebhookPayload } from '../helpers/notify.ts';
import type { RunResults } from '../helpers/report/results.ts';
import { REPO_ROOT } from '../helpers/stack/repo-root.ts';

const DB_PASSWORD = 'pw-9f3e1c7a55';
const HOOK_TOKEN = 'T000/B000/hooktoken8d2f';
const DATABASE_URL = `postgresql://postgres.abcdefghijklmnopqrst:${DB_PASSWORD}@aws-0-eu-west-1.pooler.supabase.com:6543/postgres`;

const failing: RunResults = {
  verdict: 'checks failed',
  target: 'staging',
  apiUrl: 'https://api.example.test',
  finishedAt: '2026-01-01T00:15:00.000Z',
  counts: { passed: 20, failed: 1, skipped: 3 },
  tests: [
    { suite: 'deploy', name: 'the API runs the expected commit and branch', state: 'failed', error: `the API runs another release than expected\n  commit abc def\n  ${DATABASE_URL}` },
    { suite: 'pooler', name: 'login works', state: 'failed', error: `login as postgres.abc with ${DATABASE_URL} failed` },
    { suite: 'health', name: 'live', state: 'passed' },
  ],
};
const passing: RunResults = { ...failing, verdict: 'pass', counts: { passed: 24, failed: 0, skipped: 3 }, tests: [{ suite: 'health', name: 'live', state: 'passed' }] };

interface Received {
  method?: string;
  url?: string;
  contentType?: string;
  body: string;
}
let server: Server;
let base: string;
let received: Received[] = [];
let behaviour: 'ok' | 'hang' | '500' = 'ok';
const hanging: IncomingMessage[] = [];
let work: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      received.push({ method: req.method, url: req.url, contentType: req.headers['content-type'], body });
      if (behaviour === 'hang') return void hanging.push(req);
      if (behaviour === '500') {
        res.writeHead(500, { 'content-type': 'text/plain' }).end('internal error: database on fire');
        return;
      }
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  work = mkdtempSync(path.join(os.tmpdir(), 'e2e-notify-'));
});
afterEach(() => {
  received = [];
  behaviour = 'ok';
  for (const req of hanging.splice(0)) req.socket.destroy();
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  rmSync(work, { recursive: true, force: true });
});

let case_ = 0;
/** Runs scripts/notify.ts with a results file and an optional previous state. */
async function notify(results: RunResults | undefined, previous: MonitorState | undefined, extra: string[] = [], env: Record<string, string> = {}) {
  const dir = path.join(work, `case-${++case_}`);
  const { mkdirSync } = await import('node:fs');
  mkdirSync(dir);
  const resultsFile = path.join(dir, 'results.json');
  const stateFile = path.join(dir, 'state.json');
  if (results) writeFileSync(resultsFile, JSON.stringify(results));
  if (previous) writeFileSync(stateFile, JSON.stringify(previous));
  const started = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'scripts/notify.ts'), '--results', resultsFile, '--state', stateFile, ...extra], {
    cwd: REPO_ROOT, // where tsx resolves
    env: { PATH: process.env.PATH!, HOME: process.env.HOME!, DATABASE_URL, GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'acme/api', GITHUB_RUN_ID: '42', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 8_000);
  const code: number | null = await new Promise((resolve) => child.on('close', resolve));
  clearTimeout(timer);
  const state = existsSync(stateFile) ? (JSON.parse(readFileSync(stateFile, 'utf8')) as MonitorState) : undefined;
  return { code, output, state, ms: Date.now() - started };
}

const hook = () => `${base}/services/${HOOK_TOKEN}`;
const wasPassing: MonitorState = { status: 'passing', verdict: 'pass', failing: [], since: '2026-01-01T00:00:00.000Z' };

// Each case runs the script (about 1 s a start); the bound is per case.
describe('notify: one JSON POST when the status changes', { timeout: 30_000 }, () => {
  it('turning failing: the documented shape, secrets redacted (database password, the webhook token)', async () => {
    const run = await notify(failing, wasPassing, ['--webhook-url', hook()]);
    expect(run.code, run.output).toBe(0);
    expect(received).toHaveLength(1);
    const [post] = received;
    expect(post!.method).toBe('POST');
    expect(post!.contentType).toBe('application/json');
    const payload = JSON.parse(post!.body) as WebhookPayload;
    expect(Object.keys(payload).sort()).toEqual(['apiUrl', 'counts', 'failures', 'finishedAt', 'previous', 'problems', 'runUrl', 'since', 'status', 'target', 'text', 'verdict']);
    expect(payload).toMatchObject({ status: 'failing', target: 'staging', verdict: 'checks failed', previous: 'passing', runUrl: 'https://github.com/acme/api/actions/runs/42', counts: { failed: 1 } });
    expect(payload.failures).toEqual([
      { suite: 'deploy', name: 'the API runs the expected commit and branch', error: 'the API runs another release than expected' },
      { suite: 'pooler', name: 'login works', error: expect.stringContaining('failed') },
    ]);
    expect(payload.text).toMatch(/^staging: checks failed \(2 failed: deploy › the API runs/);
    expect(post!.body).not.toContain(DB_PASSWORD);
    expect(post!.body).not.toContain('hooktoken8d2f');
    expect(run.output).not.toContain(DB_PASSWORD);
    expect(run.output).not.toContain('hooktoken8d2f');
    expect(run.output).toMatch(/sent "failing" to http:\/\/127\.0\.0\.1:\d+\/\*\*\*: 200/);
    expect(run.state).toMatchObject({ status: 'failing', verdict: 'checks failed' });
  });

  it('says when it recovers, with when the failure began', async () => {
    const since = '2026-01-01T00:15:00.000Z';
    const run = await notify(passing, { status: 'failing', verdict: 'checks failed', failing: ['deploy › x'], since }, ['--webhook-url', hook()]);
    expect(run.code, run.output).toBe(0);
    const payload = JSON.parse(received[0]!.body) as WebhookPayload;
    expect(payload).toMatchObject({ status: 'recovered', verdict: 'pass', previous: 'failing', failures: [] });
    expect(payload.text).toBe(`staging: recovered, all checks pass again (failing since ${since})`);
    expect(run.state).toMatchObject({ status: 'passing' });
  });

  it('stays silent while nothing changes; speaks again when a failing run fails for another reason', async () => {
    const first = await notify(failing, undefined, ['--webhook-url', hook()]);
    expect(received).toHaveLength(1);
    const same = await notify(failing, first.state, ['--webhook-url', hook()]);
    expect(same.output).toMatch(/still failing for the same reason/);
    expect(received).toHaveLength(1);
    const unreachable = await notify(undefined, first.state, ['--webhook-url', hook(), '--exit-code', '3', '--target', 'staging']);
    expect(unreachable.code, unreachable.output).toBe(0);
    expect(received).toHaveLength(2);
    expect(JSON.parse(received[1]!.body)).toMatchObject({ status: 'failing', verdict: 'target unreachable', since: first.state!.since });
    const stillPassing = await notify(passing, wasPassing, ['--webhook-url', hook()]);
    expect(stillPassing.output).toMatch(/still passing: nothing to say/);
    expect(received).toHaveLength(2);
  });

  it('a receiver that hangs: given up after the bound, exit 1, the state kept for the next run', async () => {
    behaviour = 'hang';
    const run = await notify(failing, wasPassing, ['--webhook-url', hook(), '--timeout-ms', '700']);
    expect(run.code, run.output).toBe(1);
    expect(run.output).toMatch(/was not delivered to http:\/\/127\.0\.0\.1:\d+\/\*\*\*: the webhook did not answer within 700 ms/);
    expect(run.ms).toBeLessThan(6_000);
    expect(run.state).toEqual(wasPassing);
  });

  it('a receiver that answers 500: reported with its status, exit 1, the state kept', async () => {
    behaviour = '500';
    const run = await notify(failing, wasPassing, ['--webhook-url', hook()]);
    expect(run.code, run.output).toBe(1);
    expect(run.output).toMatch(/the webhook answered 500: internal error: database on fire/);
    expect(run.output).not.toContain('hooktoken8d2f');
    expect(run.state).toEqual(wasPassing);
  });

  it('without a webhook it prints the payload (redacted) and exits 0; bad usage exits 2', async () => {
    const run = await notify(failing, undefined);
    expect(run.code, run.output).toBe(0);
    expect(run.output).toMatch(/no webhook configured \(E2E_WEBHOOK_URL\); the payload would be:/);
    expect(run.output).not.toContain(DB_PASSWORD);
    expect(received).toHaveLength(0);
    const bad = await notify(failing, undefined, ['--webhook', 'x']);
    expect(bad.code).toBe(2);
    expect(bad.output).toMatch(/unknown flag --webhook/);
  });
});

describe('decide', () => {
  it('keeps the time a status began across runs of the same status', () => {
    const first = decide(failing, undefined, { now: new Date('2026-01-01T00:15:00Z') });
    const again = decide(failing, first.next, { now: new Date('2026-01-01T00:30:00Z') });
    expect(again.payload).toBeUndefined();
    expect(again.next.since).toBe('2026-01-01T00:15:00.000Z');
  });
});
