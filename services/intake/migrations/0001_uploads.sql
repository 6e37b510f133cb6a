-- Files uploaded for an application that is still being filled in (see services/intake/uploads.py).
-- A submission names the uploads it carries; uploads never submitted are removed after a day.
CREATE TABLE uploads (
    attachment_id  uuid        PRIMARY KEY,
    application_id uuid        NOT NULL,
    tenant         text        NOT NULL,
    procedure      text        NOT NULL,
    object_name    text        NOT NULL,
    filename       text        NOT NULL,
    content_type   text        NOT NULL,
    size           bigint      NOT NULL,
    sha256         text        NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    submitted_at   timestamptz
);
CREATE INDEX uploads_by_application ON uploads (application_id);
CREATE INDEX uploads_abandoned ON uploads (created_at) WHERE submitted_at IS NULL;
