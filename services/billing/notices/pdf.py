"""A fee notice laid out as a German business letter (DIN 5008, A4) in PDF/A-3b (pure).

Page 1: the town's letterhead, the return line and the addressee, the information block
(Kassenzeichen, Vorgangsnummer, date, due date, office, contact), the subject, the fees
with their total, the request to pay with the bank details beside the GiroCode ("Bezahlen
mit GiroCode"), then the legal basis, the hints and the legal remedy notice, and the
closing. The payment block stays in one piece (the code next to the account it pays).
Every page names the town and ends with its contact, its account and "Seite n von m".

The typeface (``typeface``) is embedded as a subset, so no system font is needed. The QR
code is drawn as filled rectangles, one per run of dark modules: vector graphics, sharp at
any zoom and on any printer, and no image that could carry transparency. ``archival``
makes the file PDF/A-3b and its bytes reproducible.
"""

from __future__ import annotations

import segno
from fpdf import FPDF
from fpdf.fonts import TTFFont

from runtime.typeface import FONT, add_fonts, lines_of, set_paragraph
from services.billing.notices import wording
from services.billing.notices.archival import COMPLIANCE, Description, make_archival
from services.billing.notices.girocode import dark_runs, girocode
from services.billing.notices.notice import Addressee, FeeNotice, Letterhead
from services.billing.notices.typeface import in_typeface

LEFT, RIGHT, TOP, BOTTOM = 25.0, 20.0, 15.0, 24.0
INFO_X = 115.0
"""Where the information block starts, as DIN 5008 puts it."""
ADDRESS_Y = 50.0
TEXT, SMALL = 10.0, 8.0
LINE = 4.6
AMOUNT_WIDTH = 35.0
QR_SIDE = 32.0
"""The code's side in mm (without its quiet zone): ~0.7 mm a module at the usual size."""
QR_QUIET = 4
"""Modules of empty margin a QR code needs around it."""


class NoticePdf(FPDF):
    """A town's notice: the town's name on every page, its contact and account below."""

    def __init__(self, letterhead: Letterhead) -> None:
        super().__init__(format="A4", unit="mm", enforce_compliance=COMPLIANCE)
        self.letterhead = letterhead
        add_fonts(self)
        self.set_margins(LEFT, TOP, RIGHT)
        self.set_auto_page_break(auto=True, margin=BOTTOM)

    def normalize_text(self, text: str) -> str:
        """Text in letters the typeface has (a missing glyph would print nothing, and PDF/A
        forbids referring to the font's empty .notdef glyph)."""
        font = self.current_font
        glyphs = font.cmap if isinstance(font, TTFFont) else {}
        return super().normalize_text(in_typeface(text, glyphs))

    def header(self) -> None:
        """Every page names the authority; the first page has the full letterhead."""
        head = self.letterhead
        first = self.page_no() == 1
        self.set_xy(LEFT, TOP)
        self.set_font(FONT, "B", 15 if first else 10)
        self.cell(0, 7, head.official_name, new_x="LMARGIN", new_y="NEXT")
        self.set_font(FONT, "", TEXT if first else SMALL)
        self.cell(0, 5, f"{head.authority} · {head.office}", new_x="LMARGIN", new_y="NEXT")
        self.line(LEFT, self.get_y() + 2, self.w - RIGHT, self.get_y() + 2)
        self.set_y(self.get_y() + 6)

    def footer(self) -> None:
        """The town's address, contact and account, and "Seite n von m"."""
        head, account = self.letterhead, self.letterhead.account
        self.set_y(-18)
        self.set_font(FONT, "", SMALL - 0.5)
        lines = (
            f"{head.official_name} · {head.street} · {head.postcode} {head.city} · "
            f"Telefon {head.phone} · {head.email} · {head.website}",
            f"Bankverbindung: {account.holder} · IBAN {wording.iban(account.iban)} · "
            f"BIC {account.bic}",
            f"Seite {self.page_no()} von {{nb}}",
        )
        for line in lines:
            self.cell(0, 3.8, line, align="C", new_x="LMARGIN", new_y="NEXT")


