// The reference API. Boot: validate configuration (exit 78 naming the variable), then listen on
// API_HOST:PORT. SIGTERM: stop accepting connections, let in-flight requests finish, exit 0.
import http from 'node:http';
import { loadOrExit } from '../shared/env-config.ts';
import { createPool, maskUrl } from '../shared/db.ts';
import { createLogger } from '../shared/log.ts';
import { loadApiConfig } from './config.ts';
import { healthReport, checkDatabase, httpStatusFor } from './health.ts';
import { HttpError, Router, sendError, sendJson } from './http-kit.ts';
import { jobRoutes } from './jobs.ts';

const config = loadOrExit('api', () => loadApiConfig(process.env));
const log = createLogger(config.serviceId);
const pool = createPool(
  { connectionString: config.databaseUrl, max: config.poolMax, applicationName: config.serviceId, queryTimeoutMs: config.queryTimeoutMs, startupStatementTimeout: config.defects.has('startup-statement-timeout') },
  (error) => log.warn(`idle database connection lost: ${error.message}`),
);
const jobs = jobRoutes(pool, config.defects);
if (config.defects.size) log.warn(`TEST DEFECTS ON: ${[...config.defects].join(', ')}`);
const HEALTH_JSON = 'application/health+json';

const router = new Router()
  .on('GET', '/health/live', async (_req, res) => {
    // Defect switch (mutants): liveness that asks the database, so a database outage restarts the API.
    const status = config.defects.has('live-checks-database') ? (await checkDatabase(pool, config)).status : 'pass';
    sendJson(res, httpStatusFor(status), { status, version: config.version, releaseId: config.release.commit, serviceId: config.serviceId }, HEALTH_JSON);
  })
  .on('GET', '/health/ready', async (_req, res) => {
    // Defect switch (mutants): the await forgotten; a pending promise has no status, so 200.
    const database = config.defects.has('ready-missing-await') ? (checkDatabase(pool, config) as unknown as Awaited<ReturnType<typeof checkDatabase>>) : await checkDatabase(pool, config);
    sendJson(res, httpStatusFor(database.status), { status: database.status, serviceId: config.serviceId, checks: { 'postgres:connection': [database] } }, HEALTH_JSON);
  })
  .on('GET', '/health', async (_req, res) => {
    const report = await healthReport(pool, config);
    // Defect switches (mutants): a flipped comparison (warn answers 503 too); the default content type.
    const status = config.defects.has('health-503-on-warn') ? (report.status !== 'pass' ? 503 : 200) : httpStatusFor(report.status);
    sendJson(res, status, report, config.defects.has('health-json-type') ? undefined : HEALTH_JSON);
  })
  .on('POST', '/jobs', jobs.create)
  .on('GET', '/jobs/:id', jobs.get);

const MAX_URL_LENGTH = 2048;
// A request (headers and body) must arrive within API_REQUEST_TIMEOUT_MS (10 s by default): a
// client that trickles a body in cannot hold a connection and a handler for node's default 300 s.
// Checked every second (node's default check runs every 30 s). The reference's choice
// (CONTRACT.md), not a contract rule.
const REQUEST_TIMEOUT_MS = config.requestTimeoutMs;

const server = http.createServer({ requestTimeout: REQUEST_TIMEOUT_MS, headersTimeout: REQUEST_TIMEOUT_MS, connectionsCheckingInterval: 1_000 }, (req, res) => {
  if ((req.url ?? '').length > MAX_URL_LENGTH) {
    req.resume();
    return sendError(res, new HttpError(414, 'uri_too_long', `the URL is ${req.url!.length} characters; the limit is ${MAX_URL_LENGTH}`));
  }
  router.handle(req, res).catch((error: unknown) => {
    if (error instanceof HttpError) {
      if (error.status >= 500) log.warn(`${req.method} ${req.url} → ${error.status} ${error.message}`);
      return sendError(res, error);
    }
    log.error(`${req.method} ${req.url} failed: ${(error as Error)?.stack ?? error}`);
    if (!res.headersSent) sendError(res, new HttpError(500, 'internal_error', 'internal error; see the API log'));
  });
});
server.keepAliveTimeout = 5_000;

// Requests node rejects before they reach a handler (headers too large, garbage): still a JSON error.
server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
  if (!socket.writable) return socket.destroy();
  const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
  const tooSlow = error.code === 'ERR_HTTP_REQUEST_TIMEOUT';
  const body = JSON.stringify({
    error: tooLarge
      ? { code: 'headers_too_large', message: 'request line or headers are too large (limit 16 KiB)' }
      : tooSlow
        ? { code: 'request_timeout', message: `the request did not arrive in full within ${REQUEST_TIMEOUT_MS} ms` }
        : { code: 'bad_request', message: `malformed HTTP request: ${error.code ?? error.message}` },
  });
  socket.end(
    `HTTP/1.1 ${tooLarge ? '431 Request Header Fields Too Large' : tooSlow ? '408 Request Timeout' : '400 Bad Request'}\r\n` +
      `content-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
});

server.on('error', (error: NodeJS.ErrnoException) => {
  log.error(`cannot listen on ${config.listen.host}:${config.listen.port}: ${error.code ?? ''} ${error.message}`);
  process.exit(1);
});

server.listen(config.listen.port, config.listen.host, () => {
  log.info(
    `listening on http://${config.listen.host}:${config.listen.port} (port from ${config.listen.portSource}) ` +
      `release ${config.release.commit} (${config.release.branch}) database ${maskUrl(config.databaseUrl)}`,
  );
});

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info(`${signal}: no new connections; waiting for in-flight requests`);
  const forced = setTimeout(() => {
    log.warn(`in-flight requests still open after ${config.shutdownGraceMs} ms; closing them`);
    server.closeAllConnections();
  }, config.shutdownGraceMs);
  forced.unref();
  server.close(async () => {
    clearTimeout(forced);
    await pool.end().catch(() => undefined);
    log.info('stopped');
    process.exit(0);
  });
  server.closeIdleConnections();
  // Defect switch (mutants): exits without waiting for server.close's callback.
  if (config.defects.has('api-exit-on-sigterm')) process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
