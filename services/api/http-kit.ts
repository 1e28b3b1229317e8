// A deliberately small HTTP toolkit on node:http: JSON responses, a JSON body reader that turns
// every client mistake into a named 4xx, and a router. No framework, so nothing answers for us
// with an HTML page or a stack trace.
import type { IncomingMessage, ServerResponse } from 'node:http';

export class HttpError extends Error {
  constructor(
    public readonly status: number,
    public readonly code: string,
    message: string,
    public readonly field?: string,
  ) {
    super(message);
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, contentType = 'application/json'): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': `${contentType}; charset=utf-8`,
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

export function sendError(res: ServerResponse, error: HttpError): void {
  sendJson(res, error.status, {
    error: { code: error.code, message: error.message, ...(error.field ? { field: error.field } : {}) },
  });
}

/** Reads and parses a JSON body, refusing wrong content types, oversize and malformed bodies. */
export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const [rawType, ...params] = (req.headers['content-type'] ?? '').split(';');
  const type = rawType!.trim().toLowerCase();
  if (type !== 'application/json') {
    // Drain so the connection can be reused, but do not keep what was sent.
    req.resume();
    throw new HttpError(415, 'unsupported_media_type', `Content-Type must be application/json, got "${truncate(type, 100) || 'none'}"`);
  }
  // JSON is UTF-8 (RFC 8259); a body declared in another charset would be misread, so it is refused.
  const charset = params.map((p) => p.trim().split('=')).find(([k]) => k!.trim().toLowerCase() === 'charset')?.[1];
  const declaredCharset = charset?.trim().replace(/^"(.*)"$/, '$1').toLowerCase();
  if (declaredCharset !== undefined && declaredCharset !== 'utf-8' && declaredCharset !== 'utf8') {
    req.resume();
    throw new HttpError(415, 'unsupported_charset', `a JSON body must be UTF-8; Content-Type declares charset "${truncate(declaredCharset, 40)}"`);
  }
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    req.resume();
    throw new HttpError(413, 'payload_too_large', `request body is ${declared} bytes; the limit is ${maxBytes}`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > maxBytes) {
        req.resume();
        throw new HttpError(413, 'payload_too_large', `request body exceeds the limit of ${maxBytes} bytes`);
      }
      chunks.push(chunk as Buffer);
    }
  } catch (error) {
    if (error instanceof HttpError) throw error;
    // The client went away, or the server cut a body that took too long (requestTimeout).
    throw new HttpError(400, 'request_aborted', `the request body did not arrive in full (${(error as Error).message})`);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') throw new HttpError(400, 'empty_body', 'request body is empty; expected a JSON object');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, 'malformed_json', `request body is not valid JSON: ${(error as Error).message}`);
  }
}

type Handler = (req: IncomingMessage, res: ServerResponse, params: Record<string, string>) => Promise<void> | void;
interface Route {
  method: string;
  pattern: RegExp;
  keys: string[];
  handler: Handler;
}

export class Router {
  private routes: Route[] = [];

  on(method: string, path: string, handler: Handler): this {
    const keys: string[] = [];
    const pattern = new RegExp(
      '^' + path.replace(/:([a-zA-Z]+)/g, (_, key: string) => (keys.push(key), '([^/]+)')) + '/?$',
    );
    this.routes.push({ method, pattern, keys, handler });
    return this;
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]!;
    const matches = this.routes.filter((r) => r.pattern.test(path));
    if (matches.length === 0) throw new HttpError(404, 'not_found', `no route for ${req.method} ${truncate(path)}`);
    const route = matches.find((r) => r.method === req.method);
    if (!route) {
      const allowed = [...new Set(matches.map((r) => r.method))].join(', ');
      res.setHeader('allow', allowed);
      throw new HttpError(405, 'method_not_allowed', `${req.method} is not allowed on ${truncate(path)}; allowed: ${allowed}`);
    }
    const values = route.pattern.exec(path)!.slice(1);
    const params: Record<string, string> = {};
    route.keys.forEach((key, i) => {
      try {
        params[key] = decodeURIComponent(values[i]!);
      } catch {
        throw new HttpError(400, 'invalid_path', `path parameter ${key} is not valid percent-encoding`, key);
      }
    });
    await route.handler(req, res, params);
  }
}

function truncate(text: string, max = 100): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
