"""The Python worker of CONTRACT.md: WORKER_CONCURRENCY claim loops (threads) with an adaptive
poll, lease renewal while a job runs, a heartbeat row, crash recovery of expired leases, and a
graceful stop (finish within SHUTDOWN_GRACE_MS, else release), exit 0.
Every statement is one short implicit transaction through the pooler (see db.py)."""
import json
import os
import signal
import socket
import sys
import threading
import time
import urllib.error
import urllib.request
from urllib.parse import urljoin

from common import Env, log, mask, retry_delay_ms


def load_config():
    env = Env("worker")
    c = {"database_url": env.postgres_url("DATABASE_URL")}
    c["service_id"] = env.text("SERVICE_ID", "worker")
    c["instance_id"] = env.text("WORKER_INSTANCE_ID", f"{socket.gethostname()}-{os.getpid()}", r"[\w.:-]{1,100}", "1-100 letters, digits, . _ : -")
    c["concurrency"] = env.integer("WORKER_CONCURRENCY", 1, 64, 2)
    c["poll_min_ms"] = env.integer("WORKER_POLL_MIN_MS", 1, 10_000, 5)
    c["poll_max_ms"] = env.integer("WORKER_POLL_MAX_MS", 1, 60_000, 50)
    c["lease_ms"] = env.integer("WORKER_LEASE_MS", 500, 3_600_000, 30_000)
    c["heartbeat_ms"] = env.integer("WORKER_HEARTBEAT_MS", 100, 600_000, 5_000)
    c["backoff_base_ms"] = env.integer("JOB_BACKOFF_BASE_MS", 1, 3_600_000, 1_000)
    c["backoff_max_ms"] = env.integer("JOB_BACKOFF_MAX_MS", 1, 86_400_000, 60_000)
    c["pool_max"] = env.integer("DB_POOL_MAX", 1, 100, 4)
    c["timeout_ms"] = env.integer("DB_QUERY_TIMEOUT_MS", 100, 120_000, 5_000)
    c["grace_ms"] = env.integer("SHUTDOWN_GRACE_MS", 0, 300_000, 10_000)
    c["external_url"] = env.http_url("EXTERNAL_API_URL")
    c["external_key"] = env.text("EXTERNAL_API_KEY", None, r".{8,}", "an API key of at least 8 characters", secret=True)
    c["external_timeout_ms"] = env.integer("EXTERNAL_TIMEOUT_MS", 100, 120_000, 5_000)
    c["release"] = env.release()
    env.no_defects()
    if env.ok("WORKER_POLL_MIN_MS", "WORKER_POLL_MAX_MS") and c["poll_max_ms"] < c["poll_min_ms"]:
        env.problems.append(f'WORKER_POLL_MAX_MS: expected at least WORKER_POLL_MIN_MS ({c["poll_min_ms"]}); got "{c["poll_max_ms"]}"')
    if env.ok("JOB_BACKOFF_BASE_MS", "JOB_BACKOFF_MAX_MS") and c["backoff_max_ms"] < c["backoff_base_ms"]:
        env.problems.append(f'JOB_BACKOFF_MAX_MS: expected at least JOB_BACKOFF_BASE_MS ({c["backoff_base_ms"]}); got "{c["backoff_max_ms"]}"')
    if env.ok("EXTERNAL_API_URL", "EXTERNAL_API_KEY") and c["external_url"] and not c["external_key"]:
        env.problems.append("EXTERNAL_API_KEY: expected an API key because EXTERNAL_API_URL is set; it is not set")
    env.done()
    return c


CONFIG = load_config()
from db import Database, DatabaseError  # noqa: E402  (after the config check: see api.py)

ME = CONFIG["instance_id"]
DB = Database(CONFIG["database_url"], max(CONFIG["pool_max"], 2 * CONFIG["concurrency"] + 2), f"{CONFIG['service_id']}:{ME}", CONFIG["timeout_ms"])
LEASE_S = CONFIG["lease_ms"] / 1000


def info(m):
    log(ME, "info", m)


def warn(m):
    log(ME, "warn", m)


