// Parsing settings from the environment with one named line per bad variable. Shared by the
// reference services (their boot-time config) and the suite (target profiles): both sides need the
// same messages, and neither imports the other.
import { z } from 'zod';
import { maskUrlPasswords } from './mask.ts';

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
