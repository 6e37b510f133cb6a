"""Where archive's aggregates live in its stream."""

from __future__ import annotations

from uuid import UUID

from contracts.naming import Service
from runtime.eventstore import AggregateRef


def file_ref(tenant: str, case_id: UUID) -> AggregateRef:
    """The e-file of one case."""
    return AggregateRef(Service.ARCHIVE, tenant, "file", str(case_id))


def addendum_ref(tenant: str, case_id: UUID) -> AggregateRef:
    """The addenda of one case's file (``AddendumFiled``; written through the outbox).

    Apart from the file itself, so that the many addenda are not delivered to every reader
    of the file's ``CaseFiled`` (subjects filter by aggregate type).
    """
    return AggregateRef(Service.ARCHIVE, tenant, "addendum", str(case_id))


def erasure_ref(tenant: str, case_id: UUID) -> AggregateRef:
    """The erasure record of one case's personal data."""
    return AggregateRef(Service.ARCHIVE, tenant, "erasure", str(case_id))


def inspection_ref(tenant: str, case_id: UUID) -> AggregateRef:
    """The access log of one case's file (``FileInspected``; written through the outbox)."""
    return AggregateRef(Service.ARCHIVE, tenant, "inspection", str(case_id))
