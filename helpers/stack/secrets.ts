// The secrets a stack creates or is given, in one place: generated passwords and keys, and the
// password inside a connection string (as written and decoded), so redaction can mask them.
import { randomBytes } from 'node:crypto';

export const newSecret = (): string => randomBytes(12).toString('hex');

/** The password of a connection string, decoded and as written; [] when it has none. */
export function urlPasswords(url: string | undefined): string[] {
  if (!url) return [];
  try {
    const raw = new URL(url).password;
    if (!raw) return [];
    const decoded = decodeURIComponent(raw);
    return decoded === raw ? [raw] : [decoded, raw];
  } catch {
    return [];
  }
}
