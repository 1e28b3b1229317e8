// Boot-time configuration: every setting comes from the environment and is validated with zod.
// A bad or missing variable ends the process at once with one line per variable, never a stack trace.
import { z } from 'zod';
import { ConfigError, parseEnv, type EnvShape } from '../../contract/env-config.ts';
import { defectOn } from './defects.ts';

export { ConfigError, parseEnv, type EnvShape };

export type SettingSource = 'env' | 'default';
export interface SettingReport {
  name: string;
  source: SettingSource;
  /** Only for settings that are not secret. */
  value?: string;
  secret: boolean;
}

/** Which settings came from the environment and which from defaults; secrets show no value. */
export function reportSettings(
  shape: EnvShape,
  env: NodeJS.ProcessEnv,
  parsed: Record<string, unknown>,
  secretNames: readonly string[],
): SettingReport[] {
  return Object.keys(shape).map((name) => {
    const secret = secretNames.includes(name);
    const fromEnv = env[name] !== undefined && env[name]!.trim() !== '';
    const value = parsed[name];
    return {
      name,
      source: fromEnv ? 'env' : 'default',
      secret,
      ...(secret || value === undefined ? {} : { value: String(value) }),
    };
  });
}

/** A setting read outside the zod shape (port, release identity), reported the same way. */
export function derivedSetting(name: string, fromEnv: boolean, value: string): SettingReport {
  return { name, source: fromEnv ? 'env' : 'default', value, secret: false };
}

/** Loads config or exits non-zero with one line per bad variable. */
export function loadOrExit<T>(service: string, load: () => T): T {
  try {
    return load();
  } catch (error) {
    if (error instanceof ConfigError) {
      for (const line of error.problems) process.stderr.write(`${service}: config error: ${line}\n`);
      // Defect switch (mutants): the generic exit code instead of EX_CONFIG.
      process.exit(defectOn(process.env, 'config-exit-1') ? 1 : 78); // EX_CONFIG
    }
    throw error;
  }
}

// Reusable field types, each describing what it expects for the error line.
export const postgresUrl = z
  .string()
  .refine((v) => /^postgres(ql)?:\/\/[^/]+/.test(v) && URL.canParse(v), 'a postgres:// URL')
  .describe('a postgres:// or postgresql:// URL');
export const httpUrl = z
  .string()
  .refine((v) => /^https?:\/\//.test(v) && URL.canParse(v))
  .describe('an http:// or https:// URL');
export const intInRange = (min: number, max: number, fallback?: number) => {
  const base = z.coerce.number().int().min(min).max(max);
  const what = `an integer from ${min} to ${max}`;
  return fallback === undefined ? base.describe(what) : base.default(fallback).describe(what);
};