def render(notice: FeeNotice) -> bytes:
    """The notice as PDF/A-3b bytes; the same notice always gives the same bytes."""
    pdf = NoticePdf(notice.letterhead)
    make_archival(pdf, _description(notice))
    pdf.add_page()
    address_field(pdf, notice.letterhead, notice.addressee)
    information_block(pdf, _information(notice))
    _subject_and_fees(pdf, notice)
    _payment(pdf, notice)
    _notices(pdf, notice)
    closing_block(pdf, wording.closing(notice))
    return bytes(pdf.output())


def _description(notice: FeeNotice) -> Description:
    return Description(
        title=f"{wording.subject(notice)} (Kassenzeichen {notice.kassenzeichen})",
        author=notice.letterhead.official_name,
        subject=f"Vorgangsnummer {notice.case_number}",
        created_at=notice.issued_at,
        document_key=f"gebuehrenbescheid:{notice.kassenzeichen}",
    )


def address_field(pdf: NoticePdf, head: Letterhead, addressee: Addressee) -> None:
    """The return line and the addressee, where a window envelope shows them."""
    pdf.set_xy(LEFT, ADDRESS_Y - 5)
    pdf.set_font(FONT, "", SMALL - 1)
    pdf.cell(85, 4, f"{head.official_name} · {head.street} · {head.postcode} {head.city}")
    pdf.set_xy(LEFT, ADDRESS_Y)
    pdf.set_font(FONT, "", TEXT)
    for line in (addressee.name, *addressee.lines):
        pdf.set_x(LEFT)
        set_paragraph(pdf, LINE, line, 85)


def _information(notice: FeeNotice) -> tuple[tuple[str, str], ...]:
    head = notice.letterhead
    return (
        ("Kassenzeichen", notice.kassenzeichen),
        ("Vorgangsnummer", notice.case_number),
        ("Datum", wording.day(notice.date)),
        ("Fällig am", wording.day(notice.due_on)),
        ("Dienststelle", head.office),
        ("Telefon", head.phone),
        ("E-Mail", head.email),
    )


def information_block(pdf: NoticePdf, rows: tuple[tuple[str, str], ...]) -> None:
    """Label and value beside the address field (DIN 5008's information block)."""
    pdf.set_y(ADDRESS_Y - 5)
    pdf.set_font(FONT, "", SMALL)
    for label, value in rows:
        pdf.set_x(INFO_X)
        pdf.cell(25, 4.5, label)
        set_paragraph(pdf, 4.5, value)


def _subject_and_fees(pdf: NoticePdf, notice: FeeNotice) -> None:
    pdf.set_y(max(pdf.get_y() + 6, ADDRESS_Y + 35))
    pdf.set_font(FONT, "B", TEXT + 1)
    set_paragraph(pdf, 6, wording.subject(notice))
    pdf.ln(3)
    pdf.set_font(FONT, "", TEXT)
    for paragraph in ("Sehr geehrte Damen und Herren,", *wording.opening(notice)):
        set_paragraph(pdf, LINE, paragraph)
        pdf.ln(1.5)
    for line in notice.lines:
        label = f"{line.label} ({line.basis})" if line.basis else line.label
        amount_row(pdf, label, wording.euro(line.amount), bold=False)
    pdf.line(pdf.w - RIGHT - AMOUNT_WIDTH, pdf.get_y(), pdf.w - RIGHT, pdf.get_y())
    amount_row(pdf, "Gesamtbetrag", wording.euro(notice.total), bold=True)
    pdf.ln(3)


def amount_row(pdf: NoticePdf, label: str, amount: str, bold: bool) -> None:
    """A label and its amount, right-aligned; kept on one page."""
    pdf.set_font(FONT, "B" if bold else "", TEXT)
    width = pdf.epw - AMOUNT_WIDTH
    height = text_height(pdf, width, label)
    if pdf.get_y() + height > pdf.page_break_trigger:
        pdf.add_page()
    top = pdf.get_y()
    set_paragraph(pdf, LINE, label, width)
    pdf.set_xy(LEFT + width, top)
    pdf.cell(AMOUNT_WIDTH, LINE, amount, align="R")
    pdf.set_xy(LEFT, top + height)


