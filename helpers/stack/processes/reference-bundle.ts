// The reference services as plain JavaScript: bundled once per source version with esbuild (the
// compiler tsx itself uses), so each start is a bare `node file.mjs` instead of a TypeScript
// transform per process (about a second each on a busy 2-core machine). The bundles live in
// node_modules/.cache (removed with node_modules), npm packages bundled in (see
// services/bundle.mjs). Built into a temporary folder and renamed: concurrent stacks
// (the vitest projects start theirs at once) never see half a bundle.
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../repo-root.ts';

/** Each reference service's TypeScript entry, and its bundle inside the bundle folder. */
export const REFERENCE_ENTRIES = {
  api: { source: 'services/api/main.ts', bundle: 'api/main.mjs' },
  worker: { source: 'services/worker/main.ts', bundle: 'worker/main.mjs' },
  migrate: { source: 'services/migrate.ts', bundle: 'migrate.mjs' },
  'mock-external': { source: 'services/mock-external/main.ts', bundle: 'mock-external/main.mjs' },
} as const;
export type ReferenceEntry = keyof typeof REFERENCE_ENTRIES;

const run = promisify(execFile);
const CACHE = path.join(REPO_ROOT, 'node_modules', '.cache', 'pooler-queue-e2e');

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

/** A hash of everything the bundles are made from. */
function sourceHash(): string {
  const hash = createHash('sha256');
  const inputs = [...filesUnder(path.join(REPO_ROOT, 'services')), ...filesUnder(path.join(REPO_ROOT, 'contract')), path.join(REPO_ROOT, 'package-lock.json')].sort();
  for (const file of inputs) hash.update(path.relative(REPO_ROOT, file)).update(readFileSync(file));
  return hash.digest('hex').slice(0, 16);
}

/** The folder holding `<entry>.mjs` for each reference service (and the migrations beside them). */
export async function referenceBundles(): Promise<string> {
  const dir = path.join(CACHE, `services-${sourceHash()}`);
  const done = path.join(dir, 'done');
  if (existsSync(done)) return dir;
  mkdirSync(CACHE, { recursive: true });
  const work = mkdtempSync(path.join(CACHE, 'building-'));
  try {
    // The reference services' own build script (the one services/Dockerfile runs).
    await run(process.execPath, [path.join(REPO_ROOT, 'services', 'bundle.mjs'), work], { cwd: REPO_ROOT });
    writeFileSync(path.join(work, 'done'), new Date().toISOString());
    renameSync(work, dir);
  } catch (error) {
    rmSync(work, { recursive: true, force: true });
    // Another stack renamed the same bundle into place first: use it.
    if (existsSync(done)) return dir;
    throw new Error(`bundling the reference services failed: ${(error as Error).message}`);
  }
  return dir;
}
