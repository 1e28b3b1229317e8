"""The Python API of CONTRACT.md. Boot: validate configuration (exit 78 naming the variable), then
listen on API_HOST:PORT. SIGTERM/SIGINT: stop accepting, let in-flight requests finish, exit 0.
Stdlib ThreadingHTTPServer with our own request-head reader, so every refusal (414, 431, 4xx) is a
JSON error and never the stdlib's HTML page."""
import io
import os
import re
import signal
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote_to_bytes

from common import Env, iso, log, mask, now_iso

MAX_URL = 2048
MAX_HEAD = 16 * 1024
HEALTH_JSON = "application/health+json"
SIGNAL_NAME = ["SIGTERM"]  # which stop signal arrived, for the log line the suite (and people) look for


def load_config():
    env = Env("api")
    c = {"database_url": env.postgres_url("DATABASE_URL")}
    c["service_id"] = env.text("SERVICE_ID", "api")
    c["version"] = env.text("SERVICE_VERSION", "0.1.0", expected="a version string")
    c["pool_max"] = env.integer("DB_POOL_MAX", 1, 100, 10)
    c["timeout_ms"] = env.integer("DB_QUERY_TIMEOUT_MS", 100, 120_000, 5_000)
    c["warn_ms"] = env.integer("HEALTH_HEARTBEAT_WARN_MS", 1_000, 86_400_000, 30_000)
    c["fail_ms"] = env.integer("HEALTH_HEARTBEAT_FAIL_MS", 1_000, 86_400_000, 120_000)
    c["grace_ms"] = env.integer("SHUTDOWN_GRACE_MS", 0, 300_000, 10_000)
    # The platform's convention: PORT (set by the PaaS) wins, else API_PORT, else 8000.
    c["port"], source = 8000, None
    for name in ("PORT", "API_PORT"):
        raw = env.raw(name)
        if raw is None:
            continue
        source = name
        if raw.isdigit() and 1 <= int(raw) <= 65535:
            c["port"] = int(raw)
        else:
            env.bad(name, "an integer from 1 to 65535", raw)
        break
    env.report(source or "PORT", source is not None, c["port"])
    host = env.raw("API_HOST")
    if host is not None and not all(ch.isalnum() or ch in ".:-[]" for ch in host):
        env.bad("API_HOST", "an address to bind such as 0.0.0.0", host)
    c["host"] = host or "0.0.0.0"
    env.report("API_HOST", host is not None, c["host"])
    if env.ok("HEALTH_HEARTBEAT_WARN_MS", "HEALTH_HEARTBEAT_FAIL_MS") and c["fail_ms"] <= c["warn_ms"]:
        env.problems.append(f'HEALTH_HEARTBEAT_FAIL_MS: expected more than HEALTH_HEARTBEAT_WARN_MS ({c["warn_ms"]}); got "{c["fail_ms"]}"')
    c["release"] = env.release()
    env.no_defects()
    env.done()
    c["settings"] = env.settings
    return c


CONFIG = load_config()
# Imported after the config check, so a config error is reported even without psycopg installed.
from db import Database, DatabaseError, dict_row  # noqa: E402
from jobs import MAX_BODY_BYTES, UUID, HttpError, compact, job_view, parse_body, validate_new_job  # noqa: E402

DB = Database(CONFIG["database_url"], CONFIG["pool_max"], CONFIG["service_id"], CONFIG["timeout_ms"])


def info(message):
    log(CONFIG["service_id"], "info", message)


def warn(message):
    log(CONFIG["service_id"], "warn", message)


def worst(statuses):
    return "fail" if "fail" in statuses else "warn" if "warn" in statuses else "pass"


def check_database():
    """A real round trip through the pooler; its latency is the observed value."""
    started, time_ = time.monotonic(), now_iso()
    try:
        DB.query("SELECT 1")
    except DatabaseError as error:
        return {"componentType": "datastore", "status": "fail", "time": time_, "output": f"database round trip through DATABASE_URL failed: {mask(error)}"}
    return {"componentType": "datastore", "observedValue": round((time.monotonic() - started) * 1000, 1), "observedUnit": "ms", "status": "pass", "time": time_}


