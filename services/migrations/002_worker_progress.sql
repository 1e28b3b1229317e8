-- "Alive but not consuming": a worker whose handlers hang keeps beating. last_progress_at is the
-- last time one of its slots was free (a job finished, or it polled for work); /health ages a
-- worker by the older of its beat and its progress.
ALTER TABLE worker_heartbeats ADD COLUMN IF NOT EXISTS last_progress_at timestamptz;
ALTER TABLE worker_heartbeats ADD COLUMN IF NOT EXISTS running_jobs integer NOT NULL DEFAULT 0;
