// Boot-time configuration: every setting comes from the environment and is validated with zod.
// A bad or missing variable ends the process at once with one line per variable, never a stack trace.
import { z } from 'zod';
import { maskUrlPasswords } from './mask.ts';

export type SettingSource = 'env' | 'default';
export interface SettingReport {
  name: string;
  source: SettingSource;
  /** Only for settings that are not secret. */
  value?: string;
  secret: boolean;
}

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}

export type EnvShape = Record<string, z.ZodType>;

/** Parses `env` against `shape`, naming each offending variable and what it expects. */
export function parseEnv<S extends EnvShape>(
  shape: S,
  env: NodeJS.ProcessEnv,
): z.infer<z.ZodObject<S>> {
  // Empty strings count as unset: platforms often render an unset variable as "".
  const input: Record<string, string | undefined> = {};
  for (const key of Object.keys(shape)) {
    const raw = env[key];
    input[key] = raw === undefined || raw.trim() === '' ? undefined : raw.trim();
  }
  const result = z.object(shape).safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = String(issue.path[0] ?? '(environment)');
    const expected = shape[name]?.description;
    const got = input[name] === undefined ? 'it is not set' : `got "${describeValue(name, input[name]!)}"`;
    return `${name}: ${expected ? `expected ${expected}` : issue.message}; ${got}`;
  });
  throw new ConfigError(problems);
}

function describeValue(name: string, value: string): string {
  if (/PASSWORD|SECRET|KEY|TOKEN/i.test(name)) return '***';
  if (/URL/i.test(name)) return maskUrlPasswords(value);
  return value.length > 60 ? `${value.slice(0, 57)}...` : value;
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
      process.exit(78); // EX_CONFIG
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
