"""The Hundesteuerbescheid laid out like the fee notice (DIN 5008, A4, PDF/A-3b) (pure).

Page 1: the town's letterhead, the addressee, the information block (Kassenzeichen, year,
date, first due day), the subject, the dogs with their tags, a line per dog with the year's
tax, the instalments table, then how it is paid — the direct debit's announcement, or the
request to transfer with the account beside the GiroCode of the first instalment — the legal
basis, the hints, the legal remedy notice and the closing. The letter's parts, the font and
the archival metadata are the fee notice's (``pdf``, ``archival``).
"""

from __future__ import annotations

from runtime.typeface import FONT, set_paragraph
from services.billing.notices import dog_tax_wording as wording
from services.billing.notices.archival import Description, make_archival
from services.billing.notices.dog_tax_notice import DogTaxNotice
from services.billing.notices.girocode import epc_code
from services.billing.notices.pdf import (
    ADDRESS_Y,
    AMOUNT_WIDTH,
    RIGHT,
    TEXT,
    NoticePdf,
    address_field,
    amount_row,
    closing_block,
    heading,
    information_block,
    paragraph,
    payment_block,
)
from services.billing.notices.wording import day, euro


def render_dog_tax(notice: DogTaxNotice) -> bytes:
    """The notice as PDF/A-3b bytes; the same notice always gives the same bytes."""
    pdf = NoticePdf(notice.letterhead)
    make_archival(pdf, _description(notice))
    pdf.add_page()
    address_field(pdf, notice.letterhead, notice.addressee)
    information_block(pdf, _information(notice))
    _subject_and_tax(pdf, notice)
    _instalments(pdf, notice)
    _payment(pdf, notice)
    paragraph(pdf, wording.legal_basis(notice))
    heading(pdf, "Hinweise")
    for hint in wording.hints(notice):
        paragraph(pdf, hint)
    heading(pdf, "Rechtsbehelfsbelehrung")
    paragraph(pdf, wording.remedy(notice))
    closing_block(pdf, wording.closing(notice))
    return bytes(pdf.output())


def _description(notice: DogTaxNotice) -> Description:
    return Description(
        title=f"{wording.subject(notice)} (Kassenzeichen {notice.kassenzeichen})",
        author=notice.letterhead.official_name,
        subject=f"Hundesteuer {notice.year}",
        created_at=notice.issued_at,
        document_key=f"hundesteuerbescheid:{notice.kassenzeichen}",
    )


def _information(notice: DogTaxNotice) -> tuple[tuple[str, str], ...]:
    head = notice.letterhead
    return (
        ("Kassenzeichen", notice.kassenzeichen),
        ("Steuerjahr", str(notice.year)),
        ("Datum", day(notice.date)),
        ("Erste Rate", day(notice.first.on)),
        ("Dienststelle", head.office),
        ("Telefon", head.phone),
        ("E-Mail", head.email),
    )


def _subject_and_tax(pdf: NoticePdf, notice: DogTaxNotice) -> None:
    pdf.set_y(max(pdf.get_y() + 6, ADDRESS_Y + 35))
    pdf.set_font(FONT, "B", TEXT + 1)
    set_paragraph(pdf, 6, wording.subject(notice))
    pdf.ln(3)
    for text in ("Sehr geehrte Damen und Herren,", wording.opening(notice)):
        paragraph(pdf, text)
    if notice.dogs:
        paragraph(pdf, wording.dogs(notice))
    for line in notice.lines:
        amount_row(pdf, wording.line_label(line), euro(line.amount), bold=False)
    _rule(pdf)
    amount_row(pdf, f"Hundesteuer {notice.year}", euro(notice.total), bold=True)
    pdf.ln(2)
    note = wording.rounding(notice)
    if note:
        paragraph(pdf, note)


def _instalments(pdf: NoticePdf, notice: DogTaxNotice) -> None:
    heading(pdf, "Fälligkeiten")
    for label, amount in wording.instalment_rows(notice):
        amount_row(pdf, label, amount, bold=False)
    pdf.ln(3)


def _payment(pdf: NoticePdf, notice: DogTaxNotice) -> None:
    if notice.direct_debit:
        heading(pdf, "Zahlung per SEPA-Lastschrift")
        paragraph(pdf, wording.payment_request(notice))
        return
    account = notice.letterhead.account
    code = epc_code(account, notice.first.amount, notice.kassenzeichen)
    caption = wording.girocode_caption(notice)
    payment_block(pdf, wording.payment_request(notice), wording.account_rows(notice), code, caption)


def _rule(pdf: NoticePdf) -> None:
    pdf.line(pdf.w - RIGHT - AMOUNT_WIDTH, pdf.get_y(), pdf.w - RIGHT, pdf.get_y())
