"""Every kind of message with made-up data, for the operators' preview (pure).

The preview (``template_api``) renders a kind on a town's real letterhead with these values,
so an operator sees a town's own wording, signature and coat of arms before any citizen does.
The data is fictitious throughout (no person, a test IBAN).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from services.notify.domain import invoice_templates, tax_templates, templates
from services.notify.domain.templates import Letterhead, Message, Payment, Reminder

NAME = "Erika Mustermann"
PROCEDURE = "gewerbeanmeldung"
CASE = "WUR-2026-000042"
TRACKING = "https://rathauscloud.example/antrag/status?t=Beispiel"
IBAN = "DE02120300000000202051"
PAYMENT = Payment(
    Decimal("26.00"), date(2026, 12, 31), "KZ-2026-0042", "Stadtkasse", IBAN, "BYLADEM1001"
)


@dataclass(frozen=True)
class Sample:
    """A kind's title (German, for the operators' list), its office and its rendering."""

    title: str
    render: Callable[[Letterhead], Message]
    procedure: str | None = PROCEDURE
    """Whose competent office signs (``None``: the office the kind names itself)."""
    office: str | None = None


def _reminder(town: Letterhead) -> Message:
    return templates.reminder(
        town,
        name=NAME,
        procedure=PROCEDURE,
        case_number=CASE,
        reminder=Reminder(
            open_amount=Decimal("26.00"),
            reminder_fee=Decimal("5.00"),
            amount_due=Decimal("31.00"),
            original_due_date=date(2026, 12, 31),
            due_date=date(2027, 1, 14),
            cash_reference="KZ-2026-0042",
            payee="Stadtkasse",
            iban=IBAN,
            bic="BYLADEM1001",
        ),
    )


def _dog_tax(town: Letterhead) -> Message:
    return tax_templates.dog_tax_notice(
        town,
        name=NAME,
        year=2027,
        filename="hundesteuerbescheid-2027.pdf",
        payment=tax_templates.TaxPayment(
            amount=Decimal("96.00"),
            instalments=(
                (date(2027, 2, 15), Decimal("48.00")),
                (date(2027, 8, 15), Decimal("48.00")),
            ),
            cash_reference="KZ-HST-2027-0007",
            payee="Stadtkasse",
            iban=IBAN,
            bic="BYLADEM1001",
        ),
    )


SAMPLES: dict[str, Sample] = {
    "acknowledgement": Sample(
        "Eingangsbestätigung",
        lambda town: templates.acknowledgement(
            town,
            name=NAME,
            procedure=PROCEDURE,
            application_id="0190f3c4-6b1a-7cc2-9a1e-5d0c2b7e4f10",
            submitted_at=datetime(2026, 12, 1, 9, 30, tzinfo=UTC),
            tracking_url=TRACKING,
            case_number=CASE,
        ),
    ),
    "information_request": Sample(
        "Rückfrage",
        lambda town: templates.information_request(
            town,
            name=NAME,
            procedure=PROCEDURE,
            case_number=CASE,
            question="Bitte reichen Sie eine Kopie Ihres Personalausweises nach.",
            due=date(2026, 12, 15),
            tracking_url=TRACKING,
        ),
    ),
    "hearing_invitation": Sample(
        "Anhörung",
        lambda town: templates.hearing_invitation(
            town,
            body_name="Polizeirevier (Beispiel)",
            procedure="verkehrsrechtliche-anordnung",
            case_number=CASE,
            subject="Halteverbot für einen Umzug, Marktplatz 1",
            due=date(2026, 12, 10),
            answer_url="https://rathauscloud.example/anhoerung/Beispiel",
        ),
        procedure="verkehrsrechtliche-anordnung",
    ),
    "decision": Sample(
        "Bescheid",
        lambda town: templates.decision(
            town,
            name=NAME,
            procedure=PROCEDURE,
            case_number=CASE,
            document_title="Bescheid",
            filename="bescheid-WUR-2026-000042.pdf",
            tracking_url=TRACKING,
        ),
    ),
    "fee_notice": Sample(
        "Gebührenbescheid",
        lambda town: templates.fee_notice(
            town,
            name=NAME,
            procedure=PROCEDURE,
            case_number=CASE,
            filename="gebuehrenbescheid-WUR-2026-000042.pdf",
            payment=PAYMENT,
        ),
    ),
    "fee_invoice": Sample(
        "E-Rechnung (XRechnung)",
        lambda town: templates.fee_invoice(
            town,
            procedure=PROCEDURE,
            case_number=CASE,
            filename="xrechnung-KZ-2026-0042.xml",
            payment=PAYMENT,
        ),
    ),
    "reminder": Sample("Zahlungserinnerung (Mahnung)", _reminder),
    "status_report": Sample(
        "Sachstand",
        lambda town: templates.status_report(
            town,
            name=NAME,
            procedure="maengelmelder",
            case_number=CASE,
            status="behoben",
            note="Die Straßenlaterne wurde repariert.",
            tracking_url=TRACKING,
        ),
        procedure="maengelmelder",
    ),
    "withdrawal": Sample(
        "Rücknahme",
        lambda town: templates.withdrawal(
            town,
            name=NAME,
            procedure=PROCEDURE,
            case_number=CASE,
            withdrawn_at=datetime(2026, 12, 2, 10, tzinfo=UTC),
        ),
    ),
    "objection_received": Sample(
        "Eingang des Widerspruchs",
        lambda town: templates.objection_received(
            town,
            name=NAME,
            procedure=PROCEDURE,
            objected_case_number=CASE,
            case_number="WUR-2026-000043",
            lodged_at=datetime(2026, 12, 20, 10, tzinfo=UTC),
            tracking_url=TRACKING,
        ),
    ),
    "dog_tax_notice": Sample("Hundesteuerbescheid", _dog_tax, procedure="hundesteuer-anmeldung"),
    "invoice_rejection": Sample(
        "Zurückweisung einer Eingangsrechnung (an den Lieferanten)",
        lambda town: invoice_templates.invoice_rejection(
            town,
            seller_name="Muster GmbH",
            invoice_number="RE-2026-0815",
            reasons=["Die Leitweg-ID fehlt.", "Die Bestellnummer fehlt."],
        ),
        procedure=None,
        office=invoice_templates.OFFICE,
    ),
    "deadline_near": Sample(
        "Fristerinnerung (an die Sachbearbeitung)",
        lambda town: templates.deadline_near(
            town,
            clerk_name="Max Beispiel",
            procedure=PROCEDURE,
            case_number=CASE,
            deadline=date(2026, 12, 4),
            passed=False,
        ),
    ),
    "new_case": Sample(
        "Neuer Vorgang in der Warteschlange (an die Sachbearbeitung)",
        lambda town: templates.new_case(
            town,
            procedure=PROCEDURE,
            case_number=CASE,
            competent_town=None,
            deadline=date(2026, 12, 18),
            prepared=None,
            open_checks=2,
        ),
    ),
    "invoice_deadline_near": Sample(
        "Frist einer Eingangsrechnung (an die Sachbearbeitung)",
        lambda town: invoice_templates.invoice_deadline_near(
            town,
            kind="discount",
            deadline=date(2026, 12, 8),
            amount=Decimal("1176.00"),
            invoice_number="RE-2026-0815",
            seller_name="Muster GmbH",
        ),
        procedure=None,
        office=invoice_templates.OFFICE,
    ),
}
"""Every kind, in the order a case meets them; the keys are the outbox's template names."""
