-- Disposal at the end of retention (services/archive/disposal.py): each file on a town's
-- disposal list with where its disposal stands, the legal holds, the processes with the
-- state archive (xdomea 0501–0506).
CREATE TABLE archive_disposal_items (
    case_id        uuid        PRIMARY KEY,
    tenant         text        NOT NULL,
    file_reference text        NOT NULL,
    retain_until   date        NOT NULL,
    expired_at     timestamptz NOT NULL,
    process_id     uuid,
    state          text        NOT NULL DEFAULT 'due'
        CHECK (state IN ('due', 'offered', 'archive', 'destroy', 'handed_over', 'destroyed')),
    settled_at     timestamptz
);
CREATE INDEX archive_disposal_items_by_town ON archive_disposal_items (tenant, state);
CREATE TABLE archive_legal_holds (
    case_id   uuid        PRIMARY KEY,
    tenant    text        NOT NULL,
    reason    text        NOT NULL,
    placed_by text        NOT NULL,
    placed_at timestamptz NOT NULL
);
CREATE TABLE archive_disposal_processes (
    process_id uuid        PRIMARY KEY,
    tenant     text        NOT NULL,
    state      text        NOT NULL CHECK (state IN ('offered', 'appraised', 'handed_over')),
    offered_at timestamptz NOT NULL
);