def error(m):
    log(ME, "error", m)


# ---- the queue's SQL -------------------------------------------------------------------------

CLAIM = """
WITH next AS (
  SELECT id FROM jobs
   WHERE (state IN ('queued', 'retrying') AND run_after <= now())
      OR (state = 'running' AND locked_until < now() AND attempts < max_attempts)
   ORDER BY run_after
   LIMIT 1
   FOR UPDATE SKIP LOCKED
), claimed AS (
  UPDATE jobs j
     SET state = 'running', attempts = j.attempts + 1, locked_by = %(me)s,
         locked_until = now() + make_interval(secs => %(lease_ms)s::double precision / 1000),
         started_at = coalesce(j.started_at, now()), updated_at = now()
    FROM next WHERE j.id = next.id
  RETURNING j.id, j.type, j.payload, j.attempts, j.max_attempts
), abandoned AS (
  -- A previous attempt still open means its worker died holding the lease: close it, so the
  -- double run is explained in executions.
  UPDATE job_executions e
     SET finished_at = now(), outcome = 'failed', error = 'lease expired: the worker stopped responding (crashed or killed)'
    FROM claimed WHERE e.job_id = claimed.id AND e.finished_at IS NULL
), execution AS (
  INSERT INTO job_executions (job_id, attempt, worker_id)
  SELECT id, attempts, %(me)s FROM claimed
  RETURNING id
)
SELECT claimed.*, execution.id AS execution_id FROM claimed, execution"""

# Outcome writes check locked_by: a worker that lost its lease cannot overwrite the result.
SUCCEED = """
WITH done AS (
  UPDATE jobs SET state = 'succeeded', result = %(result)s::jsonb, locked_by = NULL, locked_until = NULL,
                  finished_at = now(), updated_at = now()
   WHERE id = %(id)s AND locked_by = %(me)s AND state = 'running'
  RETURNING id
), closed AS (
  UPDATE job_executions SET finished_at = now(), outcome = 'succeeded'
   WHERE id = %(execution_id)s AND finished_at IS NULL
)
SELECT EXISTS (SELECT 1 FROM done) AS held"""

FAIL = """
WITH failed AS (
  UPDATE jobs
     SET state = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'retrying' END,
         last_error = %(message)s, locked_by = NULL, locked_until = NULL, updated_at = now(),
         run_after = now() + make_interval(secs => %(delay_ms)s::double precision / 1000),
         finished_at = CASE WHEN attempts >= max_attempts THEN now() END
   WHERE id = %(id)s AND locked_by = %(me)s AND state = 'running'
  RETURNING state
), closed AS (
  UPDATE job_executions SET finished_at = now(), outcome = 'failed', error = %(message)s
   WHERE id = %(execution_id)s AND finished_at IS NULL
)
SELECT (SELECT state FROM failed) AS state"""

# On shutdown: back to queued/retrying, the attempt given back, the execution marked released.
RELEASE = """
WITH released AS (
  UPDATE jobs SET state = CASE WHEN attempts - 1 > 0 THEN 'retrying' ELSE 'queued' END,
                  attempts = attempts - 1, locked_by = NULL, locked_until = NULL,
                  run_after = now(), updated_at = now()
   WHERE id = %(id)s AND locked_by = %(me)s AND state = 'running'
  RETURNING id
)
UPDATE job_executions SET finished_at = now(), outcome = 'released', error = 'worker shut down'
 WHERE id = %(execution_id)s AND EXISTS (SELECT 1 FROM released)"""

EXTEND = """
UPDATE jobs SET locked_until = now() + make_interval(secs => %(lease_ms)s::double precision / 1000)
 WHERE id = %(id)s AND locked_by = %(me)s AND state = 'running'"""

