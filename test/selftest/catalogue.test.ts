// The failure catalogue as part of `npm test`: every scenario detected by the check meant for it,
// with a diagnosis naming the cause, and the healthy stack passing with no failure.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { REPO_ROOT } from '../../helpers/stack/processes/node-service.ts';
import { SCENARIOS } from '../../scenarios/index.ts';

it('npm run catalogue: the healthy stack passes and every scenario is detected', { timeout: 20 * 60_000 }, async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'scripts/catalogue.ts')], {
    cwd: REPO_ROOT,
    // Each scenario runs only the check meant for it (the healthy run all four suites): the same proof at about half the cost.
    env: { PATH: process.env.PATH, HOME: process.env.HOME, CATALOGUE_SUITES: 'meant' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const code = await new Promise((resolve) => child.on('close', resolve));
  const table = readFileSync(path.join(REPO_ROOT, 'reports', 'catalogue.md'), 'utf8');
  console.log(table);
  // On failure the whole output: the catalogue prints each undetected scenario's run there.
  if (code !== 0) console.log(output);
  expect(code, output.slice(-4000)).toBe(0);
  expect(table).toMatch(/\| healthy \| ✅ passes \|/);
  for (const s of SCENARIOS) expect(table, `${s.name} should be detected`).toMatch(new RegExp(`\\| ${s.name} \\| ✅ detected \\|`));
});
