// One-line logs with a timestamp and the service name. Connection strings are masked on the way
// out, so a password in DATABASE_URL cannot reach a log even through an error message.
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)[^@\s]*@/gi;

export function createLogger(service: string, write: (line: string) => void = (l) => process.stdout.write(l)): Logger {
  const emit = (level: string, message: string) =>
    write(`${new Date().toISOString()} ${level} [${service}] ${message.replace(URL_PASSWORD, '$1***@')}\n`);
  return {
    info: (m) => emit('info', m),
    warn: (m) => emit('warn', m),
    error: (m) => emit('error', m),
  };
}
