"""The bodies a traffic order hears: police and road authority always, public transport where
buses pass or the road is closed, the fire brigade for a full closure."""

from __future__ import annotations

from typing import Any

from services.casework.domain.hearings import suggested_bodies
from tests.support.applications import example

ALL = {"polizei", "strassenbaulasttraeger", "oepnv", "feuerwehr"}


def traffic(**changes: Any) -> dict[str, Any]:
    body = example(
        "verkehrsrechtliche-anordnung", **{f"form__traffic__{k}": v for k, v in changes.items()}
    )
    form: dict[str, Any] = body["form"]
    return form


def test_a_full_closure_hears_all_four_bodies() -> None:
    form = traffic(restriction="vollsperrung")
    assert suggested_bodies("verkehrsrechtliche-anordnung", form, ALL) == [
        "polizei",
        "strassenbaulasttraeger",
        "oepnv",
        "feuerwehr",
    ]


def test_a_narrowed_lane_hears_police_and_road_authority_and_buses_only_at_their_stops() -> None:
    narrowed = traffic(restriction="fahrstreifeneinengung", bus_stops_affected=False)
    assert suggested_bodies("verkehrsrechtliche-anordnung", narrowed, ALL) == [
        "polizei",
        "strassenbaulasttraeger",
    ]
    at_stops = traffic(restriction="fahrstreifeneinengung", bus_stops_affected=True)
    assert "oepnv" in suggested_bodies("verkehrsrechtliche-anordnung", at_stops, ALL)


def test_only_bodies_the_town_configured_and_only_for_traffic_orders() -> None:
    form = traffic(restriction="vollsperrung")
    assert suggested_bodies("verkehrsrechtliche-anordnung", form, {"polizei"}) == ["polizei"]
    assert suggested_bodies("sondernutzungserlaubnis", form, ALL) == []