def check_workers(database_ok):
    """One entry per worker not stopped that beat within 3 × FAIL, freshest first. A worker's age
    is the older of its beat and its progress: alive but not consuming ages like stopped."""
    time_, warn_ms, fail_ms = now_iso(), CONFIG["warn_ms"], CONFIG["fail_ms"]
    if not database_ok:
        return [{"componentType": "worker", "status": "fail", "time": time_, "output": "could not read worker heartbeats: the database does not answer"}]
    try:
        rows = DB.query(
            """SELECT instance_id, release_commit, branch, jobs_done, started_at,
                      (EXTRACT(EPOCH FROM (now() - last_beat_at)) * 1000)::bigint AS beat_ms,
                      (EXTRACT(EPOCH FROM (now() - coalesce(last_progress_at, now()))) * 1000)::bigint AS stalled_ms
                 FROM worker_heartbeats
                WHERE status <> 'stopped' AND last_beat_at > now() - make_interval(secs => %s::double precision / 1000)
                ORDER BY last_beat_at DESC LIMIT 50""",
            (fail_ms * 3,),
        )
    except DatabaseError as error:
        return [{"componentType": "worker", "status": "fail", "time": time_, "output": f"could not read worker heartbeats: {mask(error)}"}]
    if not rows:
        return [{"componentType": "worker", "status": "fail", "time": time_, "output": f"no worker heartbeat in the last {round(fail_ms * 3 / 1000)} s: no worker is running"}]
    entries = []
    for r in rows:
        beat, stalled = max(0, int(r["beat_ms"])), max(0, int(r["stalled_ms"]))
        age = max(beat, stalled)
        status = "fail" if age >= fail_ms else "warn" if age >= warn_ms else "pass"
        entry = {
            "componentId": r["instance_id"], "componentType": "worker", "observedValue": age, "observedUnit": "ms",
            "status": status, "time": time_, "releaseId": r["release_commit"], "branch": r["branch"],
            "jobsDone": int(r["jobs_done"]), "startedAt": iso(r["started_at"]), "warnAfterMs": warn_ms,
            "failAfterMs": fail_ms, "beatAgeMs": beat, "stalledMs": stalled,
        }
        if status != "pass":
            entry["output"] = (
                f"alive but not consuming: every slot has been busy for {round(stalled / 1000)} s (jobs done: {entry['jobsDone']}); a handler hangs"
                if stalled > beat else f"heartbeat is {round(beat / 1000)} s old: the worker stopped or is stuck"
            )
        entries.append(entry)
    entries.sort(key=lambda e: e["observedValue"])  # freshest first: it speaks for the component
    return entries


def check_config():
    entry = {"componentType": "system", "status": "pass", "time": now_iso(), "settings": CONFIG["settings"]}
    if CONFIG["release"]["commit_source"] is None:
        entry.update(status="warn", output="release identity unknown: set RENDER_GIT_COMMIT or GIT_COMMIT")
    return entry


def health_report():
    database = check_database()
    workers = check_workers(database["status"] == "pass")
    config = check_config()
    return {
        "status": worst([database["status"], workers[0]["status"], config["status"]]),
        "version": CONFIG["version"], "releaseId": CONFIG["release"]["commit"], "branch": CONFIG["release"]["branch"],
        "serviceId": CONFIG["service_id"], "description": "Python API of the job-queue stack (examples/python)",
        "checks": {"postgres:connection": [database], "worker:heartbeat": workers, "config:env": [config]},
    }


def db_call(fn):
    """Any database failure is a 503 the client can act on, never a 500 with a trace."""
    try:
        return fn()
    except DatabaseError as error:
        raise HttpError(503, "database_unavailable", f"the job store is unavailable: {mask(error)}") from None


def create_job(body):
    job = validate_new_job(body)
    params = (job["type"], compact(job["payload"]), job["max_attempts"], job["idempotency_key"], job["run_id"])
    rows = db_call(lambda: DB.query(
        """INSERT INTO jobs (type, payload, max_attempts, idempotency_key, run_id)
           VALUES (%s, %s::jsonb, %s, %s, %s)
           ON CONFLICT (idempotency_key) DO NOTHING RETURNING *""", params))
    if rows:
        return 202, job_view(rows[0]), {}
    # The key exists: the same request again returns the job; a different one is a conflict.
    # jsonb equality in SQL, so key order and number formatting do not matter.
    rows = db_call(lambda: DB.query(
        "SELECT *, (type = %s AND payload = %s::jsonb) AS same FROM jobs WHERE idempotency_key = %s",
        (job["type"], compact(job["payload"]), job["idempotency_key"])))
    if not rows:
        raise HttpError(503, "retry", "the job with this idempotencyKey was removed meanwhile; retry the request")
    if not rows[0]["same"]:
        raise HttpError(409, "idempotency_conflict", f"idempotencyKey is already used by job {rows[0]['id']} with a different type or payload", "idempotencyKey")
    return 200, job_view(rows[0]), {"idempotent-replayed": "true"}


