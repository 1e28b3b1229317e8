// The harness checks any implementation of CONTRACT.md, so it must not lean on the reference one:
// nothing in helpers/ or suites/ imports from services/ or scenarios/. What both sides need lives
// in contract/. (Starting the reference services as processes by path is not an import.)
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/stack/repo-root.ts';

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? tsFiles(full) : full.endsWith('.ts') ? [full] : [];
  });
}

/** Every module specifier a file imports: static, dynamic, re-exports and type-only imports. */
export function importsOf(source: string): string[] {
  const specifiers: string[] = [];
  for (const m of source.matchAll(/(?:^|[^\w.])(?:import|export)\s[^'"`;]*?from\s*['"]([^'"]+)['"]/gm)) specifiers.push(m[1]!);
  for (const m of source.matchAll(/(?:^|[^\w.])import\s*\(\s*['"`]([^'"`]+)['"`]\s*\)/gm)) specifiers.push(m[1]!);
  for (const m of source.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm)) specifiers.push(m[1]!);
  return specifiers;
}

describe('the harness is independent of the reference services', () => {
  it('finds imports in every form it must police', () => {
    const sample = [
      "import { a } from '../services/x.ts';",
      "import type { B } from '../../scenarios/y.ts';",
      "export { c } from '../services/z.ts';",
      "const m = await import('../services/w.ts');",
      "import '../services/side-effect.ts';",
    ].join('\n');
    expect(importsOf(sample)).toEqual(['../services/x.ts', '../../scenarios/y.ts', '../services/z.ts', '../services/side-effect.ts', '../services/w.ts'].sort((a, b) => sample.indexOf(a) - sample.indexOf(b)));
  });

  it('nothing in helpers/ or suites/ imports from services/ or scenarios/', () => {
    const offences: string[] = [];
    for (const file of [...tsFiles(path.join(REPO_ROOT, 'helpers')), ...tsFiles(path.join(REPO_ROOT, 'suites'))]) {
      for (const spec of importsOf(readFileSync(file, 'utf8'))) {
        if (!spec.startsWith('.')) continue;
        const target = path.relative(REPO_ROOT, path.resolve(path.dirname(file), spec));
        if (/^(services|scenarios)(\/|$)/.test(target)) offences.push(`${path.relative(REPO_ROOT, file)} imports ${target}`);
      }
    }
    expect(offences, 'move what both sides need into contract/').toEqual([]);
  });
});
