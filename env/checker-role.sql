-- A least-privilege role for the suite's checker connection (E2E_CHECKER_DATABASE_URL): it can
-- read and delete the suite's own job rows, those whose run_id starts with 'e2e-', and nothing
-- else. No INSERT, no UPDATE, no other table, no other row. Run it once per database as its owner
-- (or a role with CREATEROLE that owns the tables), with psql:
--
--   psql "$OWNER_DATABASE_URL" -v checker_password='…a long random password…' -f env/checker-role.sql
--
-- then set E2E_CHECKER_DATABASE_URL=postgresql://e2e_checker:<password>@<host>:<port>/<database>
-- (through the pooler on Supabase: the user is e2e_checker.<project-ref>). Idempotent: running it
-- again changes the password and re-creates the policies.
--
-- How the rows are fenced off: row-level security on jobs and job_executions. The one policy that
-- names e2e_checker is RESTRICTIVE (ANDed with every other policy), so for that role a row must have
-- the suite's prefix; the permissive policy for everyone keeps every other role (the services,
-- whether or not they own the tables) exactly as before. The table owner bypasses RLS anyway
-- unless FORCE ROW LEVEL SECURITY is set, which this script does not do.

SELECT format('CREATE ROLE e2e_checker LOGIN PASSWORD %L', :'checker_password')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'e2e_checker') \gexec
SELECT format('ALTER ROLE e2e_checker LOGIN PASSWORD %L NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS', :'checker_password') \gexec
SELECT format('GRANT CONNECT ON DATABASE %I TO e2e_checker', current_database()) \gexec

GRANT USAGE ON SCHEMA public TO e2e_checker;
REVOKE ALL ON jobs, job_executions FROM e2e_checker;
GRANT SELECT, DELETE ON jobs, job_executions TO e2e_checker;

ALTER TABLE jobs ENABLE ROW LEVEL SECURITY;
ALTER TABLE job_executions ENABLE ROW LEVEL SECURITY;

-- Everyone keeps what they had.
DROP POLICY IF EXISTS everyone_as_before ON jobs;
CREATE POLICY everyone_as_before ON jobs AS PERMISSIVE FOR ALL TO PUBLIC USING (true) WITH CHECK (true);
DROP POLICY IF EXISTS everyone_as_before ON job_executions;
CREATE POLICY everyone_as_before ON job_executions AS PERMISSIVE FOR ALL TO PUBLIC USING (true) WITH CHECK (true);

-- The checker: only the suite's rows.
DROP POLICY IF EXISTS e2e_checker_own_rows ON jobs;
CREATE POLICY e2e_checker_own_rows ON jobs AS RESTRICTIVE FOR ALL TO e2e_checker
  USING (run_id LIKE 'e2e-%');
DROP POLICY IF EXISTS e2e_checker_own_rows ON job_executions;
CREATE POLICY e2e_checker_own_rows ON job_executions AS RESTRICTIVE FOR ALL TO e2e_checker
  USING (EXISTS (SELECT 1 FROM jobs j WHERE j.id = job_executions.job_id AND j.run_id LIKE 'e2e-%'));
