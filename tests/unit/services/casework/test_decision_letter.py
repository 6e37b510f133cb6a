"""The decision letter: from a decision and its application to a German PDF, read back."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from pypdf import PdfReader

from contracts.events.casework import CaseDecided, Clerk, FeeBasis, RuleOutcome
from contracts.procedures import DEFINITIONS
from services.casework.letters.assembly import Application, CaseFacts, assemble
from services.casework.letters.decision import LetterKind, compose
from services.casework.letters.particulars import PARTICULARS, addressee, read_form
from services.casework.letters.pdf import render
from tests.support.applications import AUGUSTUSBURG, WURZEN, example

CASE = UUID("0190f3c4-6b1a-7cc2-9a1e-5d0c2b7e4f10")
DECIDED_AT = datetime(2026, 5, 4, 7, 30, tzinfo=UTC)  # 09:30 in Wurzen
WURZEN_PROFILE: dict[str, Any] = {
    "name": "Wurzen",
    "official_name": "Große Kreisstadt Wurzen",
    "kind": "Stadt",
    "district": "Landkreis Leipzig",
    "address": {"street": "Friedrich-Ebert-Straße 2", "postcode": "04808", "city": "Wurzen"},
    "phone": "+49 3425 0000-0",
    "email": "buergerservice@wurzen.example",
    "website": "https://www.wurzen.de",
}
AUGUSTUSBURG_PROFILE = {
    **WURZEN_PROFILE,
    "name": "Augustusburg",
    "official_name": "Stadt Augustusburg",
    "district": "Landkreis Mittelsachsen",
}
SACHSE = Clerk(id="p.sachse", name="Petra Sachse", town=AUGUSTUSBURG)
KRAUSE = Clerk(id="k.krause", name="Karl Krause", town=WURZEN)


def decision(procedure: str, **changes: Any) -> CaseDecided:
    fields: dict[str, Any] = {
        "case_id": CASE,
        "procedure": procedure,
        "outcome": "approved",
        "decided_by": "automation",
        "on_behalf_of": WURZEN,
        "rule_outcomes": [],
        "decided_at": DECIDED_AT,
    }
    return CaseDecided(**{**fields, **changes})


def application(procedure: str, **form_changes: Any) -> Application:
    body = example(procedure, on=date(2026, 4, 20), **form_changes)
    return Application(
        procedure=procedure,
        form_version=1,
        form=body["form"],
        contact_name="Hedwig Quirinus-Zwetschgenbaum",
        submitted_at=datetime(2026, 4, 20, 8, 0, tzinfo=UTC),
        case_number="WUR-2026-000017",
    )


def letter_text(
    decided: CaseDecided,
    applied: Application,
    case: CaseFacts | None = None,
    office: str = "Gewerbeamt",
) -> str:
    """The PDF's text, whitespace made single (pypdf spaces justified lines)."""
    clerk_town = {WURZEN: WURZEN_PROFILE, AUGUSTUSBURG: AUGUSTUSBURG_PROFILE}
    letter = assemble(
        decided,
        case or CaseFacts(case_id=CASE, case_number="WUR-2026-000017"),
        applied,
        WURZEN_PROFILE,
        office,
        clerk_town.get(decided.clerk.town) if decided.clerk else None,
    )
    reader = PdfReader(io.BytesIO(render(letter)))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_a_traffic_order_decided_by_an_augustusburg_clerk_in_wurzens_name() -> None:
    decided = decision(
        "verkehrsrechtliche-anordnung",
        decided_by=f"clerk:p.sachse@{AUGUSTUSBURG}",
        clerk=SACHSE,
        conditions=["Die Zufahrt für Rettungsfahrzeuge ist jederzeit freizuhalten."],
        reasons=["Polizei und Feuerwehr haben der Vollsperrung zugestimmt."],
        fee=FeeBasis(amount=Decimal("120.00")),
    )
    text = letter_text(
        decided,
        application("verkehrsrechtliche-anordnung"),
        CaseFacts(
            case_id=CASE, case_number="WUR-2026-000017", file_reference="32.10.01/2026/00042"
        ),
        office="Straßenverkehrsbehörde",
    )

    # The competent town's letterhead, the addressee, the case.
    for part in (
        "Große Kreisstadt Wurzen",
        "Stadtverwaltung Wurzen · Straßenverkehrsbehörde",
        "Friedrich-Ebert-Straße 2 · 04808 Wurzen",
        "Telefon +49 3425 0000-0",
        "buergerservice@wurzen.example",
        "https://www.wurzen.de",
        "Muldental Tiefbau GmbH z. Hd. Bruno Kellermann Lüptitzer Straße 40 04808 Wurzen",
        "Vorgangsnummer WUR-2026-000017",
        "Aktenzeichen 32.10.01/2026/00042",
        "Datum 04.05.2026",
    ):
        assert part in text, part
    # Subject, tenor, the order with the RSA plan from the form, conditions, reasons, fee.
    title = "Verkehrsrechtliche Anordnung für Arbeiten im Straßenraum"
    assert f"Bescheid über Ihren Antrag „{title}“" in text
    assert f"Ihrem Antrag „{title}“ vom 20.04.2026 wird stattgegeben." in text
    assert "Verkehrszeichenplan Regelplan B II/1 der RSA 21" in text
    assert "Beschränkung Vollsperrung" in text
    assert "Umleitung Umleitung über Domgasse und Jacobsplatz" in text
    assert "Auflagen" in text
    assert "1. Die Zufahrt für Rettungsfahrzeuge ist jederzeit freizuhalten." in text
    assert "Begründung Polizei und Feuerwehr haben der Vollsperrung zugestimmt." in text
    assert "Rechtsgrundlage: § 45 Abs. 6 Straßenverkehrs-Ordnung (StVO)." in text
    assert "Gebühr 120,00 €" in text
    assert "Die Gebühr wird mit gesondertem Gebührenbescheid festgesetzt." in text
    # The remedy: objection within a month, at the competent town.
    assert (
        "Gegen diesen Bescheid kann innerhalb eines Monats nach seiner Bekanntgabe Widerspruch"
        " erhoben werden. Der Widerspruch ist schriftlich oder zur Niederschrift bei der"
        " Stadtverwaltung Wurzen, Friedrich-Ebert-Straße 2, 04808 Wurzen, einzulegen." in text
    )
    # Signed im Auftrag by the Augustusburg clerk, for Wurzen.
    assert (
        "Mit freundlichen Grüßen Im Auftrag Petra Sachse Stadt Augustusburg"
        " für die Große Kreisstadt Wurzen" in text
    )
    assert "automatisch erstellt" not in text


