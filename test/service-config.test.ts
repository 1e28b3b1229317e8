import { describe, expect, it } from 'vitest';
import { problemsOf } from './support/problems.ts';
import { loadApiConfig } from '../services/api/config.ts';
import { heartbeatStatus } from '../services/api/health.ts';
import { listenAddressFromEnv } from '../services/shared/listen-address.ts';
import { loadWorkerConfig } from '../services/worker/config.ts';

const DB = 'postgresql://app:s3cret-pw@127.0.0.1:6543/postgres';


describe('listen address (the platform port convention)', () => {
  it('PORT wins, then API_PORT, then 8000; host API_HOST or 0.0.0.0', () => {
    expect(listenAddressFromEnv({ PORT: '10000', API_PORT: '8000' })).toMatchObject({ port: 10000, portSource: 'PORT', host: '0.0.0.0' });
    expect(listenAddressFromEnv({ API_PORT: '8001' })).toMatchObject({ port: 8001, portSource: 'API_PORT' });
    expect(listenAddressFromEnv({ PORT: '' })).toMatchObject({ port: 8000, portSource: 'default' });
    expect(listenAddressFromEnv({ API_HOST: '127.0.0.1' })).toMatchObject({ host: '127.0.0.1', hostSource: 'API_HOST' });
  });

  it('names the variable that is malformed', () => {
    expect(problemsOf(() => listenAddressFromEnv({ PORT: '10000x' }))).toEqual(['PORT: expected an integer from 1 to 65535; got "10000x"']);
    expect(problemsOf(() => listenAddressFromEnv({ API_PORT: '0' }))).toEqual(['API_PORT: expected an integer from 1 to 65535; got "0"']);
  });
});

describe('API configuration', () => {
  it('reports where each setting came from, secrets without their value', () => {
    const config = loadApiConfig({ DATABASE_URL: DB, PORT: '10000', RENDER_GIT_COMMIT: 'abc1234', RENDER_GIT_BRANCH: 'main' });
    const byName = Object.fromEntries(config.settings.map((s) => [s.name, s]));
    expect(byName.DATABASE_URL).toEqual({ name: 'DATABASE_URL', source: 'env', secret: true });
    expect(byName.PORT).toMatchObject({ source: 'env', value: '10000' });
    expect(byName.API_HOST).toMatchObject({ source: 'default', value: '0.0.0.0' });
    expect(byName.RENDER_GIT_COMMIT).toMatchObject({ source: 'env', value: 'abc1234' });
    expect(byName.DB_POOL_MAX).toMatchObject({ source: 'default', value: '10' });
    expect(JSON.stringify(config.settings)).not.toContain('s3cret-pw');
  });

  it('a missing DATABASE_URL is named; a malformed one is echoed with its password masked', () => {
    expect(problemsOf(() => loadApiConfig({}))).toEqual(['DATABASE_URL: expected a postgres:// or postgresql:// URL; it is not set']);
    const [line] = problemsOf(() => loadApiConfig({ DATABASE_URL: 'http://u:topsecret@h/db' }));
    expect(line).toMatch(/^DATABASE_URL: expected a postgres/);
    expect(line).not.toContain('topsecret');
  });

  it('heartbeat thresholds must be ordered', () => {
    expect(problemsOf(() => loadApiConfig({ DATABASE_URL: DB, HEALTH_HEARTBEAT_WARN_MS: '5000', HEALTH_HEARTBEAT_FAIL_MS: '4000' }))[0]).toMatch(
      /^HEALTH_HEARTBEAT_FAIL_MS: expected more than HEALTH_HEARTBEAT_WARN_MS/,
    );
  });

  it('heartbeat age: pass, then warn, then fail at the documented thresholds', () => {
    expect(heartbeatStatus(999, 1000, 2000)).toBe('pass');
    expect(heartbeatStatus(1000, 1000, 2000)).toBe('warn');
    expect(heartbeatStatus(2000, 1000, 2000)).toBe('fail');
  });
});

describe('worker configuration', () => {
  it('defaults are explicit, and every bad variable gets its own line', () => {
    expect(loadWorkerConfig({ DATABASE_URL: DB, WORKER_INSTANCE_ID: 'w1' })).toMatchObject({ concurrency: 2, pollMaxMs: 50, instanceId: 'w1', external: undefined });
    expect(problemsOf(() => loadWorkerConfig({ DATABASE_URL: DB, WORKER_CONCURRENCY: 'two', WORKER_LEASE_MS: '1' }))).toEqual([
      'WORKER_CONCURRENCY: expected an integer from 1 to 64; got "two"',
      'WORKER_LEASE_MS: expected an integer from 500 to 3600000; got "1"',
    ]);
  });

  it('an external API URL needs its key, and the key is never echoed', () => {
    expect(problemsOf(() => loadWorkerConfig({ DATABASE_URL: DB, EXTERNAL_API_URL: 'http://127.0.0.1:1' }))).toEqual([
      'EXTERNAL_API_KEY: expected an API key because EXTERNAL_API_URL is set; it is not set',
    ]);
    expect(problemsOf(() => loadWorkerConfig({ DATABASE_URL: DB, EXTERNAL_API_KEY: 'short' }))).toEqual([
      'EXTERNAL_API_KEY: expected an API key of at least 8 characters; got "***"',
    ]);
  });
});
