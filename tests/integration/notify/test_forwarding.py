"""notify's reaction forwards an approved Gewerbeanmeldung once, whichever log comes first.

The outbox projection's handler on real PostgreSQL and a real key bucket: the application's
commit is sealed with its data key as intake stores it; casework's decision may arrive before
or after it; replays queue nothing twice; a rejection forwards nothing; an erasure drops the
sealed registration and the XML of a message not yet sent.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import pytest

from contracts.base import DomainEvent
from contracts.envelope import EventMeta
from contracts.events.archive import PersonalDataErased
from contracts.events.casework import CaseDecided
from contracts.events.intake import ApplicationSubmitted
from contracts.values import Contact
from runtime.codec import Envelope
from runtime.ids import derived_id, new_id
from runtime.service import Runtime
from services.notify.projections.outbox import projection
from tests.support.applications import WURZEN, gewerbeanmeldung

PROFILE = {
    "ags": WURZEN,
    "name": "Wurzen",
    "official_name": "Große Kreisstadt Wurzen",
    "kind": "Stadt",
    "email": "buergerservice@wurzen.rathauscloud.example",
    "phone": "+49 3425 0000-0",
    "website": "https://www.wurzen.de",
    "address": {"street": "Friedrich-Ebert-Straße 2", "postcode": "04808", "city": "Wurzen"},
}
RECIPIENTS = {
    "finanzamt": {"name": "Finanzamt Grimma", "email": "fa@behoerden.example"},
    "ihk": {"name": "IHK zu Leipzig", "email": "ihk@behoerden.example"},
    "handwerkskammer": {"name": "HWK zu Leipzig", "email": "hwk@behoerden.example"},
}


@pytest.fixture
async def town(rt: Runtime) -> Runtime:
    await rt.pool.execute(
        "INSERT INTO rm_outbox.towns (ags, profile, offices) VALUES ($1, $2, $3)",
        WURZEN,
        PROFILE,
        {"gewerbeanmeldung": "Gewerbeamt"},
    )
    await rt.pool.execute(
        "INSERT INTO rm_outbox.forwarding VALUES ($1, $2, now())", WURZEN, RECIPIENTS
    )
    return rt


async def sealed(rt: Runtime, event: DomainEvent, aggregate: str, data_key: str | None) -> Any:
    """The envelope as a runner hands it over: decoded from the commit as stored."""
    meta = EventMeta(
        event_id=new_id(),
        type=event.type_name,
        version=event.version,
        tenant=WURZEN,
        aggregate_type=event.aggregate_type,
        aggregate_id=aggregate,
        occurred_at=datetime.now(UTC),
        actor="citizen",
        correlation_id=new_id(),
        data_key=data_key,
    )
    raw = await rt.store.codec.encode(new_id(), [(meta, event)])
    [envelope] = await rt.store.codec.decode(raw)
    return envelope


def application(case_id: UUID, **changes: Any) -> ApplicationSubmitted:
    return ApplicationSubmitted(
        application_id=case_id,
        procedure="gewerbeanmeldung",
        form_version=1,
        submitted_at=datetime.now(UTC),
        contact=Contact(name="Hedwig Quirinus-Zwetschgenbaum", email="hedwig@example.org"),
        form=gewerbeanmeldung(**changes)["form"],
        case_number="WUR-2026-000042",
    )


def decision(case_id: UUID, outcome: str = "approved") -> CaseDecided:
    return CaseDecided(
        case_id=case_id,
        procedure="gewerbeanmeldung",
        outcome=outcome,
        decided_by="automation",
        on_behalf_of=WURZEN,
        rule_outcomes=[],
        decided_at=datetime.now(UTC),
    )


async def react(rt: Runtime, *envelopes: Envelope[DomainEvent]) -> None:
    handle = projection(rt).handle
    for envelope in envelopes:
        async with rt.pool.acquire() as conn, conn.transaction():
            await conn.execute("SET LOCAL search_path TO rm_outbox, public")
            await handle(conn, envelope)


async def forwarded(rt: Runtime, case_id: UUID) -> dict[str, Any]:
    rows = await rt.pool.fetch(
        "SELECT message_id, template, recipient, payload_type, payload FROM rm_outbox.outbox"
        " WHERE case_id = $1 AND template LIKE 'xgewerbeanzeige.%'",
        case_id,
    )
    return {row["template"]: row for row in rows}


async def waiting(rt: Runtime, case_id: UUID) -> Any:
    return await rt.pool.fetchval(
        "SELECT application FROM rm_outbox.registrations WHERE case_id = $1", case_id
    )


@pytest.mark.parametrize("decision_first", [True, False])
async def test_an_approval_is_forwarded_once_to_each_body_in_either_order(
    town: Runtime, decision_first: bool
) -> None:
    case_id, key = new_id(), f"key-{new_id()}"
    submitted = await sealed(town, application(case_id), str(case_id), key)
    decided = await sealed(town, decision(case_id), str(case_id), None)
    await react(town, *((decided, submitted) if decision_first else (submitted, decided)))

    found = await forwarded(town, case_id)
    assert sorted(found) == ["xgewerbeanzeige.finanzamt", "xgewerbeanzeige.ihk"]  # no craft
    for template, row in found.items():
        assert row["message_id"] == derived_id(case_id, template)
        assert row["payload_type"] == "application/xml"
        assert b"abh.gewerbemeldung.0500" in row["payload"]
        assert b"Quirinus-Zwetschgenbaum" in row["payload"]
    assert found["xgewerbeanzeige.ihk"]["recipient"] == "ihk@behoerden.example"
    assert await waiting(town, case_id) is None  # the sealed form is dropped

    await react(town, submitted, decided, submitted)  # everything delivered again
    assert len(await forwarded(town, case_id)) == 2
    assert await waiting(town, case_id) is None  # a replayed form is not kept again


async def test_a_rejection_forwards_nothing_and_keeps_nothing(town: Runtime) -> None:
    case_id, key = new_id(), f"key-{new_id()}"
    await react(
        town,
        await sealed(town, application(case_id), str(case_id), key),
        await sealed(town, decision(case_id, "rejected"), str(case_id), None),
    )
    assert await forwarded(town, case_id) == {}
    assert await waiting(town, case_id) is None


async def test_an_erasure_drops_the_waiting_registration_and_the_unsent_xml(
    town: Runtime,
) -> None:
    waiting_case, sent_case, key = new_id(), new_id(), f"key-{new_id()}"
    await react(
        town,
        await sealed(town, application(waiting_case), str(waiting_case), key),
        await sealed(town, application(sent_case), str(sent_case), key),
        await sealed(town, decision(sent_case), str(sent_case), None),
    )
    assert await waiting(town, waiting_case) is not None
    assert all(row["payload"] for row in (await forwarded(town, sent_case)).values())

    erased = PersonalDataErased(
        data_key=key, case_id=waiting_case, reason="Löschfrist", erased_at=datetime.now(UTC)
    )
    await react(town, await sealed(town, erased, key, None))
    assert (
        await town.pool.fetchval(
            "SELECT count(*) FROM rm_outbox.registrations WHERE case_id = $1", waiting_case
        )
        == 0
    )
    assert all(row["payload"] is None for row in (await forwarded(town, sent_case)).values())
