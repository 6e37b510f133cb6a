"""The NATS permission set of each service, as a pure function of service and namespace."""

from __future__ import annotations

import re
from importlib import import_module

import pytest

from contracts.naming import Namespace, Service
from runtime.natsauth import (
    ADMIN,
    authorization_block,
    inbox_prefix,
    new_passwords,
    permissions,
    unreadable_sources,
    user_name,
)
from runtime.projection import Projection
from runtime.service import Runtime
from runtime.settings import ServiceSettings
from tests.deploy.settings_names import settings_class

NS = Namespace("t1")


def matches(pattern: str, subject: str) -> bool:
    """NATS subject matching: ``*`` one token, ``>`` one or more at the end."""
    want, have = pattern.split("."), subject.split(".")
    for i, token in enumerate(want):
        if token == ">":
            return len(have) > i
        if i >= len(have) or (token != "*" and token != have[i]):
            return False
    return len(want) == len(have)


def may_publish(service: Service, subject: str, ns: Namespace = NS) -> bool:
    rights = permissions(ns, service)
    if any(matches(p, subject) for p in rights.publish_deny):
        return False
    return any(matches(p, subject) for p in rights.publish_allow)


@pytest.mark.parametrize("service", list(Service))
def test_a_service_publishes_events_only_to_its_own_stream(service: Service) -> None:
    for other in Service:
        subject = NS.aggregate_subject(other, "14729410", "case", "c1")
        assert may_publish(service, subject) is (other == service)


@pytest.mark.parametrize("service", list(Service))
def test_only_the_owner_creates_or_updates_a_stream(service: Service) -> None:
    for other in Service:
        for action in ("CREATE", "UPDATE"):
            subject = f"$JS.API.STREAM.{action}.{NS.stream(other)}"
            assert may_publish(service, subject) is (other == service)


@pytest.mark.parametrize("service", list(Service))
def test_nobody_deletes_or_purges_a_stream_or_deletes_an_event(service: Service) -> None:
    for other in Service:
        stream = NS.stream(other)
        for action in ("DELETE", "PURGE", "MSG.DELETE"):
            assert not may_publish(service, f"$JS.API.STREAM.{action}.{stream}")
    assert not may_publish(service, "$JS.API.STREAM.DELETE.KV_t1_rc_data_keys")
    assert not may_publish(service, "$JS.API.STREAM.PURGE.KV_t1_rc_data_keys")
    assert not may_publish(service, "$JS.API.STREAM.DELETE.OBJ_t1_rc_attachments")


def test_the_key_bucket_only_intake_creates_in_and_only_archive_deletes_from() -> None:
    key = "$KV.t1_rc_data_keys.0190f3c4-6b1a-7cc2-9a1e-5d0c2b7e4f10"
    read = f"$JS.API.DIRECT.GET.KV_t1_rc_data_keys.{key}"
    delete = "$JS.API.STREAM.MSG.DELETE.KV_t1_rc_data_keys"
    configure = "$JS.API.STREAM.UPDATE.KV_t1_rc_data_keys"
    rights = {
        s: (may_publish(s, key), may_publish(s, read), may_publish(s, delete)) for s in Service
    }
    assert rights == {
        Service.INTAKE: (True, True, False),
        Service.CASEWORK: (False, True, False),
        Service.BILLING: (False, True, False),
        Service.ARCHIVE: (True, True, True),
        Service.NOTIFY: (False, True, False),
    }
    assert [s for s in Service if may_publish(s, configure)] == [Service.INTAKE]


def test_attachments_intake_writes_documents_added_readers_read_archive_erases() -> None:
    chunk = "$O.t1_rc_attachments.C.abc"
    meta = "$O.t1_rc_attachments.M.YWJj"
    get = "$JS.API.STREAM.MSG.GET.OBJ_t1_rc_attachments"
    assert [s for s in Service if may_publish(s, "$JS.API.STREAM.NAMES")] == [
        s for s in Service if may_publish(s, get)
    ]  # ObjectStore.get looks up the stream of an object's chunks
    purge = "$JS.API.STREAM.PURGE.OBJ_t1_rc_attachments"
    rights = {
        s: (may_publish(s, chunk), may_publish(s, meta), may_publish(s, get), may_publish(s, purge))
        for s in Service
    }
    assert rights == {
        Service.INTAKE: (True, True, True, True),
        Service.CASEWORK: (True, True, True, False),
        Service.BILLING: (True, True, True, False),
        Service.ARCHIVE: (False, True, True, True),
        Service.NOTIFY: (False, False, True, False),
    }


