"""Schedule versions: the one in force on a day applies, across a change of schedule."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from services.billing.domain.schedule_versions import flat_fees, legal_basis, valid_on
from tests.unit.services.billing.schedules import by_area, flat, ranged, version

OLD = version(date(2023, 1, 1), gewerbeanmeldung=flat("24.00"))
NEW = version(date(2025, 1, 1), gewerbeanmeldung=flat("26.00"))


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2023, 1, 1), OLD),
        (date(2024, 12, 31), OLD),
        (date(2025, 1, 1), NEW),
        (date(2030, 6, 1), NEW),
    ],
)
def test_the_version_in_force_on_a_day_applies(day: date, expected: object) -> None:
    assert valid_on([OLD, NEW], day) is expected
    assert valid_on([NEW, OLD], day) is expected  # the order they are listed in does not matter


def test_before_the_first_version_none_is_in_force() -> None:
    assert valid_on([OLD, NEW], date(2022, 12, 31)) is None
    assert valid_on([], date(2025, 1, 1)) is None


def test_the_flat_fees_of_a_version_are_what_a_catalogue_can_state() -> None:
    mixed = version(
        date(2025, 1, 1),
        gewerbeanmeldung=flat("26.00"),
        verkehrsrechtliche_anordnung=ranged(),
        sondernutzungserlaubnis=by_area(sonstiges=("2.50", "month")),
    )

    assert flat_fees(mixed) == {"gewerbeanmeldung": Decimal("26.00")}


def test_the_legal_basis_is_the_town_s_schedule_unless_the_item_names_another() -> None:
    schedule = version(
        date(2025, 1, 1), gewerbeanmeldung=flat("26.00"), verkehrsrechtliche_anordnung=ranged()
    )

    own = legal_basis(schedule, schedule.items["gewerbeanmeldung"])
    gebost = legal_basis(schedule, schedule.items["verkehrsrechtliche-anordnung"])

    assert own == "Verwaltungskostensatzung vom 01.01.2025, Tarifstelle 1"
    assert gebost == "GebOSt, Gebühren-Nr. 264 der Anlage"
