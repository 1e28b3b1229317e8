-- The last database error a worker met (a failing claim, heartbeat or outcome write), so /health
-- can say "claims failing: prepared statement … does not exist" instead of only "slow".
ALTER TABLE worker_heartbeats ADD COLUMN IF NOT EXISTS last_error text;
ALTER TABLE worker_heartbeats ADD COLUMN IF NOT EXISTS last_error_at timestamptz;
