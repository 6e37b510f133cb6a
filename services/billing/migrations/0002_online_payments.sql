-- Online payments (services/billing/payments/ledger.py): each as billing ordered it at the
-- town's provider, recorded with the outbox row of its OnlinePaymentStarted; and the nonces of
-- the provider's signed messages already applied, so a replayed callback is refused. A nonce
-- older than the signature's window is refused by its timestamp anyway and may be deleted.
CREATE TABLE billing_online_payments (
    payment_id         uuid           PRIMARY KEY,
    town               text           NOT NULL,
    case_id            uuid           NOT NULL,
    cash_reference     text           NOT NULL,
    amount             numeric(12, 2) NOT NULL,
    currency           text           NOT NULL,
    provider           text           NOT NULL,
    provider_reference text           NOT NULL,
    redirect_url       text           NOT NULL,
    status             text           NOT NULL DEFAULT 'pending',
    started_at         timestamptz    NOT NULL,
    ended_at           timestamptz,
    UNIQUE (provider, provider_reference)
);
CREATE INDEX billing_online_payments_of_claim ON billing_online_payments (cash_reference);

CREATE TABLE billing_provider_nonces (
    provider text        NOT NULL,
    nonce    text        NOT NULL,
    seen_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (provider, nonce)
);
CREATE INDEX billing_provider_nonces_by_age ON billing_provider_nonces (seen_at);
