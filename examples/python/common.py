"""Shared pieces of the Python API and worker: configuration from the environment (exit 78 with one
line per bad variable), release identity, URL-password masking, one-line logs, retry backoff.
Only the standard library here, so a config error is reported even before psycopg is imported."""
import os
import random
import re
import sys
from datetime import datetime, timezone
from urllib.parse import urlsplit

EX_CONFIG = 78  # sysexits.h: configuration error

# scheme://user:password@host -> scheme://user:***@host (the one place that knows the shape).
_URL_PASSWORD = re.compile(r"([a-z][a-z0-9+.-]*://[^:/@\s]*:)[^@\s]*@", re.IGNORECASE)


def mask(text):
    return _URL_PASSWORD.sub(r"\1***@", str(text))


def log(service, level, message):
    """`ISO-time level [service] message`, masked, flushed at once (stdout is a pipe in the stack)."""
    now = datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    sys.stdout.write(f"{now} {level} [{service}] {mask(message)}\n")
    sys.stdout.flush()


def iso(dt):
    """Timestamps in JSON the way the reference (JavaScript) writes them: UTC, milliseconds, Z."""
    if dt is None:
        return None
    return dt.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def now_iso():
    return iso(datetime.now(timezone.utc))


class Env:
    """Reads and validates settings, collecting every problem before exiting, and remembers where
    each value came from (env or default) for /health's config:env check."""

    SECRET_NAME = re.compile(r"PASSWORD|SECRET|KEY|TOKEN", re.IGNORECASE)

    def __init__(self, service, environ=None):
        self.service = service
        self.environ = os.environ if environ is None else environ
        self.problems = []
        self.settings = []

    def raw(self, name):
        # Empty strings count as unset: platforms often render an unset variable as "".
        value = self.environ.get(name)
        return None if value is None or value.strip() == "" else value.strip()

    def shown(self, name, value):
        if self.SECRET_NAME.search(name):
            return "***"
        if "URL" in name:
            return mask(value)
        return value if len(value) <= 60 else value[:57] + "..."

    def bad(self, name, expected, value):
        got = "it is not set" if value is None else f'got "{self.shown(name, value)}"'
        self.problems.append(f"{name}: expected {expected}; {got}")

    def report(self, name, from_env, value, secret=False):
        entry = {"name": name, "source": "env" if from_env else "default", "secret": secret}
        if not secret and value is not None:
            entry["value"] = str(value)
        self.settings.append(entry)

    def postgres_url(self, name):
        value = self.raw(name)
        ok = value is not None and re.match(r"^postgres(ql)?://[^/]+", value)
        if ok:
            try:
                urlsplit(value).port  # raises on a malformed port
            except ValueError:
                ok = False
        if not ok:
            self.bad(name, "a postgres:// or postgresql:// URL", value)
        self.report(name, value is not None, None, secret=True)
        return value

    def http_url(self, name):
        value = self.raw(name)
        if value is not None and not re.match(r"^https?://[^/\s]+", value):
            self.bad(name, "an http:// or https:// URL", value)
        self.report(name, value is not None, value)
        return value

    def integer(self, name, low, high, default):
        value = self.raw(name)
        result = default
        if value is not None:
            if re.fullmatch(r"-?\d+", value) and low <= int(value) <= high:
                result = int(value)
            else:
                self.bad(name, f"an integer from {low} to {high}", value)
        self.report(name, value is not None, result)
        return result

    def text(self, name, default, pattern=r".{1,100}", expected="a name of 1-100 characters", secret=False):
        value = self.raw(name)
        if value is not None and not re.fullmatch(pattern, value):
            self.bad(name, expected, value)
        result = value if value is not None else default
        self.report(name, value is not None, result, secret=secret)
        return result

    def no_defects(self):
        """E2E_DEFECTS is the reference services' test-only switch; this implementation has none,
        and (like the reference) refuses any value in production so a stray variable is loud."""
        value = self.raw("E2E_DEFECTS")
        if value is None:
            return
        if self.raw("NODE_ENV") == "production":
            self.problems.append("E2E_DEFECTS: refused when NODE_ENV=production (defect switches are for the test catalogue only); unset it")
        else:
            self.bad("E2E_DEFECTS", "it unset: the Python services have no test defect switches", value)

    def release(self):
        """RENDER_GIT_* (set by Render), else GIT_*, else "unknown": never invented."""
        identity = {}
        for key, names in (("commit", ("RENDER_GIT_COMMIT", "GIT_COMMIT")), ("branch", ("RENDER_GIT_BRANCH", "GIT_BRANCH"))):
            found = next(((n, self.raw(n)) for n in names if self.raw(n)), None)
            identity[key] = found[1] if found else "unknown"
            identity[key + "_source"] = found[0] if found else None
            self.report(found[0] if found else names[1], found is not None, identity[key])
        return identity

    def ok(self, *names):
        """True when none of `names` was reported bad: cross-checks need valid values."""
        return not any(p.startswith(f"{n}:") for p in self.problems for n in names)

    def done(self):
        """Exit 78 with one line per bad variable; never a stack trace."""
        if self.problems:
            for line in self.problems:
                sys.stderr.write(f"{self.service}: config error: {line}\n")
            sys.stderr.flush()
            sys.exit(EX_CONFIG)


def retry_delay_ms(attempt, base_ms, max_ms):
    """Equal jitter: d = min(max, base * 2^(n-1)), then uniform in [d/2, d], so jobs failing together
    do not retry in lockstep, yet never retry at once."""
    d = min(max_ms, base_ms * 2 ** (attempt - 1))
    return round(d / 2 + random.random() * d / 2)
