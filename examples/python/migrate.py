"""Applies migrations/*.sql to $DATABASE_URL: an explicit command, never a side effect of booting a
service. Each file runs in one transaction under a transaction-scoped advisory lock (pooler-safe:
a session lock would stay on whatever server connection the pooler picked), so two concurrent
runs (two deploys) serialise. Every file is written to be idempotent (IF NOT EXISTS)."""
import os
import sys

from common import Env, mask

LOCK_KEY = 74_211_002  # fixed: identifies "schema migration" advisory locks of this service


def main():
    env = Env("migrate")
    url = env.postgres_url("DATABASE_URL")
    env.done()
    import psycopg  # after config validation: a config error needs nothing but the stdlib

    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "migrations")
    files = sorted(f for f in os.listdir(here) if f.endswith(".sql"))
    try:
        with psycopg.connect(url, autocommit=True, prepare_threshold=None, application_name="migrate", connect_timeout=10) as conn:
            for name in files:
                with open(os.path.join(here, name), encoding="utf-8") as f:
                    sql = f.read()
                with conn.transaction():
                    conn.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
                    conn.execute(sql)  # no parameters: sent as a simple query, several statements allowed
                print(f"migrate: applied {name}", flush=True)
    except psycopg.Error as error:
        sys.stderr.write(f"migrate: failed against {mask(url)}: {mask(str(error).strip())}\n")
        sys.exit(1)


if __name__ == "__main__":
    main()
