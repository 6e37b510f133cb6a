"""The messages, in German, on each town's letterhead (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from contracts.calendar import GERMANY
from contracts.procedures import procedure_title


@dataclass(frozen=True)
class Message:
    """A rendered message."""

    subject: str
    body: str


@dataclass(frozen=True)
class Payment:
    """What a fee notice's mail says about paying: how much, by when, with which reference."""

    amount: Decimal
    due_date: date
    cash_reference: str
    payee: str
    iban: str
    bic: str


AUTHORITY = {"Stadt": "Stadtverwaltung", "Gemeinde": "Gemeindeverwaltung"}


@dataclass(frozen=True)
class Letterhead:
    """What a town signs its messages with."""

    official_name: str
    authority: str
    """How the text names the town hall: "Stadtverwaltung Wurzen", "Gemeindeverwaltung …"."""
    office: str
    street: str
    postcode: str
    city: str
    phone: str
    email: str
    website: str

    @classmethod
    def from_profile(cls, profile: dict[str, Any], office: str) -> Letterhead:
        """From a ``TownProfilePublished`` payload."""
        address = profile["address"]
        return cls(
            official_name=profile["official_name"],
            authority=f"{AUTHORITY.get(profile.get('kind', ''), 'Verwaltung')} {profile['name']}",
            office=office,
            street=address["street"],
            postcode=address["postcode"],
            city=address["city"],
            phone=profile["phone"],
            email=profile["email"],
            website=profile["website"],
        )

    def signature(self) -> str:
        """The closing block of every message."""
        return (
            f"Mit freundlichen Grüßen\n{self.office}\n{self.official_name}\n\n"
            f"{self.street}\n{self.postcode} {self.city}\n"
            f"Telefon: {self.phone}\nE-Mail: {self.email}\n{self.website}\n"
        )


def acknowledgement(
    town: Letterhead,
    *,
    name: str,
    procedure: str,
    application_id: str,
    submitted_at: datetime,
    tracking_url: str | None,
    case_number: str | None = None,
) -> Message:
    """Eingangsbestätigung: the application has arrived.

    It promises nothing that does not come: the tracking link shows every further step.
    """
    title = procedure_title(procedure)
    local = submitted_at.astimezone(GERMANY)
    follow = (
        f"Den Stand Ihres Antrags können Sie jederzeit hier verfolgen:\n{tracking_url}\n\n"
        if tracking_url
        else ""
    )
    body = (
        f"Guten Tag {name},\n\n"
        f"Ihr Antrag „{title}“ ist am {local:%d.%m.%Y} um {local:%H:%M} Uhr bei der "
        f"{town.authority} eingegangen.\n\n"
        f"Vorgangsnummer: {case_number or application_id}\n"
        f"Antragskennung: {application_id}\n\n"
        f"{follow}"
        "Bitte antworten Sie nicht auf diese automatisch erstellte E-Mail.\n\n"
        f"{town.signature()}"
    )
    return Message(subject=f"Eingangsbestätigung: {title} – {town.official_name}", body=body)


NO_REPLY = "Bitte antworten Sie nicht auf diese automatisch erstellte E-Mail.\n\n"
STATUS_TEXTS = {
    "in_bearbeitung": "Ihre Meldung wird bearbeitet.",
    "weitergeleitet": "Ihre Meldung wurde an die zuständige Stelle weitergeleitet.",
    "behoben": "Der gemeldete Mangel ist behoben.",
    "nicht_zustaendig": "Für Ihre Meldung ist eine andere Stelle zuständig; wir werden in"
    " dieser Sache nicht tätig.",
}
"""What each status of a report to the applicant (``StatusReported``) says."""


def _follow(tracking_url: str | None) -> str:
    return (
        f"Den Stand Ihres Antrags sehen Sie jederzeit hier:\n{tracking_url}\n\n"
        if tracking_url
        else ""
    )


def _day(value: date | datetime) -> str:
    if isinstance(value, datetime):
        value = value.astimezone(GERMANY).date()
    return f"{value:%d.%m.%Y}"


