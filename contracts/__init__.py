"""The contracts between the services: integration events, their envelope, and names.

Nothing else is shared between services. Importing ``contracts`` registers every event.
"""

from contracts import events
from contracts.base import PERSONAL, REGISTRY, DomainEvent, Personal, UnknownEventType
from contracts.envelope import Ags, Commit, EventMeta, Headers, StoredEvent
from contracts.naming import Namespace, Service

__all__ = [
    "PERSONAL",
    "REGISTRY",
    "Ags",
    "Commit",
    "DomainEvent",
    "EventMeta",
    "Headers",
    "Namespace",
    "Personal",
    "Service",
    "StoredEvent",
    "UnknownEventType",
    "events",
]
