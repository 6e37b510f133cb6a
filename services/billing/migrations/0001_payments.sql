-- What billing has decided about money, kept with the outbox rows that announce it
-- (services/billing/bookings.py, statement_import.py): a booking id, a statement entry, a
-- statement file and a clarification item are each recorded once, in the transaction that
-- records their events — so a repeat (a statement imported twice, a callback delivered twice,
-- a crash between deciding and announcing) finds them here and books nothing twice.
CREATE TABLE billing_bookings (
    booking_id     text          PRIMARY KEY,
    case_id        uuid          NOT NULL,
    town           text          NOT NULL,
    cash_reference text          NOT NULL,
    amount         numeric(12, 2) NOT NULL,
    recorded_at    timestamptz   NOT NULL DEFAULT now()
);
CREATE INDEX billing_bookings_of_claim ON billing_bookings (cash_reference);

CREATE TABLE billing_statement_keys (
    key         text        PRIMARY KEY,
    town        text        NOT NULL,
    imported_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE billing_statement_files (
    checksum    text        PRIMARY KEY,
    file_name   text,
    kind        text        NOT NULL,
    imported_by text        NOT NULL,
    imported_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE billing_account_formats (
    iban text PRIMARY KEY,
    kind text NOT NULL
);

-- The payer's details of money awaiting clarification (personal data, never in the log).
CREATE TABLE billing_clarification_items (
    item_id     text        PRIMARY KEY,
    town        text        NOT NULL,
    amount      numeric(12, 2) NOT NULL,
    payer_name  text,
    payer_iban  text,
    remittance  text[]      NOT NULL DEFAULT '{}',
    resolution  text,
    resolved_at timestamptz
);