def test_an_automated_trade_registration_is_valid_without_a_signature() -> None:
    rules = [
        RuleOutcome(
            rule="applicant_must_be_of_age", passed=True, reason="Die Person ist volljährig."
        ),
        RuleOutcome(
            rule="business_must_be_in_town",
            passed=True,
            reason="Die Betriebsstätte liegt in Wurzen.",
        ),
    ]
    text = letter_text(
        decision("gewerbeanmeldung", rule_outcomes=rules), application("gewerbeanmeldung")
    )

    assert "Hedwig Quirinus-Zwetschgenbaum" in text
    assert "Ihrem Antrag „Gewerbeanmeldung“ vom 20.04.2026 wird stattgegeben." in text
    assert "automatisiert geprüft (§ 35a VwVfG)" in text
    assert "1. Die Person ist volljährig. 2. Die Betriebsstätte liegt in Wurzen." in text
    assert "Rechtsgrundlage: § 14 Gewerbeordnung (GewO)" in text
    assert (
        "Dieser Bescheid wurde automatisch erstellt und ist ohne Unterschrift gültig"
        " (§ 37 Abs. 5 VwVfG)." in text
    )
    assert "Im Auftrag" not in text
    assert "Auflagen" not in text
    assert "Widerspruch erhoben werden" in text


def test_a_rejection_by_a_clerk_of_the_competent_town() -> None:
    decided = decision(
        "sondernutzungserlaubnis",
        outcome="rejected",
        decided_by=f"clerk:k.krause@{WURZEN}",
        clerk=KRAUSE,
        reasons=["Der Marktplatz ist im beantragten Zeitraum für den Weihnachtsmarkt vergeben."],
    )
    text = letter_text(decided, application("sondernutzungserlaubnis"), office="Tiefbauamt")

    assert "Ihr Antrag „Sondernutzungserlaubnis" in text
    assert "wird abgelehnt." in text
    assert "für den Weihnachtsmarkt vergeben." in text
    assert "Erlaubte Sondernutzung" not in text  # a rejection grants nothing
    assert "Im Auftrag Karl Krause Große Kreisstadt Wurzen" in text
    assert "für die Große Kreisstadt Wurzen" not in text  # the clerk's own town decided


def test_a_dogs_rate_class_is_named_in_german() -> None:
    decided = decision(
        "hundesteuer-anmeldung",
        decided_by=f"clerk:k.krause@{WURZEN}",
        clerk=KRAUSE,
        fee=FeeBasis(rate_class="gefaehrlicher_hund", dogs_kept=2),
    )
    text = letter_text(
        decided, application("hundesteuer-anmeldung"), office="Steuer- und Kassenverwaltung"
    )

    assert "Steuerklasse Gefährlicher Hund (Liste der Satzung) Gehaltene Hunde 2" in text
    assert "gefaehrlicher_hund" not in text
    # A tax, set by a Steuerbescheid, not a fee.
    assert "Die Hundesteuer wird mit gesondertem Steuerbescheid festgesetzt." in text
    assert "Gebühr" not in text


