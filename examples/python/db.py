"""Database access that is safe through a transaction-mode pooler (PgBouncer, Supabase :6543):
- prepare_threshold=None: psycopg never creates named prepared statements (a pooled server
  connection would not know them, or already has one of the same name);
- autocommit, and no SET / temp tables / LISTEN / session advisory locks: each statement (or each
  explicit transaction) may land on another server connection;
- no startup parameters except application_name (the pooler rejects statement_timeout): the query
  timeout is enforced client-side by a watchdog that shuts the socket down.
A tiny pool of our own, because psycopg_pool is a separate package and this needs only a few lines."""
import math
import os
import select
import socket
import threading
import time
from contextlib import contextmanager

import psycopg
from psycopg.rows import dict_row  # noqa: F401 (re-exported for callers)


class DatabaseError(Exception):
    """Any failure to talk to the database: the caller turns it into a 503 or a retry."""


class Database:
    def __init__(self, url, max_size, application_name, timeout_ms, idle_ms=10_000):
        self.url = url
        self.application_name = application_name[:63]
        self.timeout_s = timeout_ms / 1000
        self.idle_s = idle_ms / 1000
        self.slots = threading.BoundedSemaphore(max_size)
        self.idle = []  # (connection, returned_at)
        self.lock = threading.Lock()

    def _connect(self, deadline):
        remaining = max(1, math.ceil(deadline - time.monotonic()))
        return psycopg.connect(
            self.url,
            autocommit=True,
            prepare_threshold=None,  # never a named prepared statement
            application_name=self.application_name,  # the one startup parameter poolers accept
            connect_timeout=remaining,  # client-side (libpq/psycopg), not sent to the server
        )

    @staticmethod
    def _usable(conn):
        """An idle connection has nothing to read: readable means the pooler closed it (restart)."""
        if conn.closed or conn.broken:
            return False
        try:
            readable, _, _ = select.select([conn.pgconn.socket], [], [], 0)
        except (OSError, ValueError, psycopg.Error):
            return False
        return not readable

    def _take(self, deadline):
        while True:
            with self.lock:
                entry = self.idle.pop() if self.idle else None
            if entry is None:
                return self._connect(deadline)
            conn, since = entry
            if time.monotonic() - since < self.idle_s and self._usable(conn):
                return conn
            self._discard(conn)

    @staticmethod
    def _discard(conn):
        try:
            conn.close()
        except Exception:
            pass

    @contextmanager
    def connection(self, timeout_s=None):
        """A connection for one operation, bounded by the query timeout from the moment it is asked
        for: waiting for a slot, connecting and the queries all count. On timeout the watchdog shuts
        the socket down, so a query stuck behind a pooler that waits for a dead Postgres returns."""
        timeout_s = self.timeout_s if timeout_s is None else timeout_s
        deadline = time.monotonic() + timeout_s
        if not self.slots.acquire(timeout=timeout_s):
            raise DatabaseError(f"no database connection free within {round(timeout_s * 1000)} ms")
        conn = None
        guard = {"done": False, "fired": False}
        guard_lock = threading.Lock()

        def fire():
            with guard_lock:
                if guard["done"] or conn is None:
                    return
                guard["fired"] = True
                try:  # a dup of the fd: shutting it down wakes the blocked select in psycopg
                    dup = socket.socket(fileno=os.dup(conn.pgconn.socket))
                    dup.shutdown(socket.SHUT_RDWR)
                    dup.close()
                except Exception:
                    pass

        timer = None
        try:
            try:
                conn = self._take(deadline)
            except psycopg.Error as error:
                raise DatabaseError(f"cannot connect: {first_line(error)}") from None
            timer = threading.Timer(max(0.0, deadline - time.monotonic()), fire)
            timer.daemon = True
            timer.start()
            try:
                yield conn
            except psycopg.OperationalError as error:
                if guard["fired"]:
                    raise DatabaseError(f"query timed out after {round(timeout_s * 1000)} ms (client-side timeout)") from None
                raise DatabaseError(first_line(error)) from None
            except psycopg.Error as error:
                if guard["fired"]:
                    raise DatabaseError(f"query timed out after {round(timeout_s * 1000)} ms (client-side timeout)") from None
                raise DatabaseError(first_line(error)) from None
        finally:
            if timer:
                timer.cancel()
            with guard_lock:
                guard["done"] = True
            if conn is not None:
                healthy = not guard["fired"] and not conn.closed and not conn.broken
                if healthy and conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE:
                    with self.lock:
                        self.idle.append((conn, time.monotonic()))
                else:
                    self._discard(conn)
            self.slots.release()

    def query(self, sql, params=None, timeout_s=None):
        """One statement, its own implicit transaction; rows as dicts."""
        with self.connection(timeout_s) as conn:
            with conn.cursor(row_factory=dict_row) as cur:
                cur.execute(sql, params)
                return cur.fetchall() if cur.description else []

    def close(self):
        with self.lock:
            idle, self.idle = self.idle, []
        for conn, _ in idle:
            self._discard(conn)


def first_line(error):
    return (str(error).strip().splitlines() or [type(error).__name__])[0]
