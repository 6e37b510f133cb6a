-- The annual dog tax assessed per town, keeper and year (services/billing/dog_tax_run.py):
-- recorded with the assessment's outbox row, so that a second run of a year — or two runs at
-- once — assesses no keeper twice. amount 0: the keeper owed nothing that year (exempt).
CREATE TABLE billing_dog_tax_assessments (
    town           text          NOT NULL,
    keeper_key     text          NOT NULL,
    year           integer       NOT NULL,
    claim_id       uuid          NOT NULL,
    cash_reference text,
    amount         numeric(12, 2) NOT NULL,
    assessed_at    timestamptz   NOT NULL DEFAULT now(),
    PRIMARY KEY (town, keeper_key, year)
);
