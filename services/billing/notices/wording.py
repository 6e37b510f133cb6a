"""The fee notice's German text: amounts, dates, the sentences and the notices it must carry.

Amounts are written as German readers expect them ("1.234,50 €"), dates as "04.05.2026".
The legal remedy notice names the body, the form and the period (a notice that gets one
of them wrong lets the period run for a year instead of a month, § 58 (2) VwGO); a fee
notice is open to an objection (Widerspruch) within one month at the competent town
(§ 70 VwGO). An objection does not stay a demand for fees (§ 80 (2) sentence 1 no. 1
VwGO), so the notice says the fee is due all the same. The notice is made by machine and
valid without a signature (§ 37 (5) VwVfG); where another town's clerk decided the case,
the closing says so: "Im Auftrag", the clerk, their town, for the competent town.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from services.billing.notices.notice import FeeNotice, Letterhead

NO_SIGNATURE = "Dieser Bescheid wurde maschinell erstellt und ist ohne Unterschrift gültig."


def euro(amount: Decimal) -> str:
    """``Decimal('1234.5')`` → ``1.234,50 €`` (thousands with dots, cents after a comma)."""
    english = f"{amount:,.2f}"
    return english.replace(",", " ").replace(".", ",").replace(" ", ".") + " €"


def day(value: date) -> str:
    """``04.05.2026``."""
    return f"{value:%d.%m.%Y}"


def iban(compact: str) -> str:
    """An IBAN in groups of four, as it is printed: ``DE89 3704 0044 0532 0130 00``."""
    return " ".join(compact[start : start + 4] for start in range(0, len(compact), 4))


def subject(notice: FeeNotice) -> str:
    """The subject line."""
    kind = "Geänderter Gebührenbescheid" if notice.replaces else "Gebührenbescheid"
    return f"{kind} – {notice.procedure_title}"


def opening(notice: FeeNotice) -> list[str]:
    """What is charged for, and which notice this one replaces."""
    paragraphs = [
        f"für Ihren Antrag „{notice.procedure_title}“ (Vorgangsnummer {notice.case_number}),"
        f" über den am {day(notice.decided_on)} entschieden wurde, werden folgende"
        " Verwaltungskosten festgesetzt:"
    ]
    if notice.replaces:
        dated = f" vom {day(notice.replaces_dated)}" if notice.replaces_dated else ""
        paragraphs.append(
            f"Dieser Bescheid ersetzt den Gebührenbescheid{dated} mit dem Kassenzeichen"
            f" {notice.replaces}; jener wird hiermit aufgehoben."
        )
        if notice.reason:
            paragraphs.append(f"Grund der Änderung: {notice.reason}")
    return paragraphs


def legal_basis(notice: FeeNotice) -> str:
    """The provisions the fee rests on."""
    return f"Rechtsgrundlage: {notice.legal_basis}."


def payment_request(notice: FeeNotice) -> str:
    """How much, by when, with which reference."""
    return (
        f"Bitte überweisen Sie den Gesamtbetrag von {euro(notice.total)} bis zum"
        f" {day(notice.due_on)} unter Angabe des Kassenzeichens {notice.kassenzeichen}"
        " auf folgendes Konto:"
    )


def account_rows(notice: FeeNotice) -> list[tuple[str, str]]:
    """The bank details as label and value."""
    account = notice.letterhead.account
    rows = [("Empfänger", account.holder), ("IBAN", iban(account.iban)), ("BIC", account.bic)]
    if account.bank:
        rows.append(("Kreditinstitut", account.bank))
    rows += [
        ("Verwendungszweck", notice.kassenzeichen),
        ("Betrag", euro(notice.total)),
    ]
    return rows


def hints(notice: FeeNotice) -> list[str]:
    """What follows from the notice: due despite an objection; what late payment costs."""
    return [
        "Ein Widerspruch gegen diesen Bescheid hat keine aufschiebende Wirkung (§ 80 Abs. 2"
        " Satz 1 Nr. 1 VwGO); der festgesetzte Betrag ist auch dann bis zum"
        f" {day(notice.due_on)} zu zahlen.",
        "Wird der Betrag nicht bis zum Fälligkeitstag gezahlt, können Säumniszuschläge und"
        " Mahngebühren erhoben werden.",
    ]


def remedy(notice: FeeNotice) -> str:
    """Rechtsbehelfsbelehrung: Widerspruch within one month, at the competent town's address."""
    return remedy_at(notice.letterhead)


def remedy_at(head: Letterhead) -> str:
    """Rechtsbehelfsbelehrung for a notice of ``head``'s town."""
    return (
        "Gegen diesen Bescheid kann innerhalb eines Monats nach seiner Bekanntgabe Widerspruch"
        " erhoben werden. Der Widerspruch ist schriftlich oder zur Niederschrift bei der"
        f" {head.authority}, {head.street}, {head.postcode} {head.city}, einzulegen."
    )


def closing(notice: FeeNotice) -> tuple[str, ...]:
    """The greeting, who issues the notice, and the note that it needs no signature."""
    official = notice.letterhead.official_name
    if notice.on_behalf and notice.decided_by is not None:
        clerk = notice.decided_by
        signed: tuple[str, ...] = ("Im Auftrag", clerk.name, clerk.town, f"für die {official}")
    else:
        signed = (official,)
    return ("Mit freundlichen Grüßen", *signed, NO_SIGNATURE)
