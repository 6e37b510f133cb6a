"""The case's messages: one template each, German, on the town's letterhead; the attachment."""

from __future__ import annotations

from datetime import UTC, date, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from services.notify.attachments import Attachment
from services.notify.composing import compose
from services.notify.domain import templates
from services.notify.domain.templates import Letterhead
from services.notify.settings import NotifySettings

WURZEN = Letterhead(
    official_name="Große Kreisstadt Wurzen",
    authority="Stadtverwaltung Wurzen",
    office="Straßenverkehrsbehörde",
    street="Friedrich-Ebert-Straße 2",
    postcode="04808",
    city="Wurzen",
    phone="+49 3425 0000-0",
    email="buergerservice@wurzen.example",
    website="https://www.wurzen.de",
)
TRACKING = "https://wurzen.example/antraege/abc?t=geheim"
VA = "verkehrsrechtliche-anordnung"
TITLE = "Verkehrsrechtliche Anordnung für Arbeiten im Straßenraum"


def test_decision_names_the_attached_letter_and_its_bekanntgabe() -> None:
    message = templates.decision(
        WURZEN,
        name="Bruno Kellermann",
        procedure=VA,
        case_number="WUR-2026-000017",
        document_title="Bescheid",
        filename="bescheid-1.pdf",
        tracking_url=TRACKING,
    )
    assert message.subject == f"Bescheid: {TITLE} – Große Kreisstadt Wurzen"
    assert message.body.startswith("Guten Tag Bruno Kellermann,\n\n")
    assert "(Vorgangsnummer WUR-2026-000017) wurde entschieden" in message.body
    assert "Den Bescheid finden Sie im Anhang dieser E-Mail (bescheid-1.pdf)." in message.body
    assert "am dritten Tag nach dem Versand" in message.body
    assert TRACKING in message.body
    assert message.body.endswith(WURZEN.signature())


def test_a_closing_notice_is_not_made_known() -> None:
    message = templates.decision(
        WURZEN,
        name="Hedwig",
        procedure="maengelmelder",
        case_number="WUR-1",
        document_title="Abschlussmitteilung",
        filename="bescheid-1.pdf",
        made_known=False,
    )
    assert message.subject.startswith("Abschlussmitteilung: Mängelmelder")
    assert "bekannt gegeben" not in message.body


def test_information_request_carries_question_due_date_and_link() -> None:
    message = templates.information_request(
        WURZEN,
        name="Bruno Kellermann",
        procedure=VA,
        case_number="WUR-2026-000017",
        question="Bitte reichen Sie den Plan „B II/1“ nach.",
        due=date(2026, 5, 18),
        tracking_url=TRACKING,
    )
    assert message.subject == f"Rückfrage zu Ihrem Antrag: {TITLE} – Große Kreisstadt Wurzen"
    assert "Bitte reichen Sie den Plan „B II/1“ nach." in message.body
    assert "bis zum 18.05.2026 auf der Seite Ihres Antrags" in message.body
    assert TRACKING in message.body


def test_hearing_invitation_asks_the_body_by_a_date_with_its_link() -> None:
    message = templates.hearing_invitation(
        WURZEN,
        body_name="Polizeirevier Grimma",
        procedure=VA,
        case_number="WUR-2026-000017",
        subject="Vollsperrung der Wenceslaigasse",
        due=date(2026, 5, 18),
        answer_url="https://casework.example/anhoerung/x",
    )
    assert message.subject == f"Anhörung: {TITLE} (WUR-2026-000017) – Große Kreisstadt Wurzen"
    assert message.body.startswith("An: Polizeirevier Grimma\n\nSehr geehrte Damen und Herren,")
    assert "Gegenstand: Vollsperrung der Wenceslaigasse" in message.body
    assert "bis zum 18.05.2026 über diesen Link:\nhttps://casework.example/anhoerung/x" in (
        message.body
    )


def test_status_report_says_the_status_in_words_with_the_note() -> None:
    message = templates.status_report(
        WURZEN,
        name="Hedwig",
        procedure="maengelmelder",
        case_number="WUR-1",
        status="behoben",
        note="Das Schlagloch wurde verfüllt.",
        tracking_url=None,
    )
    assert message.subject == "Sachstand: Mängelmelder – Große Kreisstadt Wurzen"
    assert "Der gemeldete Mangel ist behoben.\n\nDas Schlagloch wurde verfüllt." in message.body


