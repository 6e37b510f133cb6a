"""Reading what a desk form sends: dates, German numbers, lines, the moment of a past view,
the fee basis — each refusal names the field on the page."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from contracts.calendar import GERMANY
from contracts.events.casework import FeeBasis
from services.casework.domain.fees import RATE_CLASSES
from services.casework.pages.acting import fee_basis
from services.casework.pages.case_page import past_moment
from services.casework.pages.form_input import (
    InputProblem,
    day,
    decimal,
    expected_version,
    lines,
    moment,
    whole,
)
from services.casework.pages.wording import RATE_CLASS_LABELS


def test_lines_version_and_whole_numbers() -> None:
    assert lines("  Erste Auflage \n\n Zweite\r\n") == ["Erste Auflage", "Zweite"]
    assert expected_version("7") == 7
    assert expected_version("") is None
    assert expected_version("sieben") is None
    assert whole(" 3 ", "f", "Die Zahl") == 3
    with pytest.raises(InputProblem) as refused:
        whole("3,5", "gebuehr-hunde", "Die Zahl der Hunde")
    assert (refused.value.field_id, refused.value.message) == (
        "gebuehr-hunde",
        "Die Zahl der Hunde muss eine ganze Zahl sein.",
    )


def test_dates_from_the_date_field_or_typed_the_german_way() -> None:
    assert day("2026-12-14", "f", "Die Frist") == date(2026, 12, 14)
    assert day("14.12.2026", "f", "Die Frist") == date(2026, 12, 14)
    assert day("", "f", "Die Frist", required=False) is None
    with pytest.raises(InputProblem, match=r"Die Frist fehlt\."):
        day(" ", "rueckfrage-frist", "Die Frist")
    with pytest.raises(InputProblem, match="kein gültiges Datum") as refused:
        day("31.02.2026", "rueckfrage-frist", "Die Frist")
    assert refused.value.field_id == "rueckfrage-frist"


def test_german_amounts() -> None:
    assert decimal("120,50", "f", "Die Gebühr") == Decimal("120.50")
    assert decimal("1.234,50 €", "f", "Die Gebühr") == Decimal("1234.50")
    assert decimal("12.5", "f", "Die Fläche") == Decimal("12.5")
    assert decimal("", "f", "Die Gebühr") is None
    for wrong in ("zwölf", "NaN", "Infinity"):
        with pytest.raises(InputProblem, match=r"Die Gebühr ist keine Zahl\."):
            decimal(wrong, "gebuehr-betrag", "Die Gebühr")


def test_a_past_moment_is_german_time_from_the_form_or_exact_from_a_history_link() -> None:
    # The typed second (or minute) is included whole: what happened in it is part of the view.
    assert moment("2026-11-30", "14:05:07", "stand") == datetime(
        2026, 11, 30, 14, 5, 7, 999999, tzinfo=GERMANY
    )
    assert moment("2026-11-30", "14:05", "stand") == datetime(
        2026, 11, 30, 14, 5, 59, 999999, tzinfo=GERMANY
    )
    assert moment("2026-11-30", "", "stand").time().isoformat() == "23:59:59.999999"
    exact = datetime(2026, 11, 30, 13, 5, 7, 123456, tzinfo=UTC)
    assert past_moment({"stand": exact.isoformat()}) == exact
    assert past_moment({}) is None
    with pytest.raises(InputProblem) as refused:
        past_moment({"tag": "2026-11-30", "uhrzeit": "25:00"})
    assert refused.value.field_id == "stand-zeit"
    tomorrow = datetime.now(GERMANY) + timedelta(days=1)
    with pytest.raises(InputProblem, match="Zukunft"):
        past_moment({"tag": tomorrow.date().isoformat(), "uhrzeit": "00:00"})
    with pytest.raises(InputProblem):
        past_moment({"stand": "gestern"})


def test_the_fee_basis_of_a_decision_form() -> None:
    assert fee_basis("entscheidung", {"betrag": "", "flaeche": ""}) is None
    assert fee_basis("entscheidung", {"betrag": "120,00"}) == FeeBasis(amount=Decimal("120.00"))
    assert fee_basis("entscheidung", {"flaeche": "12,5", "tage": "14"}) == FeeBasis(
        area_m2=Decimal("12.5"), days=14
    )
    with pytest.raises(InputProblem) as refused:
        fee_basis("bestaetigung", {"tage": "zwei"})
    assert refused.value.field_id == "bestaetigung-gebuehr-tage"


def test_every_rate_class_of_the_dog_tax_has_a_german_label() -> None:
    assert set(RATE_CLASS_LABELS) == RATE_CLASSES
