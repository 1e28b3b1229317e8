// Loads and validates a target profile. Precedence, highest first: real environment variables,
// env/<target>.local.env (git-ignored), env/<target>.env. An invalid profile is one error listing
// one line per bad variable; nothing runs against a half-valid profile.
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import dotenv from 'dotenv';
import { crossCheck, profileShape, type Profile } from '../env/schema.ts';
import { ConfigError, parseEnv } from '../contract/env-config.ts';

export const ENV_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../env');

export class ProfileError extends Error {
  constructor(
    public readonly target: string,
    public readonly problems: string[],
  ) {
    super(`target profile "${target}" is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ProfileError';
  }
}

export interface LoadedProfile {
  profile: Profile;
  /** Files read, lowest precedence first. */
  files: string[];
}

export function loadProfile(target: string, env: NodeJS.ProcessEnv = process.env, dir: string = ENV_DIR): LoadedProfile {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(target)) {
    throw new ProfileError(target, [`E2E_TARGET: expected a target name of lowercase letters, digits and dashes; got "${target}"`]);
  }
  const base = path.join(dir, `${target}.env`);
  const local = path.join(dir, `${target}.local.env`);
  // In CI a live target is often described by the environment alone (secrets and variables):
  // that is allowed when it says which provider to use.
  const envOnly = !!env.E2E_PROVIDER?.trim();
  if (!existsSync(base) && !existsSync(local) && !envOnly) {
    const example = existsSync(path.join(dir, `${target}.env.example`)) ? ` (copy env/${target}.env.example)` : '';
    throw new ProfileError(target, [`E2E_TARGET: no profile file env/${target}.env${example}, and E2E_PROVIDER is not set in the environment`]);
  }
  const files = [base, local].filter((f) => existsSync(f));
  const merged: Record<string, string> = {};
  const problems: string[] = [];
  for (const file of files) {
    const values = dotenv.parse(readFileSync(file));
    for (const key of Object.keys(values)) {
      if (!(key in profileShape)) problems.push(`${key}: unknown variable in env/${path.basename(file)} (a typo?)`);
    }
    Object.assign(merged, values);
  }
  for (const key of Object.keys(profileShape)) {
    const real = env[key];
    if (real !== undefined && real !== '') merged[key] = real;
  }
  merged.E2E_TARGET = target;
  Object.assign(merged, ciReleaseDefaults(merged, env));
  let profile: Profile | undefined;
  try {
    profile = parseEnv(profileShape, merged);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
  }
  problems.push(...crossCheck(profile ?? merged));
  if (profile?.E2E_SERVICES_DIR) {
    const dir = path.resolve(ENV_DIR, '..', profile.E2E_SERVICES_DIR);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) problems.push(`E2E_SERVICES_DIR: expected an existing directory (absolute, or relative to the project root); got "${profile.E2E_SERVICES_DIR}", which is not one`);
  }
  if (problems.length || !profile) throw new ProfileError(target, problems);
  return { profile, files };
}

/**
 * For a live target, the expected release defaults to the CI's own commit and branch: the deploy
 * being checked is the one this CI run is about. Explicit EXPECTED_* always win.
 */
export function ciReleaseDefaults(profile: Record<string, string>, env: NodeJS.ProcessEnv): Record<string, string> {
  if (profile.E2E_PROVIDER !== 'external') return {};
  const first = (...names: string[]) => names.map((n) => env[n]?.trim()).find((v) => v);
  const out: Record<string, string> = {};
  const commit = first('GITHUB_SHA', 'CI_COMMIT_SHA', 'BUILDKITE_COMMIT', 'CIRCLE_SHA1', 'GIT_COMMIT');
  // On pull requests GITHUB_HEAD_REF is the branch; GITHUB_REF_NAME would be "<n>/merge".
  const branch = first('GITHUB_HEAD_REF', 'GITHUB_REF_NAME', 'CI_COMMIT_REF_NAME', 'BUILDKITE_BRANCH', 'CIRCLE_BRANCH', 'GIT_BRANCH');
  if (!profile.EXPECTED_COMMIT && commit) out.EXPECTED_COMMIT = commit;
  if (!profile.EXPECTED_BRANCH && branch) out.EXPECTED_BRANCH = branch;
  return out;
}

/** Where profiles live: env/, or E2E_ENV_DIR (self-tests point it at a temporary folder). */
export function profileDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.E2E_ENV_DIR?.trim() || ENV_DIR;
}
