"""Encoding commits seals personal data; decoding opens it, upcasts, or reads it as erased."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any, cast
from uuid import UUID, uuid4

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from contracts import UnknownEventType
from contracts.base import DomainEvent
from contracts.envelope import EventMeta
from contracts.events.casework import CaseClosed, CaseDecided, RuleOutcome
from contracts.events.intake import ApplicationSubmitted, AttachmentRef
from contracts.events.notify import MessageDelivered
from contracts.values import Contact
from runtime.codec import EventCodec, EventUnreadable, PersonalDataWithoutKey, event_types_of
from runtime.crypto import DecryptionFailed, new_data_key

TOWN = "14612000"
KEY_ID = "case-0190f3c4"
NAME = "Anna Schmidt"
EMAIL = "anna.schmidt@example.org"


class FakeKeyStore:
    """Data keys in memory, with the two calls the codec makes, and erasure."""

    def __init__(self) -> None:
        self.keys: dict[str, AESGCM] = {}
        self.created: list[str] = []

    async def create(self, key_id: str) -> AESGCM:
        self.created.append(key_id)
        return self.keys.setdefault(key_id, AESGCM(new_data_key()))

    async def get(self, key_id: str) -> AESGCM | None:
        return self.keys.get(key_id)

    def destroy(self, key_id: str) -> None:
        del self.keys[key_id]


@pytest.fixture
def keys() -> FakeKeyStore:
    return FakeKeyStore()


@pytest.fixture
def codec(keys: FakeKeyStore) -> EventCodec:
    return EventCodec(keys)


def meta_for(event: type[DomainEvent], data_key: str | None = KEY_ID, **changes: Any) -> EventMeta:
    fields: dict[str, Any] = {
        "event_id": uuid4(),
        "type": event.type_name,
        "version": event.version,
        "tenant": TOWN,
        "aggregate_type": event.aggregate_type,
        "aggregate_id": "0190f3c4",
        "occurred_at": datetime(2024, 3, 5, 9, 41, tzinfo=UTC),
        "actor": "citizen",
        "correlation_id": uuid4(),
        "data_key": data_key,
    }
    return EventMeta(**{**fields, **changes})


def application(**changes: Any) -> ApplicationSubmitted:
    fields: dict[str, Any] = {
        "application_id": UUID("0190f3c4-6b1a-7cc2-9a1e-5d0c2b7e4f10"),
        "procedure": "gewerbeanmeldung",
        "form_version": 1,
        "submitted_at": datetime(2024, 3, 5, 9, 41, tzinfo=UTC),
        "contact": Contact(name=NAME, email=EMAIL),
        "form": {"applicant": {"family_name": "Schmidt", "birth_date": "1988-04-17"}},
        "attachments": [
            AttachmentRef(
                attachment_id="att-1",
                filename="Personalausweis-Schmidt.pdf",
                content_type="application/pdf",
                size=48_213,
                sha256="a" * 64,
            )
        ],
        "tracking_url": "https://rathaus.example/verfolgen/s3cr3t-t0k3n",
    }
    return ApplicationSubmitted(**{**fields, **changes})


async def test_personal_values_do_not_appear_in_the_encoded_commit(codec: EventCodec) -> None:
    raw = await codec.encode(uuid4(), [(meta_for(ApplicationSubmitted), application())])

    for secret in (NAME, EMAIL, "Schmidt", "1988-04-17", "Personalausweis", "s3cr3t"):
        assert secret.encode() not in raw
    data = json.loads(raw)["events"][0]["data"]
    for name in ApplicationSubmitted.personal_fields():
        assert set(data[name]) == {"$pii"}
        base64.b64decode(data[name]["$pii"], validate=True)
    assert data["procedure"] == "gewerbeanmeldung"


async def test_a_commit_decodes_to_the_same_events(codec: EventCodec) -> None:
    meta, event = meta_for(ApplicationSubmitted), application()
    closed = CaseClosed(case_id=uuid4(), closed_at=datetime(2024, 3, 6, tzinfo=UTC))
    closed_meta = meta_for(CaseClosed, data_key=None)

    raw = await codec.encode(uuid4(), [(meta, event), (closed_meta, closed)])
    decoded = await codec.decode(raw, stream_seq=42)

    assert [(e.meta, e.event, e.stream_seq) for e in decoded] == [
        (meta, event, 42),
        (closed_meta, closed, 42),
    ]
    assert not decoded[0].personal_data_erased


async def test_with_the_key_destroyed_personal_fields_read_as_none(
    codec: EventCodec, keys: FakeKeyStore
) -> None:
    raw = await codec.encode(uuid4(), [(meta_for(ApplicationSubmitted), application())])
    keys.destroy(KEY_ID)

    [envelope] = await codec.decode(raw)

    event = cast(ApplicationSubmitted, envelope.event)
    assert envelope.personal_data_erased
    assert (event.contact, event.form, event.attachments, event.tracking_url) == (None,) * 4
    assert event.procedure == "gewerbeanmeldung"
    assert event.application_id == application().application_id


async def test_personal_data_without_a_data_key_is_refused(
    codec: EventCodec, keys: FakeKeyStore
) -> None:
    meta = meta_for(ApplicationSubmitted, data_key=None)

    with pytest.raises(PersonalDataWithoutKey, match=r"intake\.ApplicationSubmitted"):
        await codec.encode(uuid4(), [(meta, application())])
    assert keys.created == []


async def test_personal_fields_left_empty_need_no_key(codec: EventCodec) -> None:
    event = MessageDelivered(
        message_id=uuid4(),
        case_id=None,
        template="application_received",
        channel="email",
        recipient=None,
        attempts=1,
        delivered_at=datetime(2024, 3, 5, 9, 42, tzinfo=UTC),
    )

    raw = await codec.encode(uuid4(), [(meta_for(MessageDelivered, data_key=None), event)])

    [envelope] = await codec.decode(raw)
    assert envelope.event == event


async def test_a_sealed_value_moved_to_another_event_does_not_open(codec: EventCodec) -> None:
    eva = application(contact=Contact(name="Eva Berger", email="eva@example.org"))
    anna_raw = await codec.encode(uuid4(), [(meta_for(ApplicationSubmitted), application())])
    eva_raw = await codec.encode(uuid4(), [(meta_for(ApplicationSubmitted), eva)])
    forged = json.loads(eva_raw)
    forged["events"][0]["data"]["contact"] = json.loads(anna_raw)["events"][0]["data"]["contact"]

    with pytest.raises(DecryptionFailed):
        await codec.decode(json.dumps(forged).encode())


async def test_a_stored_v1_decision_decodes_as_the_current_version(codec: EventCodec) -> None:
    meta = meta_for(CaseDecided, data_key=None, version=1)
    stored_v1 = {
        "case_id": "0190f3c4-6b1a-7cc2-9a1e-5d0c2b7e4f10",
        "procedure": "gewerbeanmeldung",
        "outcome": "rejected",
        "decided_by": "clerk:k.mueller@14612000",
        "on_behalf_of": TOWN,
        "reason": "Die Erlaubnis nach § 34a GewO liegt nicht vor.",
        "decided_at": "2024-03-05T09:41:12Z",
    }
    raw = json.dumps(
        {
            "commit_id": str(uuid4()),
            "events": [{"meta": meta.model_dump(mode="json"), "data": stored_v1}],
        }
    ).encode()

    [envelope] = await codec.decode(raw)

    assert isinstance(envelope.event, CaseDecided)
    assert envelope.meta.version == 1
    assert envelope.event.rule_outcomes == [
        RuleOutcome(
            rule="recorded_reason",
            passed=False,
            reason="Die Erlaubnis nach § 34a GewO liegt nicht vor.",
        )
    ]


async def test_an_unknown_event_type_is_refused(codec: EventCodec) -> None:
    meta = meta_for(CaseClosed, data_key=None, type="casework.CaseReopened")
    raw = json.dumps(
        {"commit_id": str(uuid4()), "events": [{"meta": meta.model_dump(mode="json"), "data": {}}]}
    ).encode()

    with pytest.raises(UnknownEventType, match=r"casework\.CaseReopened"):
        await codec.decode(raw)


async def test_a_personal_field_left_empty_is_not_erasure(codec: EventCodec) -> None:
    raw = await codec.encode(
        uuid4(), [(meta_for(ApplicationSubmitted), application(attachments=None))]
    )

    [envelope] = await codec.decode(raw)

    assert not envelope.personal_data_erased


def test_event_types_are_read_from_the_commit_header() -> None:
    header = "intake.TownProfilePublished/1,intake.ProcedureOffered/1"

    assert event_types_of(header) == ["intake.TownProfilePublished", "intake.ProcedureOffered"]
    assert event_types_of(None) == []
    assert event_types_of("") == []


async def test_an_event_that_does_not_fit_its_model_is_reported_without_its_values(
    codec: EventCodec,
) -> None:
    # A contact without its e-mail, which the model requires (built around validation).
    broken = application(contact=Contact.model_construct(name=NAME))  # type: ignore[call-arg]
    raw = await codec.encode(uuid4(), [(meta_for(ApplicationSubmitted), broken)])

    with pytest.raises(EventUnreadable) as caught:
        await codec.decode(raw)

    assert "contact.email" in str(caught.value)
    assert NAME not in str(caught.value)
    assert caught.value.__cause__ is None