def get_job(job_id):
    if not UUID.match(job_id):
        raise HttpError(400, "invalid_id", f'job id must be a UUID, got "{job_id[:60]}"', "id")

    def read():
        with DB.connection() as conn:
            # One snapshot for the job and its executions.
            with conn.transaction(), conn.cursor(row_factory=dict_row) as cur:
                cur.execute("SELECT * FROM jobs WHERE id = %s::uuid", (job_id,))
                job = cur.fetchone()
                cur.execute("SELECT attempt, worker_id, started_at, finished_at, outcome, error FROM job_executions WHERE job_id = %s::uuid ORDER BY id", (job_id,))
                return job, cur.fetchall()

    job, executions = db_call(read)
    if job is None:
        raise HttpError(404, "job_not_found", f"no job with id {job_id}", "id")
    return 200, job_view(job, executions), {}


ROUTES = [  # (path pattern, method, handler kind)
    ("/health/live", "GET", "live"),
    ("/health/ready", "GET", "ready"),
    ("/health", "GET", "health"),
    ("/jobs", "POST", "create"),
    ("/jobs/:id", "GET", "get"),
]


def strict_unquote(value):
    """Like JavaScript's decodeURIComponent: a stray % or bytes that are not UTF-8 are an error."""
    if re.search(r"%(?![0-9A-Fa-f]{2})", value):
        raise ValueError("broken percent-encoding")
    return unquote_to_bytes(value).decode("utf-8")  # UnicodeDecodeError is a ValueError


def match(pattern, path):
    """Exact segments, ':id' matches one non-empty segment; a trailing slash is allowed."""
    if path.endswith("/") and len(path) > 1:
        path = path[:-1]
    want, got = pattern.split("/"), path.split("/")
    if len(want) != len(got):
        return None
    params = {}
    for w, g in zip(want, got):
        if w.startswith(":"):
            if not g:
                return None
            params[w[1:]] = g
        elif w != g:
            return None
    return params


