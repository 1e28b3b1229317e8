// Secrets never reach output: passwords inside URLs are masked by shape, and any known secret
// value (generated passwords, API keys) is masked wherever it appears.

import { maskUrlPasswords } from '../services/shared/mask.ts';

export { maskUrlPasswords };

export function redact(text: string, secrets: readonly string[] = []): string {
  let out = maskUrlPasswords(text);
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join('***');
  return out;
}