# Jobs whose worker died on their last attempt: nobody may claim them again, so they are dead.
BURY = """
WITH buried AS (
  UPDATE jobs SET state = 'dead', locked_by = NULL, locked_until = NULL, finished_at = now(), updated_at = now(),
         last_error = 'lease expired on the last attempt (held by ' || coalesce(locked_by, '?') || '): the worker stopped or crashed mid-job'
   WHERE state = 'running' AND locked_until < now() AND attempts >= max_attempts
  RETURNING id
), closed AS (
  UPDATE job_executions e SET finished_at = now(), outcome = 'failed', error = 'lease expired on the last attempt'
    FROM buried WHERE e.job_id = buried.id AND e.finished_at IS NULL
)
SELECT count(*)::int AS n FROM buried"""

HEARTBEAT_START = """
INSERT INTO worker_heartbeats (instance_id, service, release_commit, branch, started_at, last_beat_at,
                               jobs_done, jobs_failed, running_jobs, last_progress_at, status)
VALUES (%(me)s, %(service)s, %(commit)s, %(branch)s, now(), now(), 0, 0, 0, now(), 'running')
ON CONFLICT (instance_id) DO UPDATE
  SET service = EXCLUDED.service, release_commit = EXCLUDED.release_commit, branch = EXCLUDED.branch,
      started_at = now(), last_beat_at = now(), jobs_done = 0, jobs_failed = 0, running_jobs = 0,
      last_progress_at = now(), status = 'running'"""

HEARTBEAT = """
UPDATE worker_heartbeats
   SET last_beat_at = now(), jobs_done = %(done)s, jobs_failed = %(failed)s, running_jobs = %(running)s,
       last_progress_at = now() - make_interval(secs => %(progress_age_ms)s::double precision / 1000),
       status = %(status)s
 WHERE instance_id = %(me)s"""


# ---- job types -------------------------------------------------------------------------------

class Aborted(Exception):
    pass


def run_handler(job, abort):
    kind, payload, attempt = job["type"], job["payload"], job["attempts"]
    if kind == "echo":
        return payload
    if kind == "sleep":
        if abort.wait(payload["ms"] / 1000):
            raise Aborted("aborted: worker shutting down")
        return {"sleptMs": payload["ms"]}
    if kind == "flaky":
        if attempt <= payload["failures"]:
            raise RuntimeError(f"flaky: planned failure {attempt} of {payload['failures']}")
        return {"succeededOnAttempt": attempt}
    if kind == "fail":
        raise RuntimeError(payload.get("message") or f"fail: planned failure on attempt {attempt}")
    if kind == "external":
        return call_external(job, payload)
    raise RuntimeError(f'unknown job type "{kind}": this worker cannot run it')


def call_external(job, payload):
    if not CONFIG["external_url"]:
        raise RuntimeError("external: EXTERNAL_API_URL is not set on this worker")
    url = urljoin(CONFIG["external_url"], "/v1/messages")
    body = json.dumps({"ref": payload["ref"], "body": payload.get("body")}, separators=(",", ":"), ensure_ascii=False).encode()
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "content-type": "application/json", "x-api-key": CONFIG["external_key"], "x-request-id": f"{job['id']}/{job['attempts']}"})
    try:
        with urllib.request.urlopen(request, timeout=CONFIG["external_timeout_ms"] / 1000) as response:
            status, text = response.status, response.read().decode("utf-8", errors="replace")
    except urllib.error.HTTPError as answer:  # non-2xx: the attempt fails with what it said
        text = answer.read().decode("utf-8", errors="replace")
        raise RuntimeError(f"external: {url} answered {answer.code} {text[:200]}") from None
    except (urllib.error.URLError, OSError) as failure:
        raise RuntimeError(f"external: {url} failed: {getattr(failure, 'reason', failure)}") from None
    try:
        return {"status": status, "response": json.loads(text)}
    except ValueError:
        return {"status": status, "response": text[:1000]}


# ---- the runtime -----------------------------------------------------------------------------

class Running:
    def __init__(self, job):
        self.job = job
        self.abort = threading.Event()
        self.settled = threading.Lock()  # the outcome write and a shutdown release exclude each other
        self.done = threading.Event()
        self.released = False
        self.recorded = False


