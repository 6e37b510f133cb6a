"""The decision letter: what it holds (``DecisionLetter``) and its German text (pure).

Three kinds of letter come out of a decision: a Bescheid on an application (open to an
objection), a Widerspruchsbescheid on an objection (open to an action at the administrative
court) and, for a defect report, a short closing notice that decides nothing and so carries
no remedy. ``compose`` turns a letter into its subject and blocks of text; ``pdf.render``
lays them out. Nothing here reads a clock: the letter's date is the decision's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from contracts.calendar import german_date
from services.casework.letters import remedies


class LetterKind(StrEnum):
    """Which letter a decision makes."""

    BESCHEID = "bescheid"
    WIDERSPRUCHSBESCHEID = "widerspruchsbescheid"
    ABSCHLUSSMITTEILUNG = "abschlussmitteilung"


@dataclass(frozen=True)
class Letterhead:
    """The competent town, as its letters name it."""

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
    district: str = ""
    """The town's district (Landkreis): which administrative court hears an action."""


@dataclass(frozen=True)
class Addressee:
    """Whom the letter is addressed to: a name and, where the form has one, a postal address."""

    name: str
    lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class Signatory:
    """The clerk who decided, and the official name of their own town."""

    name: str
    town: str


@dataclass(frozen=True)
class Objected:
    """The decision an objection is against."""

    case_number: str
    decided_on: date | None = None


@dataclass(frozen=True)
class DecisionLetter:
    """Everything a decision letter says; the same letter always renders the same PDF."""

    kind: LetterKind
    letterhead: Letterhead
    addressee: Addressee | None
    decided_at: datetime
    case_number: str
    procedure_title: str
    legal_basis: str
    outcome: Literal["approved", "rejected"]
    applied_on: date | None = None
    file_reference: str | None = None
    conditions: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    rules_applied: tuple[str, ...] = ()
    """The reasons of the automated rules a decision without a clerk rests on."""
    particulars_title: str = ""
    particulars: tuple[tuple[str, str], ...] = ()
    """What the decision grants, as label and value (a traffic order's place, period, plan)."""
    fee: tuple[tuple[str, str], ...] = ()
    signatory: Signatory | None = None
    """None: decided by automation (valid without a signature, § 37 (5) VwVfG)."""
    objected: Objected | None = None

    @property
    def date(self) -> date:
        """The letter's date: the day of the decision in Germany."""
        return german_date(self.decided_at)


@dataclass(frozen=True)
class Block:
    """A piece of the letter's body: a heading, a paragraph, a numbered or a labelled list."""

    kind: Literal["heading", "paragraph", "numbered", "table"]
    text: str = ""
    items: tuple[str, ...] = ()
    rows: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Composition:
    """The letter's text, ready to be laid out."""

    subject: str
    blocks: list[Block] = field(default_factory=list)
    closing: tuple[str, ...] = ()


def day(value: date | None) -> str:
    """``04.05.2026``."""
    return f"{value:%d.%m.%Y}" if value else ""


def subject(letter: DecisionLetter) -> str:
    """The subject line: which letter, about which procedure."""
    if letter.kind is LetterKind.WIDERSPRUCHSBESCHEID:
        return f"Widerspruchsbescheid – {letter.procedure_title}"
    if letter.kind is LetterKind.ABSCHLUSSMITTEILUNG:
        return f"Abschluss Ihrer Meldung – {letter.procedure_title}"
    return f"Bescheid über Ihren Antrag „{letter.procedure_title}“"


def tenor(letter: DecisionLetter) -> str:
    """The operative sentence of the decision."""
    applied = f" vom {day(letter.applied_on)}" if letter.applied_on else ""
    if letter.kind is LetterKind.WIDERSPRUCHSBESCHEID:
        against = f"gegen den Bescheid „{letter.procedure_title}“"
        if letter.objected:
            decided = (
                f" vom {day(letter.objected.decided_on)}" if letter.objected.decided_on else ""
            )
            against += f"{decided} (Vorgangsnummer {letter.objected.case_number})"
        if letter.outcome == "approved":
            return f"Ihrem Widerspruch{applied} {against} wird stattgegeben."
        return f"Ihr Widerspruch{applied} {against} wird zurückgewiesen."
    if letter.kind is LetterKind.ABSCHLUSSMITTEILUNG:
        if letter.outcome == "approved":
            return f"Ihre Meldung{applied} ist bearbeitet; der Vorgang ist abgeschlossen."
        return f"Wir haben Ihre Meldung{applied} geprüft und werden in dieser Sache nicht tätig."
    if letter.outcome == "approved":
        return f"Ihrem Antrag „{letter.procedure_title}“{applied} wird stattgegeben."
    return f"Ihr Antrag „{letter.procedure_title}“{applied} wird abgelehnt."


