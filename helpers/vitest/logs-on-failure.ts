// A failing e2e test prints the tail of every service's log, so the cause is on screen next to
// the assertion (secrets masked).
import { existsSync, readFileSync } from 'node:fs';
import { beforeEach, inject } from 'vitest';
import { redact } from '../redact.ts';

const TAIL_LINES = 25;

beforeEach(({ onTestFailed }) => {
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
