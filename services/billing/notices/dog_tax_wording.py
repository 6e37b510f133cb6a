"""The Hundesteuerbescheid's German text: the tax per dog, the instalments, how it is paid.

Amounts, dates and IBANs are written as on the fee notice (``wording``), and so are the legal
remedy notice (Widerspruch within one month at the town, § 70 VwGO), the note that an
objection does not stay a demand for public charges (§ 80 (2) sentence 1 no. 1 VwGO) and
the note that a notice made by machine needs no signature (§ 37 (5) VwVfG). With a
direct debit the notice is also the pre-notification the SEPA rulebook asks for: it names
each day and amount, the mandate's reference and the creditor's id.
"""

from __future__ import annotations

from decimal import Decimal

from services.billing.notices.dog_tax_notice import DogTaxNotice, TaxLine
from services.billing.notices.wording import NO_SIGNATURE, day, euro, iban, remedy_at


def subject(notice: DogTaxNotice) -> str:
    """The subject line."""
    return f"Hundesteuerbescheid für das Jahr {notice.year}"


def opening(notice: DogTaxNotice) -> str:
    """What is taxed."""
    return (
        f"für das Kalenderjahr {notice.year} wird für die von Ihnen gehaltenen Hunde folgende"
        " Hundesteuer festgesetzt:"
    )


def dogs(notice: DogTaxNotice) -> str:
    """The register's dogs and their tax tags."""
    named = ", ".join(f"„{dog.name}“ (Steuermarke Nr. {dog.tag_number})" for dog in notice.dogs)
    return f"Ihre angemeldeten Hunde: {named}."


def line_label(line: TaxLine) -> str:
    """A dog, its months and its annual rate."""
    months = f"{_number(line.months)} von 12 Monaten"
    return f"{line.label}: {months} zu {euro(line.annual_rate)} jährlich"


def rounding(notice: DogTaxNotice) -> str | None:
    """Why the lines do not add up to the total to the cent (None: they do)."""
    if not notice.rounded_once:
        return None
    return (
        "Die Monatsanteile sind auf volle Cent gezeigt; die Jahressteuer wird aus ihren"
        " genauen Werten berechnet und einmal kaufmännisch gerundet."
    )


def instalment_rows(notice: DogTaxNotice) -> list[tuple[str, str]]:
    """Each instalment: "1. Rate, fällig am 15.02.2027" and its amount."""
    if len(notice.instalments) == 1:
        return [(f"Fällig am {day(notice.first.on)}", euro(notice.first.amount))]
    return [
        (f"{number}. Rate, fällig am {day(due.on)}", euro(due.amount))
        for number, due in enumerate(notice.instalments, start=1)
    ]


def payment_request(notice: DogTaxNotice) -> str:
    """How the tax is paid: collected by direct debit, or transferred by the due days."""
    if notice.direct_debit:
        creditor = (
            f", Gläubiger-Identifikationsnummer {notice.creditor_id}" if notice.creditor_id else ""
        )
        return (
            "Die Hundesteuer wird zu den oben genannten Fälligkeitstagen in den genannten"
            " Beträgen per SEPA-Lastschrift von Ihrem Konto eingezogen (Mandatsreferenz"
            f" {notice.mandate_reference}{creditor}). Sie brauchen nichts zu überweisen;"
            " bitte sorgen Sie an diesen Tagen für ausreichende Deckung. Dieser Bescheid"
            " kündigt die Lastschriften an."
        )
    return (
        "Bitte überweisen Sie jede Rate bis zu ihrem Fälligkeitstag unter Angabe des"
        f" Kassenzeichens {notice.kassenzeichen} auf folgendes Konto. Der GiroCode enthält die"
        f" erste Rate ({euro(notice.first.amount)}, fällig am {day(notice.first.on)});"
        " für die weiteren Raten ändern Sie in Ihrer Banking-App den Betrag."
    )


def account_rows(notice: DogTaxNotice) -> list[tuple[str, str]]:
    """The town's account as label and value (for a transfer)."""
    account = notice.letterhead.account
    rows = [("Empfänger", account.holder), ("IBAN", iban(account.iban)), ("BIC", account.bic)]
    if account.bank:
        rows.append(("Kreditinstitut", account.bank))
    rows.append(("Verwendungszweck", notice.kassenzeichen))
    return rows


def girocode_caption(notice: DogTaxNotice) -> str:
    """What is printed under the code."""
    return "GiroCode: erste Rate" if len(notice.instalments) > 1 else "Bezahlen mit GiroCode"


def legal_basis(notice: DogTaxNotice) -> str:
    """The statute the tax rests on."""
    return f"Rechtsgrundlage: {notice.legal_basis}."


def hints(notice: DogTaxNotice) -> list[str]:
    """What follows from the notice."""
    last = notice.instalments[-1]
    return [
        "Ein Widerspruch gegen diesen Bescheid hat keine aufschiebende Wirkung (§ 80 Abs. 2"
        " Satz 1 Nr. 1 VwGO); die Raten sind auch dann zu ihren Fälligkeitstagen zu zahlen.",
        "Wird eine Rate nicht bis zu ihrem Fälligkeitstag gezahlt, können Säumniszuschläge"
        f" und Mahngebühren erhoben werden. Die letzte Rate ist am {day(last.on)} fällig.",
        "Bitte melden Sie einen Hund innerhalb von zwei Wochen ab, sobald Sie ihn nicht mehr"
        " halten (Hundesteuer-Abmeldung).",
    ]


def remedy(notice: DogTaxNotice) -> str:
    """Rechtsbehelfsbelehrung."""
    return remedy_at(notice.letterhead)


def closing(notice: DogTaxNotice) -> tuple[str, ...]:
    """The greeting, the town, and the note that it needs no signature."""
    return ("Mit freundlichen Grüßen", notice.letterhead.official_name, NO_SIGNATURE)


def _number(value: Decimal) -> str:
    """``Decimal('12')`` → ``12``; ``Decimal('2.5')`` → ``2,5``."""
    return f"{value.normalize():f}".replace(".", ",")