def text_height(pdf: NoticePdf, width: float, text: str) -> float:
    """How tall ``text`` is, set in lines of ``width`` in the current font."""
    return LINE * len(lines_of(pdf, text, width - 2 * pdf.c_margin))


def _payment(pdf: NoticePdf, notice: FeeNotice) -> None:
    request, rows = wording.payment_request(notice), wording.account_rows(notice)
    payment_block(pdf, request, rows, girocode(notice))


def payment_block(
    pdf: NoticePdf,
    request: str,
    rows: list[tuple[str, str]],
    code: segno.QRCode | None,
    caption: str = "Bezahlen mit GiroCode",
) -> None:
    """The request to pay, the bank details and beside them the GiroCode (if any)."""
    pdf.set_font(FONT, "", TEXT)
    needed = text_height(pdf, pdf.epw, request) + 4
    needed += max(LINE * len(rows), QR_SIDE + 10 if code else 0)
    if pdf.get_y() + needed > pdf.page_break_trigger:
        pdf.add_page()  # the code stays beside the account it pays
    set_paragraph(pdf, LINE, request)
    pdf.ln(4)  # the code's quiet zone: nothing printed close above it
    top = pdf.get_y()
    for label, value in rows:
        pdf.set_font(FONT, "B", TEXT)
        pdf.cell(35, LINE, label)
        pdf.set_font(FONT, "", TEXT)
        set_paragraph(pdf, LINE, value, 80)
    if code is None:
        pdf.ln(2)
        return
    _draw(pdf, code, caption, x=pdf.w - RIGHT - QR_SIDE, y=top)
    pdf.set_y(max(pdf.get_y(), top + QR_SIDE + 8) + 2)


def _draw(pdf: NoticePdf, code: segno.QRCode, caption: str, x: float, y: float) -> None:
    module = QR_SIDE / len(code.matrix)
    pdf.set_fill_color(0)
    for row, column, length in dark_runs(code):
        pdf.rect(x + column * module, y + row * module, length * module, module, style="F")
    pdf.set_xy(x - 10, y + QR_SIDE + QR_QUIET * module)
    pdf.set_font(FONT, "", SMALL)
    pdf.cell(QR_SIDE + 20, 4, caption, align="C")


def _notices(pdf: NoticePdf, notice: FeeNotice) -> None:
    pdf.set_x(LEFT)
    paragraph(pdf, wording.legal_basis(notice))
    heading(pdf, "Hinweise")
    for hint in wording.hints(notice):
        paragraph(pdf, hint)
    heading(pdf, "Rechtsbehelfsbelehrung")
    paragraph(pdf, wording.remedy(notice))


def heading(pdf: NoticePdf, text: str) -> None:
    """A bold heading of a section."""
    pdf.ln(1)
    pdf.set_font(FONT, "B", TEXT)
    set_paragraph(pdf, 5.5, text)


def paragraph(pdf: NoticePdf, text: str) -> None:
    """A paragraph of body text."""
    pdf.set_font(FONT, "", TEXT)
    set_paragraph(pdf, LINE, text)
    pdf.ln(1.5)


def closing_block(pdf: NoticePdf, closing: tuple[str, ...]) -> None:
    """The greeting, who signs, and the note that no signature is needed."""
    greeting, *signed, note = closing
    pdf.ln(2)
    pdf.set_font(FONT, "", TEXT)
    if pdf.get_y() + LINE * (len(signed) + 3) > pdf.page_break_trigger:
        pdf.add_page()  # the greeting and the signature stay together
    set_paragraph(pdf, LINE, greeting)
    pdf.ln(LINE / 2)
    for line in signed:
        set_paragraph(pdf, LINE, line)
    pdf.ln(1)
    pdf.set_font(FONT, "", SMALL)
    set_paragraph(pdf, 4, note)
