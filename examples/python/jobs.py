"""POST /jobs validation (pure: no I/O) and the job's JSON view. Every client mistake is an HttpError
naming the field; the order of checks follows the reference so both name the same problem first."""
import json
import math
import re

from common import iso

MAX_BODY_BYTES = 64 * 1024
MAX_PAYLOAD_BYTES = 16 * 1024
MAX_DEPTH = 32
JOB_TYPES = ("echo", "sleep", "flaky", "fail", "external")
FIELDS = ("type", "payload", "maxAttempts", "idempotencyKey", "runId")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)
# A NUL or a lone surrogate (json.loads keeps "\ud800" as one) cannot be stored by Postgres.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class HttpError(Exception):
    def __init__(self, status, code, message, field=None):
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field


def compact(value):
    """JSON as JavaScript's JSON.stringify writes it: no spaces, non-ASCII kept as is."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _refuse_constant(name):
    raise ValueError(f"{name} is not valid JSON")


def _bracket_depth_guard(text):
    """json.loads recurses; a 64 KiB body can nest 32 000 levels. Scan brackets first (outside
    strings) and refuse far-too-deep input naming the top-level field, before the parser sees it."""
    depth, in_string, escaped, key_start, last_key, current = 0, False, False, None, None, None
    for i, ch in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
                if depth == 1:
                    last_key = text[key_start:i + 1]
            continue
        if ch == '"':
            in_string, key_start = True, i
        elif ch == ":" and depth == 1 and last_key is not None:
            current = last_key
        elif ch in "[{":
            depth += 1
            if depth > MAX_DEPTH + 50:
                try:
                    field = json.loads(current) if current else "body"
                except ValueError:
                    field = "body"
                raise HttpError(400, "too_deep", f"{field} nests more than {MAX_DEPTH} levels deep", field)
        elif ch in "]}":
            depth -= 1


def parse_body(raw):
    text = raw.decode("utf-8", errors="replace")  # like Buffer.toString: bad bytes become U+FFFD
    if text.strip() == "":
        raise HttpError(400, "empty_body", "request body is empty; expected a JSON object")
    _bracket_depth_guard(text)
    try:
        return json.loads(text, parse_constant=_refuse_constant)  # NaN/Infinity are not JSON
    except (ValueError, RecursionError) as error:
        raise HttpError(400, "malformed_json", f"request body is not valid JSON: {error}") from None


def _check_storable(body):
    """Depth, NUL/surrogates and non-finite numbers (1e400), iteratively: no recursion."""
    for key in body:
        if UNSTORABLE.search(key):
            raise HttpError(400, "unstorable_text", "a field name contains a NUL character or an unpaired surrogate")
    stack = [(value, key, key, 0) for key, value in body.items()]
    while stack:
        value, path, field, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise HttpError(400, "too_deep", f"{field} nests more than {MAX_DEPTH} levels deep", field)
        if isinstance(value, str):
            if UNSTORABLE.search(value):
                raise HttpError(400, "unstorable_text", f"{path} contains a NUL character or an unpaired UTF-16 surrogate, which cannot be stored", field)
        elif isinstance(value, float) and not math.isfinite(value):
            code = "invalid_payload" if field == "payload" else "invalid_field"
            raise HttpError(400, code, f"{path} is a number out of range", field)
        elif isinstance(value, list):
            stack.extend((v, f"{path}[{i}]", field, depth + 1) for i, v in enumerate(value))
        elif isinstance(value, dict):
            for k, v in value.items():
                if UNSTORABLE.search(k):
                    raise HttpError(400, "unstorable_text", f"a key inside {path} contains a NUL character or an unpaired surrogate", field)
                stack.append((v, f"{path}.{k}", field, depth + 1))


def _is_int(value):
    # JSON has one number type: 3 and 3.0 are the same integer; true is not a number.
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and math.isfinite(value) and value.is_integer())


def _string(body, name, low, high):
    value = body.get(name)
    if name not in body:
        return None
    if not isinstance(value, str):
        raise HttpError(400, "invalid_field", f"{name} must be a string", name)
    if len(value) < low:
        raise HttpError(400, "invalid_field", f"{name} must not be empty", name)
    # Length in UTF-16 code units, as the contract's JavaScript model counts characters.
    if len(value.encode("utf-16-le")) // 2 > high:
        raise HttpError(400, "invalid_field", f"{name} must be at most {high} characters", name)
    return value


def _payload_problem(kind, payload):
    """None when `payload` fits the job type, else "where: what"."""
    def strict(allowed):
        if not isinstance(payload, dict):
            return "payload: expected an object"
        extra = [k for k in payload if k not in allowed]
        return f"payload: unknown key {extra[0]}" if extra else None

    def int_in(name, low, high):
        v = payload.get(name)
        if not _is_int(v) or not low <= v <= high:
            return f"payload.{name}: expected an integer from {low} to {high}"
        return None

    if kind == "echo":
        return None
    if kind == "sleep":
        return strict(("ms",)) or int_in("ms", 0, 600_000)
    if kind == "flaky":
        return strict(("failures",)) or int_in("failures", 0, 100)
    if kind == "fail":
        problem = strict(("message",))
        if problem is None and "message" in payload and not (isinstance(payload["message"], str) and len(payload["message"]) <= 1000):
            problem = "payload.message: expected a string of at most 1000 characters"
        return problem
    if kind == "external":
        problem = strict(("ref", "body"))
        ref = payload.get("ref") if problem is None else None
        if problem is None and not (isinstance(ref, str) and 1 <= len(ref) <= 200):
            problem = "payload.ref: expected a string of 1-200 characters"
        return problem
    return "unknown type"


def validate_new_job(body):
    if not isinstance(body, dict):
        raise HttpError(400, "invalid_body", "request body must be a JSON object")
    _check_storable(body)
    if "type" not in body or not isinstance(body["type"], str):
        raise HttpError(400, "invalid_field", "type is required and must be a string", "type")
    max_attempts = body.get("maxAttempts", 3)
    if not _is_int(max_attempts) or not 1 <= max_attempts <= 25:
        raise HttpError(400, "invalid_field", "maxAttempts must be an integer from 1 to 25", "maxAttempts")
    key = _string(body, "idempotencyKey", 1, 200)
    run_id = _string(body, "runId", 1, 100)
    unknown = [k for k in body if k not in FIELDS]
    if unknown:
        raise HttpError(400, "unknown_field", f"unknown field {', '.join(unknown)}; allowed: {', '.join(FIELDS)}", unknown[0])
    kind = body["type"]
    if kind not in JOB_TYPES:
        raise HttpError(400, "unknown_job_type", f'unknown job type "{kind[:50]}"; known types: {", ".join(JOB_TYPES)}', "type")
    payload = body.get("payload")
    size = len(compact(payload).encode("utf-8"))
    if size > MAX_PAYLOAD_BYTES:
        raise HttpError(413, "payload_too_large", f"payload is {size} bytes; the limit is {MAX_PAYLOAD_BYTES}", "payload")
    problem = _payload_problem(kind, payload)
    if problem:
        raise HttpError(400, "invalid_payload", f'{problem} (for a "{kind}" job)', "payload")
    return {"type": kind, "payload": payload, "max_attempts": int(max_attempts), "idempotency_key": key, "run_id": run_id}


def job_view(row, executions=None):
    view = {
        "id": str(row["id"]), "type": row["type"], "state": row["state"], "attempts": row["attempts"],
        "maxAttempts": row["max_attempts"], "payload": row["payload"], "result": row["result"],
        "lastError": row["last_error"], "idempotencyKey": row["idempotency_key"], "runId": row["run_id"],
        "runAfter": iso(row["run_after"]), "lockedBy": row["locked_by"], "lockedUntil": iso(row["locked_until"]),
        "createdAt": iso(row["created_at"]), "updatedAt": iso(row["updated_at"]),
        "startedAt": iso(row["started_at"]), "finishedAt": iso(row["finished_at"]),
    }
    if executions is not None:
        view["executions"] = [
            {"attempt": e["attempt"], "workerId": e["worker_id"], "startedAt": iso(e["started_at"]),
             "finishedAt": iso(e["finished_at"]), "outcome": e["outcome"], "error": e["error"]}
            for e in executions
        ]
    return view