def decision(
    town: Letterhead,
    *,
    name: str,
    procedure: str,
    case_number: str,
    document_title: str,
    filename: str,
    tracking_url: str | None = None,
    made_known: bool = True,
) -> Message:
    """Bescheid: the decision letter is attached (a PDF); when it counts as made known.

    The mail is the dispatch: its delivery starts the three days to the Bekanntgabe
    (§ 41 (2) VwVfG), after which the letter's periods run — so the mail says so.
    """
    title = procedure_title(procedure)
    known = (
        "Der Bescheid gilt am dritten Tag nach dem Versand dieser E-Mail als bekannt gegeben"
        " (§ 41 Abs. 2 VwVfG); von diesem Tag an laufen die darin genannten Fristen.\n\n"
        if made_known
        else ""
    )
    body = (
        f"Guten Tag {name},\n\n"
        f"über Ihren Antrag „{title}“ (Vorgangsnummer {case_number}) wurde entschieden. "
        f"Den {document_title} finden Sie im Anhang dieser E-Mail ({filename}).\n\n"
        f"{known}{_follow(tracking_url)}{NO_REPLY}{town.signature()}"
    )
    return Message(subject=f"{document_title}: {title} – {town.official_name}", body=body)


def information_request(
    town: Letterhead,
    *,
    name: str,
    procedure: str,
    case_number: str,
    question: str,
    due: date,
    tracking_url: str | None,
) -> Message:
    """Rückfrage: the clerk's question, by when, and where to answer (the tracking page)."""
    title = procedure_title(procedure)
    where = (
        f"Bitte antworten Sie bis zum {_day(due)} auf der Seite Ihres Antrags; dort können Sie"
        f" auch Unterlagen hochladen:\n{tracking_url}\n\n"
        if tracking_url
        else f"Bitte antworten Sie bis zum {_day(due)}.\n\n"
    )
    body = (
        f"Guten Tag {name},\n\n"
        f"zu Ihrem Antrag „{title}“ (Vorgangsnummer {case_number}) haben wir eine Rückfrage:\n\n"
        f"{question}\n\n{where}"
        "Bis Ihre Antwort vorliegt, ruht die Bearbeitung.\n\n"
        f"{NO_REPLY}{town.signature()}"
    )
    return Message(subject=f"Rückfrage zu Ihrem Antrag: {title} – {town.official_name}", body=body)


def hearing_invitation(
    town: Letterhead,
    *,
    body_name: str,
    procedure: str,
    case_number: str,
    subject: str,
    due: date,
    answer_url: str | None,
) -> Message:
    """Anhörung: a body (police, road authority …) is asked for its statement by a date."""
    title = procedure_title(procedure)
    answer = (
        f"über diesen Link:\n{answer_url}\n\n" if answer_url else "an die oben genannte Stelle.\n\n"
    )
    body = (
        f"An: {body_name}\n\nSehr geehrte Damen und Herren,\n\n"
        f"die {town.authority} bittet Sie um eine Stellungnahme (Anhörung) zu folgendem"
        " Vorgang:\n\n"
        f"Verfahren: {title}\nVorgangsnummer: {case_number}\nGegenstand: {subject}\n\n"
        f"Bitte antworten Sie bis zum {_day(due)} {answer}"
        "Geht bis dahin keine Antwort ein, kann ohne Ihre Stellungnahme entschieden werden.\n\n"
        f"{town.signature()}"
    )
    return Message(subject=f"Anhörung: {title} ({case_number}) – {town.official_name}", body=body)


def status_report(
    town: Letterhead,
    *,
    name: str,
    procedure: str,
    case_number: str,
    status: str,
    note: str,
    tracking_url: str | None,
) -> Message:
    """Sachstand: how things stand (a defect report: „Behoben“), with the clerk's note."""
    title = procedure_title(procedure)
    remark = f"{note}\n\n" if note else ""
    body = (
        f"Guten Tag {name},\n\n"
        f"zu Ihrem Anliegen „{title}“ (Vorgangsnummer {case_number}):\n\n"
        f"{STATUS_TEXTS.get(status, 'Der Stand Ihres Anliegens hat sich geändert.')}\n\n"
        f"{remark}{_follow(tracking_url)}{NO_REPLY}{town.signature()}"
    )
    return Message(subject=f"Sachstand: {title} – {town.official_name}", body=body)


def deadline_near(
    town: Letterhead,
    *,
    clerk_name: str | None,
    procedure: str,
    case_number: str,
    deadline: date,
    passed: bool,
) -> Message:
    """Fristerinnerung for the clerk holding the case (or the town's desk): no applicant data."""
    title = procedure_title(procedure)
    state = "ist abgelaufen" if passed else "läuft bald ab"
    when = f"ist am {_day(deadline)} abgelaufen" if passed else f"endet am {_day(deadline)}"
    body = (
        f"Guten Tag{' ' + clerk_name if clerk_name else ''},\n\n"
        f"die Frist für den Vorgang {case_number} („{title}“) {when}.\n\n"
        "Bitte entscheiden Sie den Vorgang oder halten Sie fest, warum er noch offen ist.\n\n"
        f"{NO_REPLY}{town.signature()}"
    )
    subject = f"Frist {state}: {case_number} – {title}"
    return Message(subject=subject, body=body)


