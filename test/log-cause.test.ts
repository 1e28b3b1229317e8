// A diagnosis that can only point at a service's log quotes the line naming the error, even when a
// stack trace (or the runtime's banner) comes after it.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exitDiagnosis, logCause } from '../helpers/diagnose/processes.ts';
import { tempDir } from './support/temp-dir.ts';

const dir = tempDir('log-cause');
const log = (name: string, text: string) => {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
};

describe('the line of a log that names the error', () => {
  it('a node crash: the error message, not the frames and the version banner after it', () => {
    const file = log('node.log', [
      '2024-05-01T10:00:00.000Z info [worker-1] worker worker-1 started: 2 slots',
      'file:///srv/dist/worker/main.mjs:120',
      '        if (defect && !transient) throw error;',
      '                                  ^',
      '',
      'Error: connect ECONNREFUSED 127.0.0.1:6432',
      '    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1555:16)',
      '    at Queue.claim (file:///srv/dist/worker/main.mjs:118:5)',
      '    at async Worker.loop (file:///srv/dist/worker/main.mjs:201:15)',
      '    at async Promise.all (index 0)',
      '',
      'Node.js v24.22.3',
    ].join('\n'));
    expect(logCause(file)).toBe('Error: connect ECONNREFUSED 127.0.0.1:6432');
    const diagnosis = exitDiagnosis('worker-1', file);
    expect(diagnosis).toMatch(/^worker-1 is not running; its log names the error: Error: connect ECONNREFUSED 127\.0\.0\.1:6432\n/);
  });

  it('a config error (exit 78) and a Python traceback', () => {
    expect(logCause(log('cfg.log', 'api: config error: DATABASE_URL: expected a postgres:// or postgresql:// URL; it is not set\n'))).toMatch(/^api: config error: DATABASE_URL/);
    expect(logCause(log('py.log', ['Traceback (most recent call last):', '  File "worker.py", line 10, in <module>', '    main()', 'psycopg.OperationalError: connection refused', ''].join('\n')))).toBe(
      'psycopg.OperationalError: connection refused',
    );
  });

  it('no line naming an error: undefined, and the diagnosis shows the tail', () => {
    const file = log('quiet.log', 'started\nstopped\n');
    expect(logCause(file)).toBeUndefined();
    expect(exitDiagnosis('api', file)).toBe('api is not running; its log ends with:\nstarted\nstopped');
  });
});
