-- Each town's signed chain head per German day (services/archive/head_signing.py).
CREATE TABLE archive_signed_heads (
    tenant     text        NOT NULL,
    day        date        NOT NULL,
    files      integer     NOT NULL,
    chain_hash text        NOT NULL,
    signature  text        NOT NULL,
    key_id     text        NOT NULL,
    signed_at  timestamptz NOT NULL,
    PRIMARY KEY (tenant, day)
);