def test_consumers_only_on_the_streams_a_service_reads() -> None:
    def reads(service: Service, source: Service) -> bool:
        stream = NS.stream(source)
        return may_publish(service, f"$JS.API.CONSUMER.MSG.NEXT.{stream}.t1_x-y_e1")

    assert [s for s in Service if reads(Service.BILLING, s)] == [
        Service.INTAKE,
        Service.CASEWORK,
        Service.BILLING,
        Service.ARCHIVE,
    ]
    assert [s for s in Service if reads(Service.NOTIFY, s)] == list(Service)
    assert [s for s in Service if reads(Service.CASEWORK, s)] == [
        Service.INTAKE,
        Service.CASEWORK,
        Service.ARCHIVE,
        Service.NOTIFY,
    ]
    assert all(reads(Service.INTAKE, s) for s in Service)


@pytest.mark.parametrize("service", list(Service))
def test_replies_come_only_to_the_service_s_own_inbox(service: Service) -> None:
    assert permissions(NS, service).subscribe_allow == (f"_INBOX_t1_{service.value}.>",)
    assert inbox_prefix(Namespace(""), service) == f"_INBOX_{service.value}"


def test_names_carry_the_namespace() -> None:
    assert user_name(NS, Service.INTAKE) == "t1_intake"
    assert user_name(Namespace(""), Service.INTAKE) == "intake"
    assert may_publish(Service.INTAKE, "t1.ev.intake.14729410.application.a")
    assert not may_publish(Service.INTAKE, "ev.intake.14729410.application.a")
    assert not may_publish(Service.INTAKE, "t2.ev.intake.14729410.application.a")


def test_the_server_block_reads_passwords_from_the_environment_unless_given() -> None:
    from_env = authorization_block(Namespace(""))
    assert "password: $NATS_INTAKE_PASSWORD" in from_env
    assert "password: $NATS_ADMIN_PASSWORD" in from_env
    assert len(re.findall(r"\{user: ", from_env)) == len(Service) + 1

    passwords = new_passwords()
    literal = authorization_block(NS, passwords)
    assert f'{{user: "t1_billing", password: "{passwords["billing"]}"' in literal
    assert f'{{user: "t1_{ADMIN}"' in literal


def test_broker_options_carry_the_user_and_its_inbox() -> None:
    from runtime.natsauth import broker_options

    settings = ServiceSettings(
        environment="test", namespace="t1", nats_user="t1_notify", nats_password="secret-pw"
    )
    options = broker_options(settings, Service.NOTIFY)
    assert options["inbox_prefix"] == "_INBOX_t1_notify"
    assert options["security"].username == "t1_notify"
    assert options["security"].password == "secret-pw"
    anonymous = broker_options(ServiceSettings(environment="test"), Service.NOTIFY)
    assert "security" not in anonymous
    assert "secret-pw" not in repr(settings)


@pytest.mark.parametrize("service", list(Service), ids=str)
def test_every_projection_follows_only_streams_its_service_may_read(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Else the runner can never make its consumer once the suite runs with credentials."""
    monkeypatch.setenv("RATHAUS_ENVIRONMENT", "test")
    settings = settings_class(service.value)()
    parts = import_module(f"services.{service.value}.bootstrap").build(
        Runtime(service, settings)  # type: ignore[arg-type]
    )
    assert parts.projections
    assert unreadable_sources(service, parts.projections) == []


def test_a_projection_of_a_stream_the_service_may_not_read_is_named() -> None:
    projection = Projection(
        name="elsewhere",
        owner=Service.BILLING,
        sources=(Service.BILLING, Service.NOTIFY),
        event_types=frozenset(),
        handle=None,  # type: ignore[arg-type]
    )
    assert unreadable_sources(Service.BILLING, [projection]) == ["elsewhere: notify"]
