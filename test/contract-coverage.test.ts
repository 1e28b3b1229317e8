// Every promise of CONTRACT.md has a check, every id a check names exists, every promise has a
// defect that breaks it (proof that its checks can fail), and the README's table is current.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseContractPromises } from '../contract/promises.ts';
import { REPO_ROOT } from '../helpers/stack/repo-root.ts';
import { DEFECTS } from '../services/shared/defects.ts';
import { MUTANTS } from '../scenarios/mutants.ts';
import { contractPromises, defectsFor, readmeWithTable, suiteChecks } from '../scripts/contract-table.ts';

const promises = contractPromises();
const ids = new Set(promises.map((p) => p.id));
const checks = suiteChecks();

describe('CONTRACT.md promise ids', () => {
  it('are parsed from CONTRACT.md itself: unique, with their text', () => {
    expect(promises.length).toBeGreaterThanOrEqual(30);
    for (const p of promises) expect(p.text.length, `${p.id} has no text`).toBeGreaterThan(10);
    expect(() => parseContractPromises('a [X-one]. b [X-one].')).toThrow(/X-one is used twice/);
    // The notation shown in backticks and the suites named in brackets are not promises.
    expect(parseContractPromises('Ids such as `[H-ready]`. Checked [health, resilience]. Kept [J-kept].').map((p) => p.id)).toEqual(['J-kept']);
  });

  it('every promise has a check naming its id', () => {
    const unchecked = promises.filter((p) => !checks.some((c) => c.ids.includes(p.id))).map((p) => `${p.id}: ${p.text}`);
    expect(unchecked, 'promises without a check (name the id in a check title: "… [ID]")').toEqual([]);
  });

  it('no check names an id CONTRACT.md does not have', () => {
    const unknown = checks.flatMap((c) => c.ids.filter((id) => !ids.has(id)).map((id) => `${c.file} › ${c.title}: ${id}`));
    expect(unknown).toEqual([]);
  });

  it('every promise has a defect that breaks it, and each mutant runs a file holding a check of its promise', () => {
    expect(promises.filter((p) => defectsFor(p.id).length === 0).map((p) => p.id), 'promises without a defect in scenarios/mutants.ts').toEqual([]);
    for (const m of MUTANTS) {
      expect(Object.keys(DEFECTS), `${m.name} is a defect switch`).toContain(m.name);
      for (const id of m.promises) {
        expect(ids.has(id), `${m.name} names ${id}`).toBe(true);
        const inFiles = checks.filter((c) => m.suites.includes(c.file) && c.ids.includes(id));
        expect(inFiles.length, `${m.name}: no check naming ${id} in ${m.suites.join(', ')}`).toBeGreaterThan(0);
        expect(m.detect.check.test(`x › ${inFiles[0]!.title}`)).toBe(true);
      }
      // The defect's description names the promise it breaks.
      expect(DEFECTS[m.name], m.name).toContain(`[${m.promises[0]}]`);
    }
  });

  it("the README's contract coverage table is current (npm run contract:table)", () => {
    const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
    expect(readmeWithTable(readme) === readme, 'run npm run contract:table and commit README.md').toBe(true);
  });
});
