// Secrets never reach output. One redactor for every output of every entry point (console under
// `npm test` and `npm run e2e*`, reporters, JUnit, results.json, summary.md, the step summary, stack
// logs). Two ways, both always on:
//
// - by shape, whatever the value and its length: the password in a URL's userinfo (the last `@`
//   before the host, so an unencoded `@` in the password is covered), secret query parameters
//   (`?password=`, `sslpassword`, `token`, `api_key`…), `Authorization: Basic|Bearer …`,
//   `x-api-key: …`, and `password=` / `"password": "…"` pairs;
// - by value, for the run's known secrets (generated passwords, API keys, the passwords inside the
//   profile's URLs, secret-named environment variables), in each form a value takes on its way out:
//   raw, URL-encoded (both flavours), JSON-escaped (once and twice), XML/HTML-escaped, and base64
//   (at each of the three byte alignments, so a secret inside `base64(user:password)` is found too).
//
// Short values: a form of 4 or more characters is masked wherever it occurs. A form of 1–3
// characters is masked only as a whole token (not next to a letter or digit): masking "ab" inside
// every word would make the output unreadable, while the shapes above still catch such a password
// where it actually sits (a URL, a header, a key=value pair). Base64 forms are used from 4
// characters of secret up. The cost, documented: a 1–3 character password also hides the same
// standalone token elsewhere in the output (a password "1" turns "1 failed" into "*** failed").

import { maskUrlPasswords } from '../contract/mask.ts';

export { maskUrlPasswords };

export const MASK = '***';
/** From this many characters a form is masked anywhere; shorter forms only as whole tokens. */
export const MIN_ANYWHERE = 4;

