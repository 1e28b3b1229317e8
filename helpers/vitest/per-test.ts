// Per-test glue for the e2e project:
// - a failing test prints the tail of every service's log (secrets masked), so the cause is on
//   screen next to the assertion;
// - transient-network retries made during a test are attached to it for the reports.
import { existsSync, readFileSync } from 'node:fs';
import { afterEach, beforeEach, inject } from 'vitest';
import { addMeta, retryLog } from '../report/meta.ts';
import { redact, redactProcessOutput } from '../redact.ts';

const TAIL_LINES = 25;

// What a test writes straight to stdout/stderr in this worker is redacted too (console.* goes
// through vitest to the main process, which redacts it there).
redactProcessOutput(() => inject('stack')?.secrets ?? []);

beforeEach(({ onTestFailed }) => {
  retryLog.length = 0;
  onTestFailed(() => {
    const stack = inject('stack');
    if (!stack) return;
    const parts: string[] = [];
    for (const [service, file] of Object.entries(stack.logFiles)) {
      if (!existsSync(file)) continue;
      const lines = readFileSync(file, 'utf8').trimEnd().split('\n').slice(-TAIL_LINES);
      parts.push(`── ${service} (last ${lines.length} lines of ${file}) ──\n${lines.join('\n')}`);
    }
    if (parts.length) console.error(redact(`service logs at the failure:\n${parts.join('\n')}`, stack.secrets));
  });
});

afterEach(({ task }) => {
  if (retryLog.length) addMeta(task, { retries: retryLog.splice(0) });
});