def test_an_objection_gets_a_widerspruchsbescheid_with_the_court_remedy() -> None:
    decided = decision(
        "gewerbeanmeldung",
        outcome="rejected",
        decided_by=f"clerk:k.krause@{WURZEN}",
        clerk=KRAUSE,
        reasons=["Der Bescheid ist rechtmäßig; neue Tatsachen wurden nicht vorgetragen."],
    )
    case = CaseFacts(
        case_id=CASE,
        case_number="WUR-2026-000099",
        objection_lodged_at=datetime(2026, 4, 28, 10, 0, tzinfo=UTC),
        objected_decided_on=date(2026, 4, 21),
    )
    text = letter_text(decided, application("gewerbeanmeldung"), case)

    assert "Widerspruchsbescheid – Gewerbeanmeldung" in text
    assert (
        "Ihr Widerspruch vom 28.04.2026 gegen den Bescheid „Gewerbeanmeldung“ vom 21.04.2026"
        " (Vorgangsnummer WUR-2026-000017) wird zurückgewiesen." in text
    )
    assert "Vorgangsnummer WUR-2026-000099" in text
    assert (
        "Klage beim Verwaltungsgericht Leipzig, Rathenaustraße 40, 04179 Leipzig, erhoben" in text
    )
    assert "Widerspruch erhoben werden" not in text
    assert "Angaben zum Gewerbe" not in text


def test_a_defect_report_gets_a_short_closing_notice_without_remedy() -> None:
    decided = decision(
        "maengelmelder",
        decided_by=f"clerk:k.krause@{WURZEN}",
        clerk=KRAUSE,
        reasons=["Das Schlagloch wurde am 30.04.2026 verfüllt."],
    )
    applied = application("maengelmelder")
    text = letter_text(decided, applied, office="Bauhof")

    assert "Abschluss Ihrer Meldung – Mängelmelder" in text
    assert "Ihre Meldung vom 20.04.2026 ist bearbeitet; der Vorgang ist abgeschlossen." in text
    assert "Das Schlagloch wurde am 30.04.2026 verfüllt." in text
    assert "Rechtsbehelfsbelehrung" not in text
    assert "Rechtsgrundlage" not in text
    assert "Bescheid" not in text
    assert "Im Auftrag Karl Krause" in text


def test_umlauts_quotes_and_central_european_names_survive() -> None:
    decided = decision(
        "gewerbeanmeldung",
        decided_by=f"clerk:p.sachse@{AUGUSTUSBURG}",
        clerk=Clerk(id="x", name="Łucja Dvořáková-Größer", town=AUGUSTUSBURG),
        conditions=["Der Aushang „Öffnungszeiten“ ist gut sichtbar anzubringen – außen."],
    )
    applied = application(
        "gewerbeanmeldung",
        form__applicant__given_names="Zoë Ännchen",
        form__applicant__family_name="Müßiggang-Ørsted",
    )
    text = letter_text(decided, applied)

    assert "Zoë Ännchen Müßiggang-Ørsted" in text
    assert "Der Aushang „Öffnungszeiten“ ist gut sichtbar anzubringen – außen." in text
    assert "Im Auftrag Łucja Dvořáková-Größer Stadt Augustusburg" in text


def test_the_same_letter_gives_the_same_bytes_dated_at_the_decision() -> None:
    decided = decision("gewerbeanmeldung")
    letter = assemble(
        decided,
        CaseFacts(case_id=CASE),
        application("gewerbeanmeldung"),
        WURZEN_PROFILE,
        None,
        None,
    )
    first, second = render(letter), render(letter)

    assert first == second
    assert first.startswith(b"%PDF-")
    info = PdfReader(io.BytesIO(first)).metadata
    assert info is not None
    assert info.creation_date == DECIDED_AT
    assert info.title == "Bescheid über Ihren Antrag „Gewerbeanmeldung“"
    assert letter.letterhead.office == "Bürgerservice"  # no office offered: the default
    assert compose(letter).subject == info.title


def test_every_procedure_says_what_its_letter_adds() -> None:
    assert set(PARTICULARS) == {d.id for d in DEFINITIONS}
    assert PARTICULARS["maengelmelder"].kind is LetterKind.ABSCHLUSSMITTEILUNG


@pytest.mark.parametrize(
    ("procedure", "expected"),
    [
        ("gewerbeanmeldung", ("Hedwig Quirinus-Zwetschgenbaum", 2)),
        ("verkehrsrechtliche-anordnung", ("Muldental Tiefbau GmbH", 3)),
        ("hundesteuer-anmeldung", (None, 2)),
        ("maengelmelder", ("Hedwig Quirinus-Zwetschgenbaum", 0)),
    ],
)
def test_the_addressee_is_read_from_any_form(
    procedure: str, expected: tuple[str | None, int]
) -> None:
    applied = application(procedure)
    found = addressee(read_form(procedure, 1, applied.form), applied.contact_name)
    assert found is not None
    name, lines = expected
    if name:
        assert found.name == name
    assert len(found.lines) == lines
