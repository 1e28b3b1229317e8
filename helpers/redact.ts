// Secrets never reach output: passwords inside URLs are masked by shape, and any known secret
// value (generated passwords, API keys) is masked wherever it appears.

const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)[^@\s]*@/gi;

export function maskUrlPasswords(text: string): string {
  return text.replace(URL_PASSWORD, '$1***@');
}

export function redact(text: string, secrets: readonly string[] = []): string {
  let out = maskUrlPasswords(text);
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join('***');
  return out;
}