def withdrawal(
    town: Letterhead, *, name: str, procedure: str, case_number: str, withdrawn_at: datetime
) -> Message:
    """Rücknahme: the applicant's withdrawal is confirmed; no decision will follow."""
    title = procedure_title(procedure)
    body = (
        f"Guten Tag {name},\n\n"
        f"Sie haben Ihren Antrag „{title}“ (Vorgangsnummer {case_number}) am"
        f" {_day(withdrawn_at)} zurückgenommen. Der Vorgang ist damit abgeschlossen; eine"
        " Entscheidung ergeht nicht.\n\n"
        f"{NO_REPLY}{town.signature()}"
    )
    return Message(subject=f"Rücknahme bestätigt: {title} – {town.official_name}", body=body)


def objection_received(
    town: Letterhead,
    *,
    name: str,
    procedure: str,
    objected_case_number: str,
    case_number: str,
    lodged_at: datetime,
    tracking_url: str | None,
) -> Message:
    """Eingang des Widerspruchs: it is a new case of its own, linked to the first."""
    title = procedure_title(procedure)
    body = (
        f"Guten Tag {name},\n\n"
        f"Ihr Widerspruch vom {_day(lodged_at)} gegen den Bescheid zu Ihrem Antrag „{title}“"
        f" (Vorgangsnummer {objected_case_number}) ist bei der {town.authority} eingegangen."
        f" Er wird unter der Vorgangsnummer {case_number} bearbeitet; Sie erhalten einen"
        " Widerspruchsbescheid.\n\n"
        f"{_follow(tracking_url)}{NO_REPLY}{town.signature()}"
    )
    return Message(subject=f"Eingang Ihres Widerspruchs: {title} – {town.official_name}", body=body)


def _euro(amount: Decimal) -> str:
    """``Decimal('1234.5')`` → ``1.234,50 €``."""
    return f"{amount:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".") + " €"


def _iban(compact: str) -> str:
    return " ".join(compact[start : start + 4] for start in range(0, len(compact), 4))


def fee_notice(
    town: Letterhead,
    *,
    name: str,
    procedure: str,
    case_number: str,
    filename: str,
    payment: Payment,
    replaces: date | None = None,
    xrechnung: str | None = None,
) -> Message:
    """Gebührenbescheid: the notice is attached (a PDF); what to pay, by when, to whom.

    An amended notice (``replaces``: the day of the notice it replaces) says so. A business
    that asked for an XRechnung finds it attached too (``xrechnung``: its file name), with the
    word that the notice, not the invoice, is what counts.

    The body repeats what a transfer needs — amount, due date, Kassenzeichen, account — and
    points to the GiroCode on the notice; it carries no application id (``Antragskennung``),
    which is the acknowledgement's alone.
    """
    title = procedure_title(procedure)
    kind = "Geänderter Gebührenbescheid" if replaces else "Gebührenbescheid"
    changed = (
        "wurden die Gebühren neu festgesetzt; der geänderte Bescheid ersetzt den Bescheid vom"
        f" {_day(replaces)}. Den geänderten Gebührenbescheid"
        if replaces
        else "werden Gebühren erhoben. Den Gebührenbescheid"
    )
    body = (
        f"Guten Tag {name},\n\n"
        f"für Ihren Antrag „{title}“ (Vorgangsnummer {case_number}) {changed}"
        f" finden Sie im Anhang dieser E-Mail ({filename}).\n\n"
        f"Betrag: {_euro(payment.amount)}\n"
        f"Fällig am: {_day(payment.due_date)}\n"
        f"Kassenzeichen: {payment.cash_reference}\n"
        f"Empfänger: {payment.payee}\n"
        f"IBAN: {_iban(payment.iban)}\n"
        f"BIC: {payment.bic}\n\n"
        "Bitte geben Sie bei der Überweisung das Kassenzeichen an, damit wir Ihre Zahlung"
        " zuordnen können. Einfacher geht es mit dem GiroCode (QR-Code) auf dem Bescheid:"
        " Scannen Sie ihn mit Ihrer Banking-App, sie füllt die Überweisung für Sie aus.\n\n"
        f"{_xrechnung_attached(xrechnung)}{NO_REPLY}{town.signature()}"
    )
    subject = f"{kind}: {title} – Kassenzeichen {payment.cash_reference}"
    return Message(subject=subject, body=body)


