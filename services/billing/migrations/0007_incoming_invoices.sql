-- Incoming e-invoices (services/billing/einvoices/receiving.py): every invoice read — received
-- or refused — once, recorded in the transaction that records its event in the outbox. The
-- check's report is kept here for the supplier's link (GET /api/v1/einvoices/{id}/report); the
-- original and the report of a received invoice are sealed in the object store under the
-- invoice's own data key. duplicate_key (einvoices/duplicates.py) finds the first received
-- invoice of the same seller, number and amount; only received invoices count.
CREATE TABLE billing_incoming_invoices (
    invoice_id    uuid        PRIMARY KEY,
    channel       text        NOT NULL,
    received_at   timestamptz NOT NULL DEFAULT now(),
    outcome       text        NOT NULL CHECK (outcome IN ('received', 'refused')),
    town          text,
    sha256        text        NOT NULL,
    size          integer     NOT NULL,
    duplicate_key text,
    duplicate_of  uuid,
    report        jsonb       NOT NULL,
    report_html   text        NOT NULL
);
CREATE INDEX billing_incoming_invoices_by_key
    ON billing_incoming_invoices (duplicate_key, received_at)
    WHERE outcome = 'received';