const SECRET_PARAM = '(?:password|passwd|pwd|pass|sslpassword|sslkey|secret|client_secret|token|access_token|refresh_token|api_key|apikey|api-key|key|sig|signature)';
const SHAPES: [RegExp, string][] = [
  // ?password=… &token=… (up to the next parameter, fragment or whitespace)
  [new RegExp(`([?&;]${SECRET_PARAM}=)[^&#\\s"]*`, 'gi'), `$1${MASK}`],
  // Authorization: Basic …, Bearer …
  [/(\b(?:proxy-)?authorization\\?["']?\s*[:=]\s*\\?["']?(?:basic|bearer|token|digest)\s+)[^\s"'\\,;]+/gi, `$1${MASK}`],
  // x-api-key: …
  [/(\bx-api-key\\?["']?\s*[:=]\s*\\?["']?)[^\s"'\\,;]+/gi, `$1${MASK}`],
  // password=…, PGPASSWORD=…, api_key=… (no space around '=': prose such as "password: wrong" is left alone)
  [/(\b[A-Za-z_]*(?:password|passwd|secret|api[_-]?key)=)(?!\*\*\*)[^\s"'&;,]+/gi, `$1${MASK}`],
  // "password": "…" in JSON (the value up to its closing quote, escapes included)
  [/("[A-Za-z_]*(?:password|passwd|secret|api[_-]?key)"\s*:\s*")(?!\*\*\*")(?:[^"\\]|\\.)*/gi, `$1${MASK}`],
];

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
const jsonInner = (s: string) => JSON.stringify(s).slice(1, -1);

/** The parts of base64(x + secret + y) that depend only on the secret, for each alignment. */
export function base64Fragments(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const out: string[] = [];
  for (const k of [0, 1, 2]) {
    const n = k + bytes.length;
    const encoded = Buffer.concat([Buffer.alloc(k), bytes]).toString('base64');
    const skip = [0, 2, 3][k]!;
    const keep = 4 * Math.floor(n / 3) + [0, 1, 2][n % 3]!;
    const fragment = encoded.slice(skip, keep);
    out.push(fragment, fragment.replace(/\+/g, '-').replace(/\//g, '_')); // base64url too
  }
  return out;
}

/** Every form a secret value may take in output. */
export function secretForms(secret: string): string[] {
  const forms = new Set<string>([secret]);
  try {
    const decoded = decodeURIComponent(secret);
    forms.add(decoded);
  } catch {
    /* not percent-encoded */
  }
  for (const s of [...forms]) {
    forms.add(encodeURIComponent(s));
    forms.add(encodeURIComponent(s).replace(/%20/g, '+'));
    forms.add(encodeURI(s));
    forms.add(jsonInner(s));
    forms.add(jsonInner(jsonInner(s)));
    forms.add(xmlEscape(s));
    forms.add(xmlEscape(jsonInner(s)));
    if (s.length >= MIN_ANYWHERE) for (const f of base64Fragments(s)) if (f.length >= MIN_ANYWHERE) forms.add(f);
  }
  forms.delete('');
  return [...forms];
}

interface Matcher {
  pattern: RegExp;
}
const cache = new Map<string, Matcher[]>();

function matchersFor(secrets: readonly string[]): Matcher[] {
  const key = secrets.join('\u0000');
  const hit = cache.get(key);
  if (hit) return hit;
  const forms = [...new Set(secrets.filter(Boolean).flatMap(secretForms))].sort((a, b) => b.length - a.length);
  const matchers = forms.map((f) => ({
    pattern: f.length >= MIN_ANYWHERE ? new RegExp(escapeRegExp(f), 'g') : new RegExp(`(?<![A-Za-z0-9])${escapeRegExp(f)}(?![A-Za-z0-9])`, 'g'),
  }));
  if (cache.size > 50) cache.clear();
  cache.set(key, matchers);
  return matchers;
}

/**
 * Masks the known secrets (every form) and, unless `shapes: false`, every secret-shaped part. Use
 * shapes: false on serialised JSON whose values were already redacted (a shape could run past a
 * closing quote there).
 */
export function redact(text: string, secrets: readonly string[] = [], options: { shapes?: boolean } = {}): string {
  let out = text;
  for (const { pattern } of matchersFor(secrets)) out = out.replace(pattern, MASK);
  if (options.shapes === false) return out;
  out = maskUrlPasswords(out);
  for (const [pattern, replacement] of SHAPES) out = out.replace(pattern, replacement);
  return out;
}

/** A copy of a JSON-able value with every string (and key) redacted: redact before JSON.stringify. */
export function redactDeep<T>(value: T, secrets: readonly string[] = []): T {
  if (typeof value === 'string') return redact(value, secrets) as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, secrets)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [redact(k, secrets), redactDeep(v, secrets)])) as T;
  }
  return value;
}

const SECRET_QUERY_NAMES = new RegExp(`^${SECRET_PARAM}$`, 'i');

/** The secrets inside a URL: the userinfo password and secret query parameters, decoded and as written. */
export function urlSecrets(url: string | undefined): string[] {
  if (!url) return [];
  const out = new Set<string>();
  // As written: the last '@' before the host ends the userinfo (an unencoded '@' in the password).
  const written = /^[a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:([^\s/?#]*)@/i.exec(url);
  if (written?.[1]) out.add(written[1]);
  for (const m of url.matchAll(new RegExp(`[?&;]${SECRET_PARAM}=([^&#\\s]*)`, 'gi'))) if (m[1]) out.add(m[1]);
  try {
    const parsed = new URL(url);
    if (parsed.password) out.add(parsed.password);
    for (const [name, value] of parsed.searchParams) if (SECRET_QUERY_NAMES.test(name) && value) out.add(value);
  } catch {
    /* not parseable: the forms as written are all there is */
  }
  for (const s of [...out]) {
    try {
      out.add(decodeURIComponent(s));
    } catch {
      /* keep as written */
    }
  }
  return [...out].filter(Boolean);
}

const SECRET_VAR = /(^|_)(PASSWORD|PASSWD|PASS|SECRET|TOKEN|API_KEY|APIKEY|PRIVATE_KEY|ACCESS_KEY|SECRET_KEY)$|PASSWORD/i;

/** Secrets the environment carries: secret-named variables, and the secrets of every URL-valued one. */
export function envSecrets(env: NodeJS.ProcessEnv = process.env): string[] {
  const out: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (!value) continue;
    if (SECRET_VAR.test(name)) out.push(value.trim());
    if (value.includes('://')) out.push(...urlSecrets(value.trim()));
  }
  return [...new Set(out.filter(Boolean))];
}

/** Secrets of a target profile: the passwords in its URLs (API, database, checker). */
export function profileUrlSecrets(profile: Record<string, unknown>): string[] {
  return Object.entries(profile)
    .filter(([name, value]) => /URL$/.test(name) && typeof value === 'string')
    .flatMap(([, value]) => urlSecrets(value as string));
}

const HOOK = Symbol.for('pooler-queue-e2e.redacting-output');
type Holder = Record<symbol, { sources: (() => readonly string[])[] } | undefined>;

/**
 * Every byte this process writes to stdout and stderr passes through the redactor from now on
 * (once per process; later calls add sources of secrets). Used by the vitest main process (the
 * console under `npm test`: reporters, errors, test logs), by the test workers and by each script.
 */
export function redactProcessOutput(secrets: () => readonly string[] = () => []): void {
  const holder = globalThis as unknown as Holder;
  if (holder[HOOK]) {
    holder[HOOK]!.sources.push(secrets);
    return;
  }
  const state = (holder[HOOK] = { sources: [() => envSecrets(), secrets] });
  const known = () => [...new Set(state.sources.flatMap((s) => s()))];
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) || chunk instanceof Uint8Array ? Buffer.from(chunk).toString('utf8') : chunk;
      return write(typeof text === 'string' ? redact(text, known()) : text, ...rest);
    }) as typeof stream.write;
  }
}
