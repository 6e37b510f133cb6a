"""A decision letter laid out as a German business letter (DIN 5008, A4) in PDF (pure).

The typeface is PT Sans — ParaType's "public type", made for official documents, with the
Latin (Central European names included) and Cyrillic letters, „Anführungszeichen“, € and §
— embedded (subset) from the ``fontpkg-pt-sans`` wheel (``runtime.typeface``), so no system
font is needed and the letter looks the same everywhere. The font ships as static TTFs: a
variable font (Noto Sans) would cost seconds of instancing per process. The PDF's dates are
the decision's, so the same letter always gives the same bytes.
"""

from __future__ import annotations

from fpdf import FPDF

from runtime.typeface import FONT, add_fonts, set_paragraph
from services.casework.letters.decision import Block, Composition, DecisionLetter, compose, day

LEFT, RIGHT, TOP = 25.0, 20.0, 15.0
INFO_X = 115.0
"""Where the information block (Vorgangsnummer, date, contact) starts, as DIN 5008 puts it."""
ADDRESS_Y = 50.0
TEXT = 10.5
SMALL = 8.0


class LetterPdf(FPDF):
    """A letter: the town's name on every page, its contact and the page number below."""

    def __init__(self, letter: DecisionLetter) -> None:
        super().__init__(format="A4", unit="mm")
        self.letter = letter
        add_fonts(self)
        self.set_margins(LEFT, TOP, RIGHT)
        self.set_auto_page_break(auto=True, margin=25)
        self.set_creation_date(letter.decided_at)
        self.set_lang("de")

    def header(self) -> None:
        """Every page names the authority; the first page has the full letterhead."""
        head = self.letter.letterhead
        self.set_xy(LEFT, TOP)
        self.set_font(FONT, "B", 15 if self.page_no() == 1 else 10)
        self.cell(0, 7, head.official_name, new_x="LMARGIN", new_y="NEXT")
        self.set_font(FONT, "", TEXT if self.page_no() == 1 else SMALL)
        self.cell(0, 5, f"{head.authority} · {head.office}", new_x="LMARGIN", new_y="NEXT")
        self.line(LEFT, self.get_y() + 2, self.w - RIGHT, self.get_y() + 2)
        self.set_y(self.get_y() + 6)

    def footer(self) -> None:
        """The town's address and contact, and "Seite n von m"."""
        head = self.letter.letterhead
        self.set_y(-18)
        self.set_font(FONT, "", SMALL - 0.5)
        contact = (
            f"{head.official_name} · {head.street} · {head.postcode} {head.city} · "
            f"Telefon {head.phone} · {head.email} · {head.website}"
        )
        self.cell(0, 4, contact, align="C", new_x="LMARGIN", new_y="NEXT")
        self.cell(0, 4, f"Seite {self.page_no()} von {{nb}}", align="C")


def render(letter: DecisionLetter) -> bytes:
    """The letter as PDF bytes."""
    pdf = LetterPdf(letter)
    text = compose(letter)
    pdf.set_title(text.subject)
    pdf.set_author(letter.letterhead.official_name)
    pdf.set_subject(f"Vorgangsnummer {letter.case_number}")
    pdf.add_page()
    _address_field(pdf, letter)
    _information_block(pdf, letter)
    _body(pdf, text)
    return bytes(pdf.output())


def _address_field(pdf: LetterPdf, letter: DecisionLetter) -> None:
    head = letter.letterhead
    pdf.set_xy(LEFT, ADDRESS_Y - 5)
    pdf.set_font(FONT, "", SMALL - 1)
    pdf.cell(85, 4, f"{head.official_name} · {head.street} · {head.postcode} {head.city}")
    pdf.set_xy(LEFT, ADDRESS_Y)
    pdf.set_font(FONT, "", TEXT)
    if letter.addressee is not None:
        for line in (letter.addressee.name, *letter.addressee.lines):
            pdf.set_x(LEFT)
            set_paragraph(pdf, 5, line, 85)


def _information_block(pdf: LetterPdf, letter: DecisionLetter) -> None:
    head = letter.letterhead
    rows = [("Vorgangsnummer", letter.case_number)]
    if letter.file_reference:
        rows.append(("Aktenzeichen", letter.file_reference))
    rows += [
        ("Datum", day(letter.date)),
        ("Dienststelle", head.office),
        ("Telefon", head.phone),
        ("E-Mail", head.email),
    ]
    pdf.set_y(ADDRESS_Y - 5)
    for label, value in rows:
        pdf.set_x(INFO_X)
        pdf.set_font(FONT, "", SMALL)
        pdf.cell(25, 4.5, label)
        pdf.set_font(FONT, "", SMALL)
        set_paragraph(pdf, 4.5, value)


def _body(pdf: LetterPdf, text: Composition) -> None:
    pdf.set_y(max(pdf.get_y(), ADDRESS_Y + 45))
    pdf.set_font(FONT, "B", TEXT + 1)
    set_paragraph(pdf, 6, text.subject)
    pdf.ln(4)
    for block in text.blocks:
        _block(pdf, block)
    pdf.ln(4)
    pdf.set_font(FONT, "", TEXT)
    if pdf.get_y() + 5 * len(text.closing) > pdf.page_break_trigger:
        pdf.add_page()  # the greeting and the signature stay together
    for line in text.closing:
        set_paragraph(pdf, 5, line)


def _block(pdf: LetterPdf, block: Block) -> None:
    if block.kind == "heading":
        pdf.ln(2)
        pdf.set_font(FONT, "B", TEXT)
        set_paragraph(pdf, 5.5, block.text)
        return
    pdf.set_font(FONT, "", TEXT)
    if block.kind == "paragraph":
        set_paragraph(pdf, 5, block.text)
    elif block.kind == "numbered":
        for number, item in enumerate(block.items, start=1):
            pdf.cell(8, 5, f"{number}.")
            set_paragraph(pdf, 5, item)
    else:
        for label, value in block.rows:
            pdf.set_font(FONT, "B", TEXT)
            pdf.cell(45, 5, label)
            pdf.set_font(FONT, "", TEXT)
            set_paragraph(pdf, 5, value)
    pdf.ln(2)
