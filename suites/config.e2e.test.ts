// config: the target profile is valid, and the services refuse bad configuration at boot with one
// line naming the variable, and honour the platform's port convention.
import { afterEach, describe, expect, inject, it, type ExpectStatic } from 'vitest';
import { ApiClient } from '../helpers/api-client.ts';
import { healthReportSchema } from '../helpers/contract.ts';
import { runServiceUntilExit, spawnExtraApi, type ExtraService } from '../helpers/extra-service.ts';
import { freePort } from '../helpers/ports.ts';
import { loadProfile, profileDir } from '../helpers/profile.ts';
import { needs } from '../helpers/skip.ts';

const stack = inject('stack');
const EX_CONFIG = 78;

describe('target profile', () => {
  // The run's own profile (env/local.env for `npm run e2e`; the installed CLI's target, which may
  // come from the environment alone), read as the runner read it.
  it('the target profile validates against the profile schema', () => {
    const target = process.env.E2E_TARGET?.trim() || 'local';
    const { profile, files } = loadProfile(target, process.env, profileDir());
    if (target === 'local') expect(files.some((f) => f.endsWith('env/local.env'))).toBe(true);
    expect(profile.E2E_TARGET).toBe(target);
    expect(['transaction', 'session']).toContain(profile.POOL_MODE);
  });
});

describe('services validate their environment at boot', () => {
  needs(stack, 'bootServices');

  // Each case: the service, its environment, the variable named, and the reference services'
  // exact wording. CONTRACT.md fixes the form `<service>: config error: NAME: expected …` for every
  // implementation; the wording after "expected" is checked only on the reference services.
  const cases = [
    ['api', {}, 'DATABASE_URL', /DATABASE_URL: expected a postgres:\/\/ or postgresql:\/\/ URL; it is not set/],
    ['api', { DATABASE_URL: 'mysql://x@y/z' }, 'DATABASE_URL', /DATABASE_URL: expected a postgres:\/\/ or postgresql:\/\/ URL; got "mysql:/],
    ['api', { DATABASE_URL: 'postgres://u:pw@h/db', API_PORT: 'eighty' }, 'API_PORT', /API_PORT: expected an integer from 1 to 65535; got "eighty"/],
    ['api', { DATABASE_URL: 'postgres://u:pw@h/db', PORT: '70000' }, 'PORT', /PORT: expected an integer from 1 to 65535; got "70000"/],
    ['worker', { DATABASE_URL: 'postgres://u:pw@h/db', WORKER_CONCURRENCY: '0' }, 'WORKER_CONCURRENCY', /WORKER_CONCURRENCY: expected an integer from 1 to 64; got "0"/],
    ['worker', { DATABASE_URL: 'postgres://u:pw@h/db', EXTERNAL_API_URL: 'http://127.0.0.1:9' }, 'EXTERNAL_API_KEY', /EXTERNAL_API_KEY: expected an API key because EXTERNAL_API_URL is set/],
  ] as const;
  // The defect switches exist only in the reference services.
  const defectCase = ['api', { DATABASE_URL: 'postgres://u:pw@h/db', NODE_ENV: 'production', E2E_DEFECTS: 'health-lies' }, 'E2E_DEFECTS', /E2E_DEFECTS: refused when NODE_ENV=production/] as const;

  // Side by side: each is a process that exits at once, and they share nothing.
  it.concurrent.for(cases)('%s with bad %s… exits 78 naming the variable, without a stack trace [S-boot-78]', async ([service, env, variable, line], { expect }) => {
    await bootFails(expect, service, env, variable, line);
  });

  it('the reference services refuse their defect switches under NODE_ENV=production', async ({ skip, expect }) => {
    if (!stack.capabilities.referenceServices) skip('needs the reference services\' test-only defect switches: not available for your own services');
    await bootFails(expect, ...defectCase);
  });

  async function bootFails(expect: ExpectStatic, service: 'api' | 'worker', env: Record<string, string>, variable: string, line: RegExp) {
    // A free port unless the case is about the port: a service that wrongly boots must not clash.
    const vars: Record<string, string> = { ...env };
    if (!vars.PORT && !vars.API_PORT) vars.PORT = String(await freePort());
    const { code, output, lines } = await runServiceUntilExit(service, vars);
    expect(code, `a bad ${variable} must end the process with exit code 78 (EX_CONFIG), not ${code}; output:\n${output}`).toBe(EX_CONFIG);
    if (variable !== 'E2E_DEFECTS') expect(output, 'one line in the contract\'s form names the variable').toMatch(new RegExp(`config error: ${variable}: expected .+`));
    if (stack.capabilities.referenceServices) expect(output).toMatch(line);
    expect(lines.every((l) => l.includes(variable) || l.includes('config error')), `every line is a config error:\n${output}`).toBe(true);
    expect(output, 'no stack trace').not.toMatch(/\n\s+at /);
    expect(output, 'no password in the error').not.toContain(':pw@');
  }
});

describe('the platform port convention', () => {
  needs(stack, 'bootServices');
  let extra: ExtraService | undefined;
  afterEach(async () => {
    await extra?.stop();
    extra = undefined;
  });

  it('PORT wins over API_PORT, and /health says where the port came from [S-port]', async () => {
    const port = await freePort();
    const ignored = await freePort();
    extra = await spawnExtraApi({ DATABASE_URL: stack.poolerUrl!, PORT: String(port), API_PORT: String(ignored) });
    expect(extra.url).toBe(`http://127.0.0.1:${port}`);
    const res = await new ApiClient(extra.url).request('GET', '/health');
    const settings = healthReportSchema.parse(res.body).checks['config:env'][0]!.settings;
    expect(settings.find((s) => s.name === 'PORT')).toMatchObject({ source: 'env', value: String(port) });
    await expect(fetch(`http://127.0.0.1:${ignored}/health/live`)).rejects.toThrow();
  });

  it('without PORT, API_PORT is used [S-port]', async () => {
    const port = await freePort();
    extra = await spawnExtraApi({ DATABASE_URL: stack.poolerUrl!, API_PORT: String(port) }, 'API_PORT');
    const res = await new ApiClient(`http://127.0.0.1:${port}`).request('GET', '/health/live');
    expect(res.status).toBe(200);
  });
});