def test_deadline_near_greets_the_clerk_or_the_desk() -> None:
    near = templates.deadline_near(
        WURZEN,
        clerk_name="Petra Sachse",
        procedure=VA,
        case_number="WUR-1",
        deadline=date(2026, 5, 18),
        passed=False,
    )
    passed = templates.deadline_near(
        WURZEN,
        clerk_name=None,
        procedure=VA,
        case_number="WUR-1",
        deadline=date(2026, 5, 4),
        passed=True,
    )
    assert near.subject == f"Frist läuft bald ab: WUR-1 – {TITLE}"
    assert near.body.startswith("Guten Tag Petra Sachse,")
    assert "endet am 18.05.2026" in near.body
    assert passed.subject == f"Frist ist abgelaufen: WUR-1 – {TITLE}"
    assert passed.body.startswith("Guten Tag,")
    assert "ist am 04.05.2026 abgelaufen" in passed.body


def test_new_case_tells_the_desk_what_waits_without_naming_the_applicant() -> None:
    own = templates.new_case(
        WURZEN,
        procedure=VA,
        case_number="WUR-1",
        competent_town=None,
        deadline=date(2026, 5, 18),
        prepared=None,
        open_checks=1,
    )
    delegated = templates.new_case(
        WURZEN,
        procedure=VA,
        case_number="WUR-1",
        competent_town="Große Kreisstadt Wurzen",
        deadline=None,
        prepared="approved",
        open_checks=0,
    )
    assert own.subject == f"Neuer Vorgang in der Warteschlange: WUR-1 – {TITLE}"
    assert f"in der Warteschlange „{TITLE}“" in own.body
    assert "Zu entscheiden bis: 18.05.2026" in own.body
    assert "konnte 1 Punkt nicht bestätigen" in own.body
    assert "Zuständig:" not in own.body
    assert "Zuständig: Große Kreisstadt Wurzen (Sie bearbeiten" in delegated.body
    assert "Zu entscheiden bis" not in delegated.body
    assert "eine Genehmigung vorbereitet" in delegated.body
    assert "WUR-1" in own.html


def test_withdrawal_confirms_the_day_in_german_time() -> None:
    message = templates.withdrawal(
        WURZEN,
        name="Bruno Kellermann",
        procedure=VA,
        case_number="WUR-1",
        withdrawn_at=datetime(2026, 5, 4, 22, 30, tzinfo=UTC),  # 00:30 on the 5th in Wurzen
    )
    assert message.subject == f"Rücknahme bestätigt: {TITLE} – Große Kreisstadt Wurzen"
    assert "am 05.05.2026 zurückgenommen" in message.body
    assert "eine Entscheidung ergeht nicht" in message.body


def test_objection_received_names_both_case_numbers() -> None:
    message = templates.objection_received(
        WURZEN,
        name="Hedwig",
        procedure="gewerbeanmeldung",
        objected_case_number="WUR-1",
        case_number="WUR-2",
        lodged_at=datetime(2026, 5, 4, 8, 0, tzinfo=UTC),
        tracking_url=TRACKING,
    )
    assert (
        message.subject == "Eingang Ihres Widerspruchs: Gewerbeanmeldung – Große Kreisstadt Wurzen"
    )
    assert "Ihr Widerspruch vom 04.05.2026" in message.body
    assert "(Vorgangsnummer WUR-1) ist bei der Stadtverwaltung Wurzen eingegangen" in message.body
    assert "unter der Vorgangsnummer WUR-2 bearbeitet" in message.body


def test_the_attachment_travels_as_a_pdf_part_beside_the_text() -> None:
    row: dict[str, Any] = {
        "profile": {"official_name": "Große Kreisstadt Wurzen", "email": "a@wurzen.example"},
        "recipient": "bruno@example.org",
        "subject": "Bescheid: X",
        "body": "Guten Tag",
        "message_id": "0190f3c4-6b1a-7cc2-9a1e-5d0c2b7e4f10",
    }
    pdf = b"%PDF-1.7\n\xe2\x80\x9e binary \x00\n%%EOF"
    mail = compose(
        row,
        NotifySettings(environment="test"),
        [Attachment("bescheid-1.pdf", "application/pdf", pdf)],
    )

    parsed = message_from_bytes(mail.as_bytes(), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    [part] = list(parsed.iter_attachments())
    assert part.get_content_type() == "application/pdf"
    assert part.get_filename() == "bescheid-1.pdf"
    assert part.get_payload(decode=True) == pdf
    text = parsed.get_body(("plain",))
    assert text is not None
    assert text.get_content().strip() == "Guten Tag"
    assert "Große Kreisstadt Wurzen" in str(parsed["From"])
