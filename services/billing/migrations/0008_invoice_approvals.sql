-- Approving and paying incoming e-invoices (services/billing/invoice_approvals.py,
-- services/billing/credit_transfers.py, services/billing/invoice_deadlines.py).
--
-- billing_invoice_approvals: each invoice's approval state (domain/invoice_approval.py), the
-- row a command locks (FOR UPDATE) and updates in the transaction that records its events in
-- the outbox — two clerks at once: one decides on the state the other left. ``history`` holds
-- the steps without personal data, for the clerks' view. Created at an invoice's first step.
CREATE TABLE billing_invoice_approvals (
    invoice_id  uuid        PRIMARY KEY,
    town        text        NOT NULL,
    status      text        NOT NULL,
    state       jsonb       NOT NULL,
    history     jsonb       NOT NULL DEFAULT '[]',
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX billing_invoice_approvals_by_status ON billing_invoice_approvals (town, status);

-- Each town's SEPA credit-transfer files (pain.001). They name the suppliers' accounts: served
-- to the town's treasury only.
CREATE TABLE billing_credit_transfer_files (
    file_id        uuid          PRIMARY KEY,
    town           text          NOT NULL,
    message_id     text          NOT NULL UNIQUE,
    execution_date date          NOT NULL,
    transfers      integer       NOT NULL,
    total          numeric(14,2) NOT NULL,
    content        bytea         NOT NULL,
    checksum       text          NOT NULL,
    created_by     text          NOT NULL,
    created_at     timestamptz   NOT NULL DEFAULT now()
);
CREATE INDEX billing_credit_transfer_files_by_town ON billing_credit_transfer_files (town, created_at);

-- An invoice is paid once: its one line in one file (the primary key says so, whatever a
-- caller does).
CREATE TABLE billing_invoice_payments (
    invoice_id  uuid          PRIMARY KEY,
    file_id     uuid          NOT NULL REFERENCES billing_credit_transfer_files (file_id),
    amount      numeric(14,2) NOT NULL,
    discounted  boolean       NOT NULL
);

-- Deadlines announced (InvoiceDeadlineNear): once per invoice and kind.
CREATE TABLE billing_invoice_deadline_notices (
    invoice_id   uuid        NOT NULL,
    kind         text        NOT NULL CHECK (kind IN ('discount', 'due')),
    deadline     date        NOT NULL,
    announced_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (invoice_id, kind)
);
