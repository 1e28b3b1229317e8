// One-line logs with a timestamp and the service name. Connection strings are masked on the way
// out, so a password in DATABASE_URL cannot reach a log even through an error message.
import { maskUrlPasswords } from '../../contract/mask.ts';

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export function createLogger(service: string, write: (line: string) => void = (l) => process.stdout.write(l)): Logger {
  const emit = (level: string, message: string) =>
    write(`${new Date().toISOString()} ${level} [${service}] ${maskUrlPasswords(message)}\n`);
  return {
    info: (m) => emit('info', m),
    warn: (m) => emit('warn', m),
    error: (m) => emit('error', m),
  };
}
