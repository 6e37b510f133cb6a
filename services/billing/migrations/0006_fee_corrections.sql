-- Cancellations and amendments of fee notices (services/billing/corrections.py): each claim's
-- corrections numbered from 1, each recorded once in the transaction that puts its event into
-- the outbox (the fee aggregate is written only through it) — two clerks correcting the same
-- claim at once cannot both record the same number.
CREATE TABLE billing_fee_corrections (
    case_id     uuid          NOT NULL,
    number      integer       NOT NULL,
    town        text          NOT NULL,
    kind        text          NOT NULL,
    correction  numeric(12, 2) NOT NULL,
    recorded_at timestamptz   NOT NULL DEFAULT now(),
    PRIMARY KEY (case_id, number)
);
