-- Who leads each projection runner, fenced by an epoch: a batch commits only while the
-- epoch it started with is still the current one. Also why a runner is paused, if it is.
CREATE TABLE rc_projection_leases (
    projection    text        NOT NULL,
    stream        text        NOT NULL,
    epoch         bigint      NOT NULL DEFAULT 0,
    holder        text,
    acquired_at   timestamptz,
    paused_reason text,
    paused_at     timestamptz,
    PRIMARY KEY (projection, stream)
);
