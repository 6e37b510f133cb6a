-- Commits a projection could not apply: kept, never dropped (created before migrations were
-- numbered, hence IF NOT EXISTS: installations of that time adopt the table as it is).
CREATE TABLE IF NOT EXISTS rc_dead_letters (
    id              bigserial PRIMARY KEY,
    projection      text        NOT NULL,
    stream          text        NOT NULL,
    stream_seq      bigint      NOT NULL,
    subject         text        NOT NULL,
    event_types     text        NOT NULL,
    headers         jsonb       NOT NULL,
    data            bytea       NOT NULL,
    error           text        NOT NULL,
    attempts        integer     NOT NULL,
    first_failed_at timestamptz NOT NULL DEFAULT now(),
    last_failed_at  timestamptz NOT NULL DEFAULT now(),
    resolved_at     timestamptz,
    resolution      text,
    UNIQUE (projection, stream, stream_seq)
);
