-- The three tables of CONTRACT.md ("Database tables the suite reads"), same semantics as the
-- reference schema. Every statement is IF NOT EXISTS, so running the file again changes nothing:
-- that is what makes `migrate.py` idempotent without a bookkeeping table of its own.
CREATE TABLE IF NOT EXISTS jobs (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  type            text NOT NULL,
  payload         jsonb NOT NULL DEFAULT 'null'::jsonb,
  state           text NOT NULL DEFAULT 'queued'
                  CHECK (state IN ('queued', 'running', 'retrying', 'succeeded', 'dead')),
  attempts        integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  max_attempts    integer NOT NULL DEFAULT 3 CHECK (max_attempts BETWEEN 1 AND 25),
  idempotency_key text UNIQUE,
  run_id          text,
  result          jsonb,
  last_error      text,
  run_after       timestamptz NOT NULL DEFAULT now(),
  locked_by       text,
  locked_until    timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  started_at      timestamptz,
  finished_at     timestamptz
);

-- Claimable jobs: waiting ones by due time, running ones by lease expiry.
CREATE INDEX IF NOT EXISTS jobs_waiting_idx ON jobs (run_after) WHERE state IN ('queued', 'retrying');
CREATE INDEX IF NOT EXISTS jobs_leased_idx ON jobs (locked_until) WHERE state = 'running';
CREATE INDEX IF NOT EXISTS jobs_run_id_idx ON jobs (run_id) WHERE run_id IS NOT NULL;

-- One row per attempt: double runs are counted, not guessed from final states.
CREATE TABLE IF NOT EXISTS job_executions (
  id          bigserial PRIMARY KEY,
  job_id      uuid NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  attempt     integer NOT NULL,
  worker_id   text NOT NULL,
  started_at  timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  outcome     text CHECK (outcome IN ('succeeded', 'failed', 'released')),
  error       text
);
CREATE INDEX IF NOT EXISTS job_executions_job_idx ON job_executions (job_id);

-- The platform gives workers no health check: this row is how anyone knows one is alive.
-- last_progress_at is the last moment a slot was free: a worker whose handlers hang keeps beating,
-- and /health ages it by the older of its beat and its progress.
CREATE TABLE IF NOT EXISTS worker_heartbeats (
  instance_id      text PRIMARY KEY,
  service          text NOT NULL,
  release_commit   text NOT NULL,
  branch           text NOT NULL,
  started_at       timestamptz NOT NULL,
  last_beat_at     timestamptz NOT NULL,
  jobs_done        bigint NOT NULL DEFAULT 0,
  jobs_failed      bigint NOT NULL DEFAULT 0,
  running_jobs     integer NOT NULL DEFAULT 0,
  last_progress_at timestamptz,
  status           text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'stopping', 'stopped'))
);
-- A database made by an older schema (or the reference one before its 002) lacks these two.
ALTER TABLE worker_heartbeats ADD COLUMN IF NOT EXISTS running_jobs integer NOT NULL DEFAULT 0;
ALTER TABLE worker_heartbeats ADD COLUMN IF NOT EXISTS last_progress_at timestamptz;
