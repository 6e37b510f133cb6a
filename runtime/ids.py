"""Identifiers: time-ordered ids for new things, name-based ids for idempotent reactions."""

from __future__ import annotations

import uuid

import uuid_utils.compat as uuid_compat

_REACTION_NAMESPACE = uuid.UUID("6f1c2a52-6b0e-4e0e-9a43-3d2c1f3e9b10")


def new_id() -> uuid.UUID:
    """A new UUIDv7: unique, and sortable by creation time."""
    return uuid_compat.uuid7()


def derived_id(*parts: object) -> uuid.UUID:
    """A UUIDv5 fixed by ``parts``: the same reaction to the same cause gets the same id.

    Reactors use it as the commit id of what they append, so that a redelivered event
    produces a duplicate JetStream rejects, never a second commit.
    """
    return uuid.uuid5(_REACTION_NAMESPACE, "\x1f".join(str(part) for part in parts))
