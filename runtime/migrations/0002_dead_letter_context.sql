-- Where a dead letter came from (to find it in logs and traces) and who closed it, and why.
ALTER TABLE rc_dead_letters ADD COLUMN tenant text;
ALTER TABLE rc_dead_letters ADD COLUMN correlation_id text;
ALTER TABLE rc_dead_letters ADD COLUMN trace_id text;
ALTER TABLE rc_dead_letters ADD COLUMN resolved_by text;
ALTER TABLE rc_dead_letters ADD COLUMN reason text;
CREATE INDEX rc_dead_letters_open ON rc_dead_letters (id) WHERE resolved_at IS NULL;