def reasons(letter: DecisionLetter) -> list[Block]:
    """Begründung: the clerk's reasons, the legal basis, the automated rules applied."""
    blocks = [Block("paragraph", text) for text in letter.reasons]
    if letter.kind is not LetterKind.ABSCHLUSSMITTEILUNG and letter.legal_basis:
        blocks.append(Block("paragraph", f"Rechtsgrundlage: {letter.legal_basis}."))
    if letter.rules_applied:
        blocks.append(
            Block(
                "paragraph",
                "Der Antrag wurde automatisiert geprüft (§ 35a VwVfG). Dabei wurden folgende"
                " Regeln angewandt:",
            )
        )
        blocks.append(Block("numbered", items=letter.rules_applied))
    return [Block("heading", "Begründung"), *blocks] if blocks else []


def remedy(letter: DecisionLetter) -> list[Block]:
    """Rechtsbehelfsbelehrung, where the letter decides something."""
    head = letter.letterhead
    if letter.kind is LetterKind.ABSCHLUSSMITTEILUNG:
        return []
    if letter.kind is LetterKind.WIDERSPRUCHSBESCHEID:
        text = remedies.action_notice(remedies.court_for(head.district))
    else:
        text = remedies.objection_notice(head.authority, head.street, head.postcode, head.city)
    return [Block("heading", "Rechtsbehelfsbelehrung"), Block("paragraph", text)]


def signature(letter: DecisionLetter) -> tuple[str, ...]:
    """The closing: "Im Auftrag" and the clerk, or the note that automation decided."""
    if letter.signatory is None:
        what = "Schreiben" if letter.kind is LetterKind.ABSCHLUSSMITTEILUNG else "Bescheid"
        note = f"Dieser {what} wurde automatisch erstellt und ist ohne Unterschrift gültig"
        if letter.kind is LetterKind.ABSCHLUSSMITTEILUNG:
            return (letter.letterhead.official_name, f"{note}.")
        return (letter.letterhead.official_name, f"{note} (§ 37 Abs. 5 VwVfG).")
    lines: tuple[str, ...] = ("Im Auftrag", letter.signatory.name, letter.signatory.town)
    if letter.signatory.town != letter.letterhead.official_name:
        lines += (f"für die {letter.letterhead.official_name}",)
    return lines


def compose(letter: DecisionLetter) -> Composition:
    """The letter's German text, block by block, in the order of a Bescheid."""
    decides = letter.kind is not LetterKind.ABSCHLUSSMITTEILUNG
    blocks = [Block("paragraph", "Sehr geehrte Damen und Herren,")]
    blocks += [Block("heading", "Entscheidung")] if decides else []
    blocks.append(Block("paragraph", tenor(letter)))
    if letter.outcome == "approved" and letter.particulars:
        blocks += [
            Block("heading", letter.particulars_title),
            Block("table", rows=letter.particulars),
        ]
    if letter.conditions:
        blocks += [
            Block("heading", "Auflagen"),
            Block("paragraph", "Die Entscheidung ergeht mit folgenden Auflagen:"),
            Block("numbered", items=letter.conditions),
        ]
    blocks += reasons(letter)
    if letter.fee:
        # The dog tax is a tax: it is set by a Steuerbescheid, not charged as a fee.
        taxed = any(label == "Steuerklasse" for label, _ in letter.fee)
        blocks += [
            Block("heading", "Steuer" if taxed else "Kosten"),
            Block("table", rows=letter.fee),
            Block(
                "paragraph",
                "Die Hundesteuer wird mit gesondertem Steuerbescheid festgesetzt."
                if taxed
                else "Die Gebühr wird mit gesondertem Gebührenbescheid festgesetzt.",
            ),
        ]
    blocks += remedy(letter)
    closing = ("Mit freundlichen Grüßen", *signature(letter))
    return Composition(subject=subject(letter), blocks=blocks, closing=closing)
