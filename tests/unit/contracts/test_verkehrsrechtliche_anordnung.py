"""Verkehrsrechtliche Anordnung: section, period, working hours, plan; urgent ones flagged."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any
from uuid import UUID

import pytest
from pydantic import TypeAdapter, ValidationError

from contracts.procedures import procedure
from contracts.procedures.base import attachment_ids
from contracts.procedures.verkehrsrechtliche_anordnung import (
    Regelplan,
    Restriction,
    VerkehrsrechtlicheAnordnungForm,
    is_urgent,
)
from tests.unit.contracts.forms import ON, form_data, refusal, schema_property, submit

ID = "verkehrsrechtliche-anordnung"
PLAN = "0190f3c4-0000-7000-8000-00000000beef"


def test_a_full_closure_by_a_regelplan_is_valid() -> None:
    form = submit(ID)

    assert form.traffic.restriction is Restriction.VOLLSPERRUNG
    assert form.traffic.regelplan == "B II/1"
    assert form.period.start == ON + timedelta(days=14)
    assert form.working_hours.daily_from == time(7, 0)
    assert not is_urgent(form, ON)


@pytest.mark.parametrize(
    ("changes", "loc", "message"),
    [
        ({"period__start": "2026-06-14"}, ("period", "start"), "nicht in der Vergangenheit"),
        ({"period__start": "2029-01-01"}, ("period", "start"), "zwei Jahre vor"),
        ({"period__end": "2026-06-28"}, ("period", "end"), "nicht vor dem Beginn"),
        ({"period__end": "2028-12-31"}, ("period", "end"), "höchstens zwei Jahre"),
        ({"period__end": "30.06.2026"}, ("period", "end"), "JJJJ-MM-TT"),
        ({"traffic__detour": None}, ("traffic", "detour"), "fehlt"),
        ({"traffic__regelplan": "Plan 7"}, ("traffic", "regelplan"), "„B I/1“"),
        ({"traffic__regelplan": None}, ("traffic", "regelplan"), "fehlt"),
        ({"traffic__sign_plan": "eigener_plan"}, ("traffic", "sign_plan_file"), "fehlt"),
        ({"traffic__sign_plan_file": "plan.pdf"}, ("traffic", "sign_plan_file"), "Kennung"),
        ({"traffic__restriction": "sperrung"}, ("traffic", "restriction"), "zulässigen Werte"),
        ({"working_hours__daily_from": None}, ("working_hours", "daily_from"), "fehlt"),
        (
            {"working_hours__daily_until": "07:00:00"},
            ("working_hours", "daily_until"),
            "Beginn und Ende der Arbeitszeit sind gleich.",
        ),
        ({"urgent": True}, ("urgent_reason",), "fehlt"),
        (
            {"location__section__start__lat": 91},
            ("location", "section", "start", "lat"),
            "höchstens 90",
        ),
        ({"location__section__end": None}, ("location", "section", "end"), "Objekt"),
        ({"location__description": ""}, ("location", "description"), "Bitte füllen"),
        ({"applicant__phone": None}, ("applicant", "phone"), "Text"),
        ({"applicant__email": "bau@"}, ("applicant", "email"), "gültige E-Mail-Adresse"),
    ],
)
def test_wrong_answers_are_refused_at_their_field_in_german(
    changes: dict[str, Any], loc: tuple[str, ...], message: str
) -> None:
    found_loc, found_message = refusal(ID, **changes)

    assert found_loc == loc
    assert message in found_message


def test_an_own_sign_plan_is_an_uploaded_file_instead_of_a_regelplan() -> None:
    form = submit(
        ID,
        traffic__sign_plan="eigener_plan",
        traffic__regelplan=None,
        traffic__sign_plan_file=PLAN,
    )

    assert attachment_ids(form) == [UUID(PLAN)]
    shown = schema_property(VerkehrsrechtlicheAnordnungForm, "TrafficControl", "sign_plan_file")
    assert shown["x-widget"] == "file"
    assert shown["x-show-if"] == {"field": "sign_plan", "equals": "eigener_plan"}


def test_a_half_closure_needs_no_detour_and_works_round_the_clock_no_hours() -> None:
    form = submit(
        ID,
        traffic__restriction="halbseitige_sperrung",
        traffic__detour=None,
        working_hours={"round_the_clock": True},
    )
    assert form.traffic.detour is None
    assert form.working_hours.daily_from is None


def test_the_detour_is_asked_for_a_full_closure_or_a_detour_in_the_schema() -> None:
    schema = VerkehrsrechtlicheAnordnungForm.model_json_schema()["$defs"]["TrafficControl"]

    assert schema["properties"]["detour"]["x-show-if"] == {
        "field": "restriction",
        "one_of": ["vollsperrung", "umleitung"],
    }
    assert {
        "if": {
            "properties": {"restriction": {"enum": ["vollsperrung", "umleitung"]}},
            "required": ["restriction"],
        },
        "then": {"required": ["detour"]},
    } in schema["allOf"]


def test_the_section_is_a_section_of_two_points_for_the_widget() -> None:
    schema = VerkehrsrechtlicheAnordnungForm.model_json_schema()["$defs"]

    assert schema["Section"]["x-widget"] == "section"
    assert schema["Coordinates"]["x-widget"] == "point"


def test_night_works_run_past_midnight() -> None:
    form = submit(ID, working_hours__daily_from="22:00:00", working_hours__daily_until="05:00:00")
    assert form.working_hours.daily_until == time(5, 0)


@pytest.mark.parametrize(
    ("start_in_days", "flagged", "urgent"),
    [(14, False, False), (5, False, False), (4, False, True), (0, False, True), (30, True, True)],
)
def test_urgent_is_flagged_or_starts_within_five_days_of_the_submission(
    start_in_days: int, flagged: bool, urgent: bool
) -> None:
    start = ON + timedelta(days=start_in_days)
    form = submit(
        ID,
        period__start=start.isoformat(),
        period__end=(start + timedelta(days=3)).isoformat(),
        urgent=flagged,
        urgent_reason="Wasserrohrbruch" if flagged else None,
    )
    assert is_urgent(form, ON) is urgent


def test_the_place_is_the_section_and_the_contact_the_companys_person() -> None:
    definition = procedure(ID)
    form = submit(ID)

    place = definition.place(form)
    assert place is not None
    assert place.coordinates == ((51.3712, 12.7402), (51.3722, 12.742))
    assert place.description.startswith("Wenceslaigasse: ")
    contact = definition.contact(form)
    assert contact is not None
    assert contact.name == "Bruno Kellermann"


@pytest.mark.parametrize(
    ("written", "stored"),
    [("B I/1", "B I/1"), ("b ii / 3", "B II/3"), ("BII/3", "B II/3"), ("C I/2a", "C I/2a")],
)
def test_a_regelplan_is_normalised(written: str, stored: str) -> None:
    assert TypeAdapter(Regelplan).validate_python(written) == stored


@pytest.mark.parametrize("written", ["A I/1", "B VI/1", "B I/0", "B/1", "B I 1", "B I/123"])
def test_a_wrong_regelplan_is_refused(written: str) -> None:
    with pytest.raises(ValidationError):
        TypeAdapter(Regelplan).validate_python(written)


def test_a_stored_application_is_read_without_the_submission_checks() -> None:
    """A year later the period lies in the past: the stored form is still read."""
    stored = form_data(ID, period__start="2020-03-01", period__end="2020-02-01")

    form = VerkehrsrechtlicheAnordnungForm.read(stored)
    assert form.period.start == date(2020, 3, 1)
