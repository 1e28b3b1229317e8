// A temporary directory for one test file, removed when the file's tests are done (pass or fail)
// by the unit project's setup file (remove-temp-dirs.ts). Not by a hook here: the unit files share
// their processes (isolate: false), so this module is loaded once for many files, and a hook
// registered at its load ran for the first file only; the other files' directories were left.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const made: string[] = [];

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
  made.push(dir);
  return dir;
}

/** Removes every directory tempDir made so far. */
export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}
