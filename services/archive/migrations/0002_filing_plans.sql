-- Each town's filing plan in force, as adopted into the log (services/archive/filing_plans.py).
CREATE TABLE archive_filing_plans (
    tenant     text        PRIMARY KEY,
    positions  jsonb       NOT NULL,
    adopted_at timestamptz NOT NULL
);
