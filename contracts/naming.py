"""Stream, subject, bucket and consumer names — the one place they are spelled.

Every service owns exactly one stream. An event's subject names its aggregate, so that
JetStream's per-subject sequence is the aggregate's version and can carry the optimistic
concurrency check: ``ev.<service>.<tenant>.<aggregate_type>.<aggregate_id>``.

A *namespace* prefixes all names so that several independent installations (a test run, a
staging copy) can share one NATS cluster without seeing each other's events. Production
runs with the empty namespace.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

SUBJECT_ROOT = "ev"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]+$")


class Service(StrEnum):
    """The five services; each owns one stream and one database."""

    INTAKE = "intake"
    CASEWORK = "casework"
    BILLING = "billing"
    ARCHIVE = "archive"
    NOTIFY = "notify"


def check_token(value: str, what: str) -> str:
    """Refuse a subject token that would change the subject's shape (dots, wildcards)."""
    if not _TOKEN.match(value):
        raise ValueError(f"{what} {value!r} must match {_TOKEN.pattern}")
    return value


@dataclass(frozen=True)
class Namespace:
    """Prefix for every stream, subject, bucket and consumer of one installation."""

    prefix: str = ""

    def __post_init__(self) -> None:
        if self.prefix:
            check_token(self.prefix, "namespace")

    def _subject_root(self) -> str:
        return f"{self.prefix}.{SUBJECT_ROOT}" if self.prefix else SUBJECT_ROOT

    def _name(self, name: str) -> str:
        return f"{self.prefix}_{name}" if self.prefix else name

    def stream(self, service: Service) -> str:
        """The JetStream stream holding every event of ``service``."""
        return self._name(service.value.upper())

    def stream_subjects(self, service: Service) -> str:
        """The wildcard subject a service's stream captures."""
        return f"{self._subject_root()}.{service.value}.>"

    def aggregate_subject(
        self, service: Service, tenant: str, aggregate_type: str, aggregate_id: str
    ) -> str:
        """The subject of one aggregate: its events, in order, and nothing else."""
        check_token(tenant, "tenant")
        check_token(aggregate_type, "aggregate type")
        check_token(aggregate_id, "aggregate id")
        return f"{self._subject_root()}.{service.value}.{tenant}.{aggregate_type}.{aggregate_id}"

    def aggregate_type_filter(self, service: Service, aggregate_type: str) -> str:
        """A filter subject for all aggregates of one type, in all towns."""
        check_token(aggregate_type, "aggregate type")
        return f"{self._subject_root()}.{service.value}.*.{aggregate_type}.*"

    def key_bucket(self) -> str:
        """The key-value bucket holding the per-case data keys (crypto-shredding)."""
        return self._name("rc_data_keys")

    def attachment_bucket(self) -> str:
        """The object store bucket holding encrypted attachments."""
        return self._name("rc_attachments")

    def durable(self, consumer_service: Service, projection: str) -> str:
        """Durable consumer name of one projection of one consuming service."""
        check_token(projection, "projection")
        return self._name(f"{consumer_service.value}-{projection}")