class Handler(BaseHTTPRequestHandler):
    server_version = "python-api"
    sys_version = ""
    protocol_version = "HTTP/1.1"  # keep-alive, as clients expect
    timeout = 30  # seconds without a byte: an idle keep-alive connection is closed, a stalled body gets 408

    def log_message(self, *args):  # access logs off: the stack logs events, not every request
        pass

    def send_json(self, status, body, content_type="application/json", headers=None):
        data = compact(body).encode("utf-8")
        self.send_response(status)
        self.send_header("content-type", f"{content_type}; charset=utf-8")
        self.send_header("content-length", str(len(data)))
        self.send_header("cache-control", "no-store")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if self.close_connection or self.server.stopping.is_set():
            self.close_connection = True
            self.send_header("connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        self.wfile.flush()

    def send_error(self, code, message=None, explain=None):
        """The stdlib's own refusals (bad request line, too many headers): JSON, connection closed."""
        codes = {414: "uri_too_long", 431: "headers_too_large"}
        self.close_connection = True
        self.send_json(code, {"error": {"code": codes.get(code, "bad_request"), "message": f"malformed HTTP request: {message or code}"}})

    def refuse(self, error):
        body = {"error": {"code": error.code, "message": error.message}}
        if error.field:
            body["error"]["field"] = error.field
        self.send_json(error.status, body, headers=getattr(error, "headers", None))

    def handle(self):
        try:
            super().handle()
        finally:
            self.server.untrack(self)

    def handle_one_request(self):
        """Reads the request head ourselves (request line + headers at most 16 KiB in all), then
        lets the stdlib parse it from memory, then routes every method through one dispatcher."""
        try:
            self.server.track(self, busy=False)
            line = self.rfile.readline(MAX_HEAD + 1)
            if not line:
                self.close_connection = True
                return
            self.server.track(self, busy=True)
            head, size = [], len(line)
            while size <= MAX_HEAD:
                header = self.rfile.readline(MAX_HEAD + 1)
                size += len(header)
                head.append(header)
                if header in (b"\r\n", b"\n", b""):
                    break
            if size > MAX_HEAD:
                self.requestline, self.request_version, self.command = "", "HTTP/1.1", "GET"
                self.close_connection = True
                return self.refuse(HttpError(431, "headers_too_large", f"request line or headers are too large (limit {MAX_HEAD // 1024} KiB)"))
            self.raw_requestline = line
            real_rfile, self.rfile = self.rfile, io.BytesIO(b"".join(head))
            try:
                parsed = self.parse_request()
            finally:
                self.rfile = real_rfile
            if not parsed:
                return
            self._body_consumed = False
            self.dispatch()
            self.wfile.flush()
        except OSError:  # the client went away, or an idle keep-alive connection timed out
            self.close_connection = True
        finally:
            self.server.track(self, busy=False)

    def dispatch(self):
        try:
            if len(self.path) > MAX_URL:
                self.close_connection = True
                raise HttpError(414, "uri_too_long", f"the URL is {len(self.path)} characters; the limit is {MAX_URL}")
            path = self.path.split("?", 1)[0]
            found = [(p, m, kind, params) for p, m, kind in ROUTES if (params := match(p, path)) is not None]
            if not found:
                raise HttpError(404, "not_found", f"no route for {self.command} {path[:100]}")
            route = next((r for r in found if r[1] == self.command), None)
            if route is None:
                allowed = ", ".join(sorted({r[1] for r in found}))
                error = HttpError(405, "method_not_allowed", f"{self.command} is not allowed on {path[:100]}; allowed: {allowed}")
                error.headers = {"allow": allowed}
                raise error
            kind, params = route[2], route[3]
            for key, value in params.items():
                try:
                    params[key] = strict_unquote(value)
                except ValueError:
                    raise HttpError(400, "invalid_path", f"path parameter {key} is not valid percent-encoding", key) from None
            self.route(kind, params)
        except HttpError as error:
            self.drain()
            self.refuse(error)
        except Exception as error:  # a bug: logged with its trace, answered without one
            import traceback
            log(CONFIG["service_id"], "error", f"{self.command} {self.path[:200]} failed: {''.join(traceback.format_exception(error))}")
            self.drain()
            self.refuse(HttpError(500, "internal_error", "internal error; see the API log"))

    def route(self, kind, params):
        if kind == "live":
            return self.send_json(200, {"status": "pass", "version": CONFIG["version"], "releaseId": CONFIG["release"]["commit"], "serviceId": CONFIG["service_id"]}, HEALTH_JSON)
        if kind == "ready":
            database = check_database()
            return self.send_json(503 if database["status"] == "fail" else 200,
                                  {"status": database["status"], "serviceId": CONFIG["service_id"], "checks": {"postgres:connection": [database]}}, HEALTH_JSON)
        if kind == "health":
            report = health_report()
            return self.send_json(503 if report["status"] == "fail" else 200, report, HEALTH_JSON)
        if kind == "create":
            status, body, headers = create_job(self.read_json())
            return self.send_json(status, body, headers=headers)
        if kind == "get":
            status, body, headers = get_job(params["id"])
            return self.send_json(status, body, headers=headers)

    def body_length(self):
        if "chunked" in self.headers.get("transfer-encoding", "").lower():
            return None
        try:
            return max(0, int(self.headers.get("content-length", "0")))
        except ValueError:
            raise HttpError(400, "bad_request", "content-length is not a number") from None

    def read_body(self, limit):
        """The body, or 413 once it passes `limit` (chunked bodies are decoded and counted too)."""
        length = self.body_length()
        if length is not None:
            if length > limit:
                raise HttpError(413, "payload_too_large", f"request body is {length} bytes; the limit is {limit}")
            self._body_consumed = True
            return self.rfile.read(length)
        chunks, size = [], 0
        while True:
            size_line = self.rfile.readline(1024)
            n = int(size_line.split(b";")[0].strip() or b"0", 16)
            if n == 0:
                self._body_consumed = True
                while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(chunks)
            size += n
            if size > limit:
                self.close_connection = True
                raise HttpError(413, "payload_too_large", f"request body exceeds the limit of {limit} bytes")
            chunks.append(self.rfile.read(n))
            self.rfile.readline(1024)

    def drain(self):
        """Reads (and drops) an unread body so the client sees our answer, not a reset; a body far
        larger than any limit is not worth reading: close the connection instead."""
        if getattr(self, "_body_consumed", True):
            return
        self._body_consumed = True
        try:
            length = self.body_length()
        except HttpError:
            length = None
        if length is None or length > 1024 * 1024:
            self.close_connection = True
            return
        self.rfile.read(length)

    def read_json(self):
        raw_type, *params = self.headers.get("content-type", "").split(";")
        content_type = raw_type.strip().lower()
        if content_type != "application/json":
            raise HttpError(415, "unsupported_media_type", f'Content-Type must be application/json, got "{content_type[:100] or "none"}"')
        # JSON is UTF-8 (RFC 8259): a body declared in another charset would be misread.
        for param in params:
            key, _, value = param.partition("=")
            charset = value.strip().strip('"').lower()
            if key.strip().lower() == "charset" and charset not in ("utf-8", "utf8"):
                raise HttpError(415, "unsupported_charset", f'a JSON body must be UTF-8; Content-Type declares charset "{charset[:40]}"')
        try:
            raw = self.read_body(MAX_BODY_BYTES)
        except TimeoutError:  # a body that stops arriving: answer, then close
            self._body_consumed = True
            self.close_connection = True
            raise HttpError(408, "request_timeout", f"the request body stopped arriving for {self.timeout} s") from None
        return parse_body(raw)


class Server(ThreadingHTTPServer):
    daemon_threads = True  # we wait for in-flight requests ourselves, bounded by the grace period
    request_queue_size = 128

    def __init__(self, *args):
        self.stopping = threading.Event()
        self.connections = {}  # handler -> busy
        self.conn_lock = threading.Lock()
        super().__init__(*args)

    def track(self, handler, busy):
        with self.conn_lock:
            self.connections[handler] = busy
            if not busy and self.stopping.is_set():
                # Idle keep-alive connection during shutdown: close it so the client reconnects elsewhere.
                handler.close_connection = True
                try:
                    handler.connection.shutdown(socket.SHUT_RD)
                except OSError:
                    pass

    def untrack(self, handler):
        with self.conn_lock:
            self.connections.pop(handler, None)

    def busy(self):
        with self.conn_lock:
            return sum(1 for b in self.connections.values() if b)


def main():
    Server.address_family = socket.AF_INET6 if ":" in CONFIG["host"] else socket.AF_INET
    try:
        server = Server((CONFIG["host"].strip("[]"), CONFIG["port"]), Handler)
    except OSError as error:
        log(CONFIG["service_id"], "error", f"cannot listen on {CONFIG['host']}:{CONFIG['port']}: {error}")
        sys.exit(1)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda signum, _frame: (SIGNAL_NAME.__setitem__(0, signal.Signals(signum).name), stop.set()))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, name="http")
    thread.start()
    release = CONFIG["release"]
    info(f"listening on http://{CONFIG['host']}:{CONFIG['port']} release {release['commit']} ({release['branch']}) database {mask(CONFIG['database_url'])}")
    while not stop.wait(0.5):
        pass
    server.stopping.set()
    server.shutdown()  # the accept loop ends
    server.socket.close()  # new connections are refused from here
    info(f"{SIGNAL_NAME[0]}: no new connections; waiting for in-flight requests")
    with server.conn_lock:  # idle keep-alive connections: close them now
        for handler, busy in server.connections.items():
            if not busy:
                handler.close_connection = True
                try:
                    handler.connection.shutdown(socket.SHUT_RD)
                except OSError:
                    pass
    deadline = time.monotonic() + CONFIG["grace_ms"] / 1000
    while server.busy() and time.monotonic() < deadline:
        time.sleep(0.02)
    if server.busy():
        warn(f"in-flight requests still open after {CONFIG['grace_ms']} ms; closing them")
    DB.close()
    info("stopped")
    sys.stdout.flush()
    os._exit(0)  # daemon handler threads still blocked on dead sockets must not hold the exit


if __name__ == "__main__":
    main()
