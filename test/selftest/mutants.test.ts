// A few mutants of `npm run mutants` as part of `npm test` (the whole set takes minutes; CI runs
// these): each defect must be caught by the check naming its promise, with its diagnosis. The
// healthy run is the e2e project's own.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { REPO_ROOT } from '../../helpers/stack/repo-root.ts';

/** A refusal that writes a row; release identity read from the wrong variable; a unit slip in the backoff. */
export const CI_MUTANTS = ['insert-before-payload-check', 'release-wrong-variable', 'backoff-seconds'];

it(`npm run mutants -- ${CI_MUTANTS.join(' ')}: each caught by its promise's check`, { timeout: 10 * 60_000 }, async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'scripts/mutants.ts'), ...CI_MUTANTS], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const code = await new Promise((resolve) => child.on('close', resolve));
  const table = readFileSync(path.join(REPO_ROOT, 'reports', 'mutants.md'), 'utf8');
  console.log(table);
  expect(code, output.slice(-4000)).toBe(0);
  for (const name of CI_MUTANTS) expect(table, `${name} should be caught`).toMatch(new RegExp(`\\| ${name} \\| [^|]+ \\| ✅ caught \\|`));
});
