import { describe, expect, it } from 'vitest';
import { loadDefects } from '../services/shared/defects.ts';
import { ConfigError } from '../services/shared/env-config.ts';

describe('test-only defect switches', () => {
  it('are off by default', () => {
    expect(loadDefects({}).size).toBe(0);
  });

  it('take a comma list of known defects', () => {
    expect([...loadDefects({ E2E_DEFECTS: 'health-lies, ignore-port' })]).toEqual(['health-lies', 'ignore-port']);
  });

  it('refuse an unknown defect, naming the variable', () => {
    expect(() => loadDefects({ E2E_DEFECTS: 'explode' })).toThrow(ConfigError);
    expect(() => loadDefects({ E2E_DEFECTS: 'explode' })).toThrow(/^E2E_DEFECTS: expected a comma list of .*; got "explode"/);
  });

  it('are refused outright when NODE_ENV=production', () => {
    expect(() => loadDefects({ E2E_DEFECTS: 'health-lies', NODE_ENV: 'production' })).toThrow(/E2E_DEFECTS: refused when NODE_ENV=production/);
  });
});
