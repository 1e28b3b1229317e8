// `npm run doctor -- [--database-url URL] [--api-url URL] [--expected-commit SHA] [--expected-branch B] [--json]`
// Exit codes: 0 all fine · 1 a problem, named on the verdict's first line · 2 bad usage.
import { helpText, parseArgs, UsageError, type DoctorOptions } from '../helpers/doctor/args.ts';
import { runDoctor } from '../helpers/doctor/index.ts';
import { displayUrl, redactDeep, secretsOf, stepLine, verdictLines, type DoctorJson } from '../helpers/doctor/output.ts';
import { EXIT } from '../helpers/doctor/verdict.ts';
import { redact, redactProcessOutput } from '../helpers/redact.ts';

// Everything this command prints passes through the one redactor (the environment's secrets, URL
// passwords by shape), whatever prints it.
redactProcessOutput();

const argv = process.argv.slice(2);
const wantsJson = argv.includes('--json');
// Whatever the flags, what is printed is redacted with the secrets the URLs carry.
const secrets = secretsOf({ databaseUrl: process.env.DATABASE_URL, apiUrl: process.env.API_URL });
const print = (line: string) => process.stdout.write(`${redact(line, secrets)}\n`);

let options: DoctorOptions;
try {
  options = parseArgs(argv, process.env);
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  const cause = `bad usage: ${error.message}`;
  if (wantsJson) print(JSON.stringify({ steps: [], verdict: { status: 'USAGE', cause, also: [], warnings: [], line: `verdict: USAGE — ${cause}` }, exitCode: EXIT.usage, totalMs: 0 }));
  else process.stderr.write(`${redact(`doctor: ${cause}\nrun with --help for the flags\n`, secrets)}`);
  process.exit(EXIT.usage);
}
if (options.help) {
  process.stdout.write(helpText());
  process.exit(0);
}
secrets.push(...secretsOf(options));

if (!options.json) {
  if (options.databaseUrl) print(`doctor: DATABASE_URL ${displayUrl(options.databaseUrl)} (${options.poolMode} mode meant)`);
  if (options.apiUrl) {
    const expected = [options.expectedCommit && `commit ${options.expectedCommit}`, options.expectedBranch && `branch ${options.expectedBranch}`].filter(Boolean).join(', ');
    print(`doctor: API ${displayUrl(options.apiUrl, true)}${expected ? ` (expected ${expected})` : ''}`);
  }
}
const result = await runDoctor(options, options.json ? undefined : (step) => print(stepLine(step)));
const lines = verdictLines(result.verdict);
if (options.json) {
  const out: DoctorJson = { steps: result.steps, verdict: { ...result.verdict, line: lines[0]! }, exitCode: result.exitCode, totalMs: result.totalMs };
  print(JSON.stringify(redactDeep(out, secrets)));
} else {
  print(`doctor: ${result.steps.length} steps in ${result.totalMs} ms`);
  for (const line of lines) print(line);
}
// A DNS lookup cannot be cancelled: do not wait for an abandoned one.
process.exit(result.exitCode);
