"""How the clerks' invoice pages word what an invoice says (pure): German amounts, dates,
percentages, quantities, and the code lists an XRechnung uses (document types, VAT
categories, units) in words a clerk reads without a code table at hand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from contracts.calendar import GERMANY

NEAR_DAYS = 3
"""Calendar days before a due or discount date from which the queue calls it near."""

DOCUMENT_TYPES = {
    "326": "Teilrechnung",
    "380": "Rechnung",
    "381": "Gutschrift",
    "384": "Rechnungskorrektur",
    "389": "Selbst ausgestellte Rechnung (Gutschriftsverfahren)",
    "875": "Teilschlussrechnung (Bauleistung)",
    "876": "Teilrechnung (Bauleistung)",
    "877": "Schlussrechnung (Bauleistung)",
}
VAT_CATEGORIES = {
    "S": "Umsatzsteuer zum Normalsatz",
    "Z": "Umsatzsteuer zum Nullsatz",
    "E": "Von der Umsatzsteuer befreit",
    "AE": "Steuerschuldnerschaft des Leistungsempfängers (Reverse Charge)",
    "K": "Innergemeinschaftliche Lieferung",
    "G": "Ausfuhrlieferung (steuerfrei)",
    "O": "Nicht umsatzsteuerbar",
    "L": "IGIC (Kanarische Inseln)",
    "M": "IPSI (Ceuta und Melilla)",
}
UNITS = {
    "C62": "Stück",
    "H87": "Stück",
    "XPP": "Stück",
    "EA": "Stück",
    "LS": "pauschal",
    "SET": "Satz",
    "HUR": "Stunden",
    "MIN": "Minuten",
    "DAY": "Tage",
    "WEE": "Wochen",
    "MON": "Monate",
    "ANN": "Jahre",
    "KGM": "kg",
    "TNE": "t",
    "MTR": "m",
    "KMT": "km",
    "MTK": "m²",
    "MTQ": "m³",
    "LTR": "l",
    "KWH": "kWh",
}
SYNTAXES = {
    "ubl-invoice": "XRechnung, UBL 2.1 (Invoice)",
    "ubl-creditnote": "XRechnung, UBL 2.1 (CreditNote)",
    "cii": "XRechnung, UN/CEFACT CII D16B",
}
CHANNELS = {"api": "Schnittstelle (API)", "upload": "Hochladeseite", "email": "E-Mail"}


def grouped(digits: str) -> str:
    """``1234567`` → ``1.234.567``."""
    head = len(digits) % 3 or 3
    parts = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return ".".join(parts)


def german_number(value: Decimal | int, places: int | None = None) -> str:
    """``1234.5`` → ``1.234,5``; with ``places`` rounded to as many decimals (``1.234,50``)."""
    number = Decimal(value)
    if places is not None:
        number = number.quantize(Decimal(1).scaleb(-places))
    elif number == number.to_integral_value():
        number = number.quantize(Decimal(1))
    else:
        number = number.normalize()
    sign = "-" if number < 0 else ""
    whole, _, fraction = f"{abs(number):f}".partition(".")
    return sign + grouped(whole) + (f",{fraction}" if fraction else "")


def money(value: Decimal | None, currency: str = "EUR") -> str:
    """``1.234,56 €`` (another currency by its code: ``1.234,56 USD``); empty for none."""
    if value is None:
        return ""
    return f"{german_number(value, 2)} {'€' if currency == 'EUR' else currency}"


def day(value: date | None) -> str:
    """``01.12.2026``; empty for none."""
    return f"{value:%d.%m.%Y}" if value else ""


def moment(value: datetime | None) -> str:
    """``01.12.2026, 14:05 Uhr`` in German time (a naive moment is UTC)."""
    if value is None:
        return ""
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return f"{aware.astimezone(GERMANY):%d.%m.%Y, %H:%M} Uhr"


def percent(value: Decimal | None) -> str:
    """``19 %``, ``7,5 %``; empty for none."""
    return "" if value is None else f"{german_number(value)} %"


def quantity(value: Decimal, unit_code: str | None) -> str:
    """``3 Stunden``, ``1,5 m²`` (an unknown unit by its code)."""
    unit = UNITS.get(unit_code or "", unit_code or "")
    return f"{german_number(value)} {unit}".strip()


def code_word(table: dict[str, str], code: str | None) -> str:
    """A code in words, with the code: ``Rechnung (380)``; the code alone if unknown."""
    if not code:
        return ""
    word = table.get(code)
    return f"{word} ({code})" if word else code


def iban(value: str | None) -> str:
    """``DE79 0000 0000 1234 5678 90``: in groups of four, as printed on paper."""
    if not value:
        return ""
    plain = value.replace(" ", "")
    return " ".join(plain[i : i + 4] for i in range(0, len(plain), 4))


@dataclass(frozen=True)
class DateState:
    """A due or discount date's state in words (never by colour alone) and its CSS class."""

    text: str
    css: str


def date_state(value: date | None, today: date, *, discount: bool = False) -> DateState | None:
    """Passed, today or near (``None``: time enough, or no date). A passed discount date
    only means the discount is gone; a passed due date means the invoice is overdue."""
    if value is None:
        return None
    if value < today:
        text = "Skontofrist abgelaufen" if discount else "überfällig"
        return DateState(text, "frist-ueberschritten")
    if value == today:
        return DateState("endet heute" if discount else "heute fällig", "frist-nah")
    if (value - today).days <= NEAR_DAYS:
        return DateState("endet bald" if discount else "bald fällig", "frist-nah")
    return None
