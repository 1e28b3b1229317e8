// `pooler-queue-e2e merge-reports` (or `tsx scripts/merge-reports.ts`): the reports of several runs
// as one. For shards (`npm run e2e -- --shard=i/n`, each on its own runner and stack) and for a
// matrix of targets. Reads each results.json (a file, or a folder holding one, with junit.xml
// beside it), writes results.json, summary.md and junit.xml into --out (and appends the summary to
// $GITHUB_STEP_SUMMARY when set).
//
//   merge-reports [--out DIR] [--expect N] PATH…
//
// Exit codes: the merged verdict's, as `check` (0 pass, 1 checks failed, 2 profile invalid,
// 3 unreachable, 5 deadline); 1 also when fewer than --expect parts have results; 2 bad usage.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { mergeJunit, mergeResults, type Part } from '../helpers/merge-results.ts';
import { envSecrets } from '../helpers/redact.ts';
import { EXIT_CODES, writeResults, type RunResults } from '../helpers/report/results.ts';

const HELP = `pooler-queue-e2e merge-reports [--out DIR] [--expect N] PATH…

  PATH         a results.json, or a folder holding one (its junit.xml is merged too)
  --out DIR    where the merged results.json, summary.md and junit.xml go (default: reports)
  --expect N   how many parts there should be (shards or targets): fewer with results fails the merge

exit codes: the merged verdict's (0 pass, 1 checks failed or a part missing, 2 profile invalid, 3 unreachable, 5 deadline); 2 bad usage
`;
const usage = (message: string): never => {
  process.stderr.write(`merge-reports: ${message}\nrun with --help for the flags\n`);
  process.exit(2);
};

const argv = process.argv.slice(2);
if (argv.includes('--help') || argv.includes('-h')) {
  process.stdout.write(HELP);
  process.exit(0);
}
let out = 'reports';
let expect: number | undefined;
const inputs: string[] = [];
for (let i = 0; i < argv.length; i++) {
  const arg = argv[i]!;
  if (arg === '--out') out = argv[++i] ?? usage('--out needs a folder');
  else if (arg === '--expect') {
    expect = Number(argv[++i]);
    if (!Number.isInteger(expect) || expect < 1) usage('--expect: expected a whole number of parts');
  } else if (arg.startsWith('--')) usage(`unknown flag ${arg}`);
  else inputs.push(arg);
}
if (!inputs.length) usage('name at least one results.json or folder');

const parts: Part[] = [];
const missing: string[] = [];
const junits: string[] = [];
for (const input of inputs) {
  const file = existsSync(input) && statSync(input).isDirectory() ? path.join(input, 'results.json') : input;
  const text = existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
  if (!text) {
    missing.push(input);
    continue;
  }
  try {
    parts.push({ label: path.relative(process.cwd(), path.dirname(path.resolve(file))) || '.', results: JSON.parse(text) as RunResults });
  } catch (error) {
    usage(`${file}: not JSON (${(error as Error).message})`);
  }
  const junit = path.join(path.dirname(file), 'junit.xml');
  if (existsSync(junit) && readFileSync(junit, 'utf8').trim()) junits.push(readFileSync(junit, 'utf8'));
}
if (expect !== undefined && parts.length + missing.length < expect) {
  for (let i = parts.length + missing.length; i < expect; i++) missing.push(`part ${i + 1} of ${expect}`);
}
if (!parts.length) {
  process.stderr.write(`merge-reports: none of ${inputs.join(', ')} holds results\n`);
  process.exit(1);
}
const merged = mergeResults(parts, missing);
const dir = path.resolve(out);
mkdirSync(dir, { recursive: true });
const terminal = writeResults(merged, envSecrets(), { ...process.env, E2E_REPORTS_DIR: dir });
if (junits.length) writeFileSync(path.join(dir, 'junit.xml'), mergeJunit(junits));
process.stdout.write(`${terminal}\nmerged ${parts.length} part(s)${missing.length ? ` (${missing.length} missing)` : ''} into ${path.relative(process.cwd(), dir) || '.'}/: ${merged.counts.passed} passed, ${merged.counts.failed} failed, ${merged.counts.skipped} skipped\n`);
process.exit(missing.length && merged.verdict === 'pass' ? 1 : EXIT_CODES[merged.verdict]);
