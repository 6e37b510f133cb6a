"""The acknowledgement e-mail: German text on the town's letterhead, in German local time."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from contracts.events.intake import TownProfilePublished
from contracts.values import PostalAddress
from services.notify.domain.templates import Letterhead, acknowledgement

APPLICATION = "0190f3c4-6b1a-7cc2-9a1e-5d0c2b7e4f10"
TRACKING_URL = "https://wurzen.rathauscloud.example/antrag/0190f3c4/status?t=Zq8vN2xKp4"
PROFILE = TownProfilePublished(
    ags="14729410",
    name="Wurzen",
    official_name="Stadt Wurzen",
    kind="Stadt",
    district="Landkreis Leipzig",
    postcodes=["04808"],
    website="https://www.wurzen.de",
    email="buergerservice@wurzen.rathauscloud.example",
    phone="+49 3425 0000-0",
    leitweg_id="147290410410-0001-45",
    address=PostalAddress(street="Friedrich-Ebert-Straße 2", postcode="04808", city="Wurzen"),
)
WURZEN = Letterhead.from_profile(PROFILE.model_dump(mode="json"), office="Gewerbeamt")
SIGNATURE = (
    "Mit freundlichen Grüßen\n"
    "Gewerbeamt\n"
    "Stadt Wurzen\n"
    "\n"
    "Friedrich-Ebert-Straße 2\n"
    "04808 Wurzen\n"
    "Telefon: +49 3425 0000-0\n"
    "E-Mail: buergerservice@wurzen.rathauscloud.example\n"
    "https://www.wurzen.de\n"
)


def test_the_letterhead_is_taken_from_the_town_profile() -> None:
    letterhead = Letterhead.from_profile(PROFILE.model_dump(mode="json"), office="Gewerbeamt")

    assert letterhead == Letterhead(
        official_name="Stadt Wurzen",
        authority="Stadtverwaltung Wurzen",
        office="Gewerbeamt",
        street="Friedrich-Ebert-Straße 2",
        postcode="04808",
        city="Wurzen",
        phone="+49 3425 0000-0",
        email="buergerservice@wurzen.rathauscloud.example",
        website="https://www.wurzen.de",
        ags="14729410",
    )


def test_the_signature_names_office_town_address_and_contacts() -> None:
    assert WURZEN.signature() == SIGNATURE


def test_the_acknowledgement_confirms_receipt_with_case_number_and_tracking_link() -> None:
    message = acknowledgement(
        WURZEN,
        name="Hedwig Quirinus-Zwetschgenbaum",
        procedure="gewerbeanmeldung",
        application_id=APPLICATION,
        submitted_at=datetime(2026, 7, 14, 8, 5, tzinfo=UTC),
        tracking_url=TRACKING_URL,
        case_number="WUR-2026-000017",
    )

    assert message.subject == "Eingangsbestätigung: Gewerbeanmeldung – Stadt Wurzen"
    assert message.body == (
        "Guten Tag Hedwig Quirinus-Zwetschgenbaum,\n\n"
        "Ihr Antrag „Gewerbeanmeldung“ ist am 14.07.2026 um 10:05 Uhr bei der Stadtverwaltung "
        "Wurzen eingegangen.\n\n"
        "Vorgangsnummer: WUR-2026-000017\n"
        f"Antragskennung: {APPLICATION}\n\n"
        "Den Stand Ihres Antrags können Sie jederzeit hier verfolgen:\n"
        f"{TRACKING_URL}\n\n"
        "Bitte antworten Sie nicht auf diese automatisch erstellte E-Mail.\n\n"
        f"{SIGNATURE}"
    )


def test_without_a_tracking_link_the_tracking_paragraph_is_left_out() -> None:
    message = acknowledgement(
        WURZEN,
        name="Hedwig Quirinus-Zwetschgenbaum",
        procedure="gewerbeanmeldung",
        application_id=APPLICATION,
        submitted_at=datetime(2026, 7, 14, 8, 5, tzinfo=UTC),
        tracking_url=None,
    )

    assert "verfolgen" not in message.body
    assert "None" not in message.body
    assert (
        f"Vorgangsnummer: {APPLICATION}\nAntragskennung: {APPLICATION}\n\n"
        "Bitte antworten Sie nicht auf diese automatisch erstellte E-Mail.\n"
    ) in message.body


@pytest.mark.parametrize(
    ("submitted_at", "local"),
    [
        (datetime(2026, 12, 31, 23, 30, tzinfo=UTC), "am 01.01.2027 um 00:30 Uhr"),
        (datetime(2026, 7, 14, 22, 15, tzinfo=UTC), "am 15.07.2026 um 00:15 Uhr"),
        (datetime(2026, 3, 29, 0, 59, tzinfo=UTC), "am 29.03.2026 um 01:59 Uhr"),
        (datetime(2026, 3, 29, 1, 0, tzinfo=UTC), "am 29.03.2026 um 03:00 Uhr"),
        (datetime(2026, 1, 5, 7, 0, tzinfo=UTC), "am 05.01.2026 um 08:00 Uhr"),
    ],
    ids=["new-year-winter-time", "summer-time", "before-dst", "after-dst", "winter-time"],
)
def test_the_time_of_receipt_is_german_local_time(submitted_at: datetime, local: str) -> None:
    message = acknowledgement(
        WURZEN,
        name="Hedwig Quirinus-Zwetschgenbaum",
        procedure="gewerbeanmeldung",
        application_id=APPLICATION,
        submitted_at=submitted_at,
        tracking_url=None,
    )

    assert f"ist {local} bei der Stadtverwaltung Wurzen eingegangen." in message.body


def test_a_procedure_without_a_title_is_named_by_its_id() -> None:
    message = acknowledgement(
        WURZEN,
        name="Anna Schmidt",
        procedure="hundeanmeldung",
        application_id=APPLICATION,
        submitted_at=datetime(2026, 7, 14, 8, 5, tzinfo=UTC),
        tracking_url=None,
    )

    assert message.subject == "Eingangsbestätigung: hundeanmeldung – Stadt Wurzen"
    assert "Ihr Antrag „hundeanmeldung“ ist am" in message.body