def _xrechnung_attached(filename: str | None) -> str:
    if filename is None:
        return ""
    return (
        "Wie von Ihnen gewünscht, liegt die Rechnung außerdem als E-Rechnung im Format"
        f" XRechnung bei ({filename}). Maßgeblich ist der Gebührenbescheid.\n\n"
    )


def fee_invoice(
    town: Letterhead,
    *,
    procedure: str,
    case_number: str,
    filename: str,
    payment: Payment,
) -> Message:
    """The XRechnung alone, to the address a business named for its e-invoices.

    Such an address is often an accounts-payable inbox that a program reads, so the mail
    carries the invoice and what identifies it, and nothing of the application.
    """
    title = procedure_title(procedure)
    body = (
        "Guten Tag,\n\n"
        f"anbei erhalten Sie die Rechnung über die Gebühr für „{title}“ (Vorgangsnummer"
        f" {case_number}) als E-Rechnung im Format XRechnung ({filename}), wie im Antrag"
        " gewünscht. Den Gebührenbescheid hat die Antragstellerin / der Antragsteller"
        " gesondert erhalten; er ist maßgeblich.\n\n"
        f"Rechnungsnummer (Kassenzeichen): {payment.cash_reference}\n"
        f"Betrag: {_euro(payment.amount)}\n"
        f"Fällig am: {_day(payment.due_date)}\n"
        f"Empfänger: {payment.payee}\n"
        f"IBAN: {_iban(payment.iban)}\n"
        f"BIC: {payment.bic}\n\n"
        f"{NO_REPLY}{town.signature()}"
    )
    subject = f"E-Rechnung {payment.cash_reference}: {title} – {town.official_name}"
    return Message(subject=subject, body=body)


@dataclass(frozen=True)
class Reminder:
    """What a reminder's mail says: what is open, the reminder's fee, by when, to whom."""

    open_amount: Decimal
    reminder_fee: Decimal
    amount_due: Decimal
    original_due_date: date
    due_date: date
    cash_reference: str
    payee: str | None
    iban: str | None
    bic: str | None


def reminder(
    town: Letterhead,
    *,
    name: str,
    procedure: str,
    case_number: str,
    reminder: Reminder,
) -> Message:
    """Zahlungserinnerung (Mahnung): the fee is overdue; what to pay now, by when, to whom.

    Names the reminder's fee the town's schedule sets, and that the claim goes to enforcement
    if it stays unpaid; the account lines only where the town's schedule names an account.
    """
    title = procedure_title(procedure)
    account = (
        f"Empfänger: {reminder.payee}\nIBAN: {_iban(reminder.iban)}\nBIC: {reminder.bic}\n"
        if reminder.payee and reminder.iban and reminder.bic
        else ""
    )
    body = (
        f"Guten Tag {name},\n\n"
        f"die Gebühren für Ihren Antrag „{title}“ (Vorgangsnummer {case_number}) waren am "
        f"{_day(reminder.original_due_date)} fällig. Bis heute ist bei uns nicht der ganze"
        " Betrag eingegangen. Bitte zahlen Sie den offenen Betrag zusammen mit der"
        " Mahngebühr.\n\n"
        f"Offener Betrag: {_euro(reminder.open_amount)}\n"
        f"Mahngebühr: {_euro(reminder.reminder_fee)}\n"
        f"Zu zahlen: {_euro(reminder.amount_due)}\n"
        f"Zahlbar bis: {_day(reminder.due_date)}\n"
        f"Kassenzeichen: {reminder.cash_reference}\n"
        f"{account}\n"
        "Bitte geben Sie bei der Überweisung das Kassenzeichen an. Geht der Betrag nicht"
        " rechtzeitig ein, wird die Forderung zur Vollstreckung abgegeben; dabei können"
        " weitere Kosten entstehen. Haben Sie in den letzten Tagen bereits gezahlt, betrachten"
        " Sie diese Erinnerung bitte als gegenstandslos.\n\n"
        f"{NO_REPLY}{town.signature()}"
    )
    subject = f"Zahlungserinnerung (Mahnung): {title} – Kassenzeichen {reminder.cash_reference}"
    return Message(subject=subject, body=body)
