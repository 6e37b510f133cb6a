-- Each town's SEPA direct-debit file per due day (services/billing/direct_debits.py), made
-- once: asked for again, the same bytes — a claim is never collected twice for one due day.
-- The file names the payers' accounts (personal data): readable by the town's treasury only.
CREATE TABLE billing_direct_debit_files (
    town        text        NOT NULL,
    due         date        NOT NULL,
    content     bytea       NOT NULL,
    checksum    text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (town, due)
);