class Worker:
    def __init__(self):
        self.lock = threading.Lock()
        self.running = set()
        self.done = self.failed = 0
        self.last_progress = time.monotonic()  # last moment a slot was free
        self.stopping = threading.Event()  # also cuts idle waits short
        self.slots = []

    def params(self, job, **extra):
        return {"me": ME, "id": str(job["id"]), "execution_id": job["execution_id"], **extra}

    # heartbeat
    def beat(self, status="running"):
        with self.lock:
            busy = len(self.running)
            all_busy = busy >= CONFIG["concurrency"]
            # With every slot busy since last_progress, the worker is alive but not consuming.
            progress_age = (time.monotonic() - self.last_progress) * 1000 if all_busy else 0
            done, failed = self.done, self.failed
        DB.query(HEARTBEAT, {"me": ME, "done": done, "failed": failed, "running": busy, "progress_age_ms": progress_age, "status": status})

    def heartbeat_loop(self):
        while not self.stopping.wait(CONFIG["heartbeat_ms"] / 1000):
            try:
                self.beat()
                buried = DB.query(BURY)[0]["n"]
                if buried:
                    warn(f"{buried} job(s) dead: lease expired on their last attempt")
            except DatabaseError as failure:
                warn(f"heartbeat failed: {failure}")

    # claim loop
    def slot_loop(self, slot):
        idle_ms = CONFIG["poll_min_ms"]
        while not self.stopping.is_set():
            with self.lock:
                self.last_progress = time.monotonic()
            try:
                rows = DB.query(CLAIM, {"me": ME, "lease_ms": CONFIG["lease_ms"]})
            except DatabaseError as failure:
                warn(f"slot {slot}: claim failed: {failure}")
                self.stopping.wait(CONFIG["poll_max_ms"] * 10 / 1000)
                continue
            if not rows:
                self.stopping.wait(idle_ms / 1000)
                idle_ms = min(CONFIG["poll_max_ms"], idle_ms * 2)
                continue
            idle_ms = CONFIG["poll_min_ms"]
            entry = Running(rows[0])
            if self.stopping.is_set():  # claimed just as the stop began: hand it straight back
                self.release(entry)
                break
            self.run(entry)

    def run(self, entry):
        job = entry.job
        with self.lock:
            self.running.add(entry)
        renew_stop = threading.Event()

        def renew():  # every third of the lease, while the job runs
            while not renew_stop.wait(max(0.1, LEASE_S / 3)):
                try:
                    DB.query(EXTEND, self.params(job, lease_ms=CONFIG["lease_ms"]))
                except DatabaseError as failure:
                    warn(f"lease renewal for {job['id']} failed: {failure}")

        renewer = threading.Thread(target=renew, daemon=True, name=f"lease-{job['id']}")
        renewer.start()
        result, failure = None, None
        try:
            result = run_handler(job, entry.abort)
        except Exception as caught:  # a handler's failure is the job's, not the worker's
            failure = caught
        finally:
            renew_stop.set()
        try:
            if not entry.abort.is_set():
                self.record(entry, result, failure)
        finally:
            with self.lock:
                self.running.discard(entry)
            entry.done.set()

    def record(self, entry, result, failure):
        """Writes the outcome, retrying while the database is away, until the lease would expire."""
        job = entry.job
        deadline = time.monotonic() + LEASE_S
        wait = 0.05
        with entry.settled:
            if entry.released:
                return
            entry.recorded = True
            while True:
                try:
                    if failure is not None:
                        delay = retry_delay_ms(job["attempts"], CONFIG["backoff_base_ms"], CONFIG["backoff_max_ms"])
                        message = str(failure)[:2000] or type(failure).__name__
                        state = DB.query(FAIL, self.params(job, message=message, delay_ms=delay))[0]["state"] or "lost"
                        with self.lock:
                            self.failed += 1
                        expected = "dead" if job["attempts"] >= job["max_attempts"] else "retrying"
                        if state not in ("lost", expected):
                            error(f"job {job['id']}: store moved it to {state}, the state model says {expected}")
                        info(f"job {job['id']} ({job['type']}) attempt {job['attempts']}/{job['max_attempts']} failed -> {state}: {message}")
                    else:
                        result_json = json.dumps(result, separators=(",", ":"), ensure_ascii=False)
                        held = DB.query(SUCCEED, self.params(job, result=result_json))[0]["held"]
                        with self.lock:
                            self.done += 1
                        if not held:
                            warn(f"job {job['id']} finished after its lease passed to another worker; result not stored")
                    return
                except DatabaseError as failure_to_write:
                    if time.monotonic() + wait > deadline:
                        error(f"could not record the outcome of job {job['id']}: {failure_to_write}; its lease will expire")
                        return
                    warn(f"recording job {job['id']} failed: {failure_to_write}; retrying")
                    time.sleep(wait)
                    wait = min(wait * 2, 2.0)

    def release(self, entry):
        with entry.settled:
            if entry.recorded:
                return  # its outcome is already written
            entry.released = True
            try:
                DB.query(RELEASE, self.params(entry.job))
                warn(f"released job {entry.job['id']} (attempt {entry.job['attempts']}) unfinished")
            except DatabaseError as failure:
                error(f"could not release job {entry.job['id']}: {failure}; its lease will expire")

    def start(self):
        # The database may not answer yet (pooler still starting): retry the first heartbeat.
        for attempt in range(1, 31):
            try:
                release = CONFIG["release"]
                DB.query(HEARTBEAT_START, {"me": ME, "service": CONFIG["service_id"], "commit": release["commit"], "branch": release["branch"]})
                break
            except DatabaseError as failure:
                if attempt == 30:
                    error(f"giving up: the database stayed unreachable: {failure}")
                    sys.stdout.flush()
                    os._exit(1)
                warn(f"cannot reach the database through {mask(CONFIG['database_url'])} ({failure}); retry {attempt}/30")
                time.sleep(min(0.2 * attempt, 2.0))
        self.heartbeat_thread = threading.Thread(target=self.heartbeat_loop, daemon=True, name="heartbeat")
        self.heartbeat_thread.start()
        for slot in range(CONFIG["concurrency"]):
            thread = threading.Thread(target=self.slot_loop, args=(slot,), daemon=True, name=f"slot-{slot}")
            thread.start()
            self.slots.append(thread)
        info(f"worker {ME} started: {CONFIG['concurrency']} slots, release {CONFIG['release']['commit']} ({CONFIG['release']['branch']}) database {mask(CONFIG['database_url'])}")

    def stop(self, signame):
        """Stop claiming; wait up to the grace period for running jobs; release the rest."""
        info(f"{signame}: stopping")
        self.stopping.set()
        try:
            self.beat("stopping")
        except DatabaseError:
            pass
        with self.lock:
            in_flight = list(self.running)
        if in_flight:
            info(f"stopping: waiting up to {CONFIG['grace_ms']} ms for {len(in_flight)} running job(s)")
        deadline = time.monotonic() + CONFIG["grace_ms"] / 1000
        for entry in in_flight:
            entry.done.wait(max(0.0, deadline - time.monotonic()))
        with self.lock:
            left = [e for e in self.running if not e.done.is_set()]
        for entry in left:
            entry.abort.set()
            self.release(entry)
        for thread in self.slots:  # they end at once: idle waits are cut, aborted jobs skip recording
            thread.join(timeout=2)
        # A periodic beat under way says "running": it lands before "stopped", not after it (then
        # /health would list this worker again). Bounded: in an outage it waits on its own timeouts.
        if getattr(self, "heartbeat_thread", None):
            self.heartbeat_thread.join(timeout=5)
        try:
            self.beat("stopped")
        except DatabaseError as failure:
            warn(f"could not mark the heartbeat stopped: {failure}")
        DB.close()
        info("stopped")


def main():
    worker = Worker()
    stop = threading.Event()
    signame = ["SIGTERM"]

    def on_signal(signum, _frame):
        signame[0] = signal.Signals(signum).name
        stop.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, on_signal)
    worker.start()
    while not stop.wait(0.5):
        pass
    worker.stop(signame[0])
    sys.stdout.flush()
    os._exit(0)  # a handler thread still inside an external call must not hold the exit


if __name__ == "__main__":
    main()
