"""Which member town a place lies in: the geometry, and the areas in the member files."""

from __future__ import annotations

import tomllib
from itertools import combinations
from pathlib import Path

import pytest

from contracts.events.intake import TownProfilePublished
from contracts.geo import (
    Area,
    areas_overlap,
    contains,
    covers,
    section_inside,
    town_containing,
    town_covering,
)

MEMBERS = Path(__file__).resolve().parents[3] / "deploy" / "members"
WURZEN, BENNEWITZ, MACHERN = "14729410", "14729030", "14729250"

WURZEN_MARKET = (51.3706, 12.7395)
"""Wurzen's market square."""
BENNEWITZ_VILLAGE = (51.3610, 12.7125)
"""The centre of Bennewitz, across the Mulde from Wurzen."""
CLOSE_TO_THE_MULDE = (51.3660, 12.7340)
"""Wurzen, between the market and the river."""

# An L-shaped area: the ray cast must handle a concave corner.
L_SHAPE: Area = [(0.0, 0.0), (0.0, 2.0), (1.0, 2.0), (1.0, 1.0), (2.0, 1.0), (2.0, 0.0)]


def member_areas() -> dict[str, Area]:
    areas: dict[str, Area] = {}
    for path in sorted(MEMBERS.glob("*.toml")):
        town = tomllib.loads(path.read_text(encoding="utf-8"))["town"]
        areas[town["ags"]] = [(lat, lon) for lat, lon in town["area"]]
    return areas


@pytest.mark.parametrize(
    ("point", "inside"),
    [
        ((0.5, 0.5), True),
        ((0.5, 1.5), True),
        ((1.5, 0.5), True),
        ((1.5, 1.5), False),  # the notch
        ((3.0, 0.5), False),
        ((-0.1, 0.5), False),
    ],
)
def test_a_point_is_inside_or_outside_a_concave_area(
    point: tuple[float, float], inside: bool
) -> None:
    assert contains(L_SHAPE, point) is inside


def test_a_section_is_inside_only_if_it_never_leaves_the_area() -> None:
    assert section_inside(L_SHAPE, (0.5, 0.5), (0.5, 1.5))
    assert section_inside(L_SHAPE, (0.5, 0.5), (1.5, 0.5))
    assert not section_inside(L_SHAPE, (0.5, 1.8), (1.8, 0.5))  # across the notch
    assert not section_inside(L_SHAPE, (0.5, 0.5), (3.0, 0.5))


def test_a_place_of_one_point_or_a_line_is_covered_or_not() -> None:
    assert covers(L_SHAPE, [(0.5, 0.5)])
    assert covers(L_SHAPE, [(0.5, 1.5), (0.5, 0.5), (1.5, 0.5)])
    assert not covers(L_SHAPE, [(0.5, 1.8), (1.8, 0.5)])
    assert not covers(L_SHAPE, [])


def test_two_areas_overlap_by_crossing_edges_or_by_nesting() -> None:
    square = [(0.0, 0.0), (0.0, 1.0), (1.0, 1.0), (1.0, 0.0)]
    inner = [(0.2, 0.2), (0.2, 0.4), (0.4, 0.4), (0.4, 0.2)]
    apart = [(5.0, 5.0), (5.0, 6.0), (6.0, 6.0)]

    assert areas_overlap(L_SHAPE, square)
    assert areas_overlap(square, inner)
    assert areas_overlap(inner, square)
    assert not areas_overlap(square, apart)
    assert not areas_overlap([(1.5, 1.2), (1.5, 1.8), (1.8, 1.8)], L_SHAPE)  # in the notch


def test_wurzen_and_bennewitz_are_neighbours_that_do_not_overlap() -> None:
    areas = member_areas()

    assert town_containing(areas, WURZEN_MARKET) == WURZEN
    assert town_containing(areas, CLOSE_TO_THE_MULDE) == WURZEN
    assert town_containing(areas, BENNEWITZ_VILLAGE) == BENNEWITZ
    assert not contains(areas[WURZEN], BENNEWITZ_VILLAGE)
    assert not contains(areas[BENNEWITZ], WURZEN_MARKET)
    assert not areas_overlap(areas[WURZEN], areas[BENNEWITZ])


def test_a_section_across_a_town_border_lies_in_no_town() -> None:
    areas = member_areas()

    assert town_covering(areas, [WURZEN_MARKET, CLOSE_TO_THE_MULDE]) == WURZEN
    assert town_covering(areas, [WURZEN_MARKET, BENNEWITZ_VILLAGE]) is None
    assert town_containing(areas, (52.52, 13.405)) is None  # Berlin is no member


def test_every_member_file_has_an_area_around_its_town_hall_and_none_overlap() -> None:
    areas = member_areas()

    assert len(areas) == 18
    for ags, area in areas.items():
        assert 6 <= len(area) <= 12, ags
        assert all(50.0 < lat < 52.0 and 12.0 < lon < 13.5 for lat, lon in area), ags
    for (first, a), (second, b) in combinations(areas.items(), 2):
        assert not areas_overlap(a, b), (first, second)


@pytest.mark.parametrize(
    ("ags", "centre"),
    [
        ("14729410", (51.3706, 12.7395)),  # Wurzen
        ("14729030", (51.3610, 12.7125)),  # Bennewitz
        ("14729250", (51.3639, 12.6300)),  # Machern
        ("14729070", (51.3341, 12.6106)),  # Brandis
        ("14729300", (51.2781, 12.5886)),  # Naunhof
        ("14729260", (51.2780, 12.3760)),  # Markkleeberg
        ("14522020", (50.8140, 13.1020)),  # Augustusburg
        ("14522360", (50.9858, 12.9810)),  # Mittweida
        ("14523020", (50.5105, 12.4000)),  # Auerbach/Vogtl.
        ("14523360", (50.5310, 12.4130)),  # Rodewisch
        ("14523090", (50.4835, 12.3935)),  # Ellefeld
        ("14523120", (50.4775, 12.3700)),  # Falkenstein/Vogtl.
    ],
)
def test_a_town_centre_lies_in_its_own_area(ags: str, centre: tuple[float, float]) -> None:
    assert town_containing(member_areas(), centre) == ags


def test_the_area_is_published_with_the_profile_and_old_profiles_stay_readable() -> None:
    town = tomllib.loads((MEMBERS / "14729410-wurzen.toml").read_text(encoding="utf-8"))["town"]

    profile = TownProfilePublished.model_validate(town)
    assert profile.area is not None
    assert profile.area[0] == tuple(town["area"][0])
    without = {key: value for key, value in town.items() if key != "area"}
    assert TownProfilePublished.model_validate(without).area is None
    assert MACHERN in member_areas()
