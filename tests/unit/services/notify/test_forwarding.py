"""Who gets a trade registration, from the member files; what the e-mail forwarder queues."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest

from runtime.members import read_member_files
from services.notify.attachments import open_attachments
from services.notify.composing import compose
from services.notify.domain.forwarding import (
    KINDS,
    ForwardingConfigInvalid,
    Recipient,
    from_member_file,
    select,
)
from services.notify.domain.templates import Letterhead
from services.notify.forwarding import EmailForwarder, Forwarding
from services.notify.settings import NotifySettings

MEMBERS = Path(__file__).parents[4] / "deploy" / "members"
CONFIGURED = {
    kind: {"name": f"Stelle {kind}", "email": f"{kind}@behoerden.example"} for kind in KINDS
}


def kinds(recipients: list[Recipient]) -> list[str]:
    return [recipient.kind for recipient in recipients]


def test_a_craft_goes_to_the_handwerkskammer_and_not_to_the_ihk() -> None:
    assert kinds(select(CONFIGURED, craft=True)) == [
        "finanzamt",
        "handwerkskammer",
        "statistik",
        "gewerbeaufsicht",
    ]


def test_any_other_trade_goes_to_the_ihk_and_not_to_the_handwerkskammer() -> None:
    assert kinds(select(CONFIGURED, craft=False)) == [
        "finanzamt",
        "ihk",
        "statistik",
        "gewerbeaufsicht",
    ]


def test_a_body_the_town_does_not_name_is_skipped() -> None:
    only = {"finanzamt": CONFIGURED["finanzamt"]}
    [recipient] = select(only, craft=False)
    assert recipient == Recipient("finanzamt", "Stelle finanzamt", "finanzamt@behoerden.example")
    assert recipient.template == "xgewerbeanzeige.finanzamt"
    assert select({}, craft=True) == []


@pytest.mark.parametrize(
    "section",
    [
        {"finanzamtt": {"name": "Finanzamt", "email": "fa@behoerden.example"}},
        {"ihk": {"name": "IHK"}},
        {"ihk": {"name": "IHK", "email": "ihk@behoerden.example", "fax": "1"}},
        {"ihk": {"name": " ", "email": "ihk@behoerden.example"}},
        {"ihk": {"name": "IHK", "email": "keine Adresse"}},
    ],
)
def test_a_broken_forwarding_section_is_refused(section: dict[str, Any]) -> None:
    with pytest.raises(ForwardingConfigInvalid):
        from_member_file(section)


def test_every_member_town_names_all_five_bodies() -> None:
    members = read_member_files(MEMBERS)
    assert len(members) >= 18
    for member in members:
        recipients = from_member_file(member["notify"]["forwarding"])
        assert sorted(recipients) == sorted(KINDS), member["town"]["ags"]
        assert all(r["email"].endswith(".example") for r in recipients.values())


WURZEN = Letterhead(
    official_name="Große Kreisstadt Wurzen",
    authority="Stadtverwaltung Wurzen",
    office="Gewerbeamt",
    street="Friedrich-Ebert-Straße 2",
    postcode="04808",
    city="Wurzen",
    phone="+49 3425 0000-0",
    email="buergerservice@wurzen.rathauscloud.example",
    website="https://www.wurzen.de",
)


async def test_the_email_forwarder_attaches_the_message_as_xml_to_a_german_cover_mail() -> None:
    case_id, message_id = uuid4(), uuid4()
    ihk = Recipient("ihk", "IHK zu Leipzig", "ihk@behoerden.example")
    outgoing = EmailForwarder().outgoing(
        Forwarding(
            message_id=message_id,
            tenant="14729410",
            town="14729410",
            letterhead=WURZEN,
            recipient=ihk,
            case_id=case_id,
            case_number="WUR-2026-000017",
            submitted_at=datetime(2026, 11, 30, 10, 0, tzinfo=UTC),
            data_key="key-1",
            correlation_id=None,
            xml=b"<xga:abh.gewerbemeldung.0500/>",
        )
    )
    assert outgoing.template == "xgewerbeanzeige.ihk"
    assert outgoing.recipient == "ihk@behoerden.example"
    assert outgoing.data_key == "key-1"  # an erasure drops it while undelivered
    assert outgoing.payload == (
        "xgewerbeanzeige-WUR-2026-000017.xml",
        "application/xml",
        b"<xga:abh.gewerbemeldung.0500/>",
    )
    assert "Gewerbeanmeldung vom 30.11.2026 (Vorgangsnummer WUR-2026-000017)" in (
        outgoing.message.body
    )
    assert outgoing.message.subject.startswith("Gewerbeanmeldung WUR-2026-000017")

    # The sender attaches the file the row holds (no object store involved).
    row = {
        "message_id": message_id,
        "recipient": outgoing.recipient,
        "subject": outgoing.message.subject,
        "body": outgoing.message.body,
        "html": None,
        "profile": {"official_name": WURZEN.official_name, "email": WURZEN.email},
        "attachments": [],
        "data_key": "key-1",
        "payload_name": outgoing.payload[0],
        "payload_type": outgoing.payload[1],
        "payload": outgoing.payload[2],
    }
    attachments = await open_attachments(None, row)  # type: ignore[arg-type]
    mail: EmailMessage = compose(row, NotifySettings.model_construct(), attachments)
    [attached] = list(mail.iter_attachments())
    assert attached.get_content_type() == "application/xml"
    assert attached.get_filename() == "xgewerbeanzeige-WUR-2026-000017.xml"
    assert attached.get_payload(decode=True) == b"<xga:abh.gewerbemeldung.0500/>"
