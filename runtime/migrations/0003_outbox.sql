-- Events decided together with a local effect, waiting to be appended to the service's stream.
-- A row is written in the transaction that decides (and records) the effect, and deleted
-- once NATS has stored the commit; rows of one aggregate are published in id order.
CREATE TABLE rc_outbox (
    id              bigserial   PRIMARY KEY,
    commit_id       uuid        NOT NULL UNIQUE,
    subject_key     text        NOT NULL,
    tenant          text        NOT NULL,
    aggregate_type  text        NOT NULL,
    aggregate_id    text        NOT NULL,
    events          jsonb       NOT NULL,
    expected_seq    bigint,
    data_key        text,
    actor           text        NOT NULL,
    correlation_id  uuid        NOT NULL,
    causation_id    uuid,
    traceparent     text,
    attempts        integer     NOT NULL DEFAULT 0,
    last_error      text,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX rc_outbox_by_subject ON rc_outbox (subject_key, id);
CREATE INDEX rc_outbox_due ON rc_outbox (next_attempt_at, id);
