// The one place that knows how a password sits in a connection string (scheme://user:pw@host).
// Logs, config errors and the suite's reports all mask through it.
const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)[^@\s]*@/gi;

export function maskUrlPasswords(text: string): string {
  return text.replace(URL_PASSWORD, '$1***@');
}
