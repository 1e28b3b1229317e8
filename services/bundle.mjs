// Bundles the reference services into plain JavaScript: `node services/bundle.mjs <outdir>`.
// A service then starts as `node <outdir>/api/main.mjs`, without a TypeScript transform at every
// start. npm packages are bundled too: resolving and loading msw, pg and zod file by file was most
// of a start (mock 0.65 → 0.37 CPU-s, API 0.33 → 0.25, worker 0.27 → 0.18, measured on Node 24;
// a stack starts four of them, npm test about fifty stacks). The migrations are copied next to
// migrate.mjs, which reads them from beside itself. Used by services/Dockerfile and by the
// suite's processes provider (helpers/stack/processes/reference-bundle.ts).
import { cpSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
const outdir = process.argv[2];
if (!outdir) {
  process.stderr.write('usage: node services/bundle.mjs <outdir>\n');
  process.exit(2);
}
await build({
  entryPoints: ['api/main.ts', 'worker/main.ts', 'migrate.ts', 'mock-external/main.ts'].map((entry) => path.join(here, entry)),
  outbase: here,
  outdir,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // pg's optional native binding stays out (pg loads it only when asked for pg.native).
  external: ['pg-native'],
  // Bundled CommonJS packages call require(); an ES module has none of its own.
  banner: { js: "import { createRequire as bundleCreateRequire } from 'node:module'; const require = bundleCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
cpSync(path.join(here, 'migrations'), path.join(outdir, 'migrations'), { recursive: true });
