"""How the pages word deadlines, moments and who acted; the queue's counts and links."""

from __future__ import annotations

from datetime import UTC, date, datetime

from services.casework.pages.queue_page import counts_table, page_link
from services.casework.pages.wording import actor_label, deadline_state, euro, german_moment
from services.casework.queries import QueueCount

TODAY = date(2026, 11, 30)


def said(deadline: date | None, notice: str | None = None) -> tuple[str, str] | None:
    state = deadline_state(deadline, TODAY, notice)
    return (state.text, state.css) if state else None


def test_a_deadline_passed_or_near_is_said_in_words() -> None:
    assert said(date(2026, 11, 27)) == ("Frist überschritten", "frist-ueberschritten")
    assert said(date(2026, 12, 20), "passed") == ("Frist überschritten", "frist-ueberschritten")
    assert said(TODAY) == ("Frist endet heute", "frist-nah")
    assert said(date(2026, 12, 2)) == ("Frist läuft bald ab", "frist-nah")
    assert said(date(2026, 12, 20)) is None
    assert said(date(2026, 12, 20), "near") == ("Frist läuft bald ab", "frist-nah")
    assert said(None, "passed") is None


def test_moments_are_german_time_and_actors_readable() -> None:
    winter = datetime(2026, 11, 30, 13, 5, 7, tzinfo=UTC)
    assert german_moment(winter) == "30.11.2026, 14:05 Uhr"
    assert german_moment(winter.replace(tzinfo=None), seconds=True) == "30.11.2026, 14:05:07 Uhr"
    assert german_moment(None) == ""
    names = {"14522020": "Augustusburg"}.get
    assert actor_label("clerk:anton@14522020", lambda t: names(t) or t) == (
        "Sachbearbeitung Augustusburg"
    )
    assert actor_label("body:polizei", str) == "Angehörte Stelle"
    assert actor_label("citizen", str) == "Antragsteller/in"
    assert actor_label("system:casework.timers", str) == "System"
    assert actor_label("system:configuration", str) == "Mitgliedsdatei (Grundeinstellung)"
    assert euro(120) == "120,00 €"


def test_counts_by_procedure_in_the_catalogues_and_the_lifecycles_order() -> None:
    statuses, rows = counts_table(
        [
            QueueCount("maengelmelder", "queued", 2),
            QueueCount("gewerbeanmeldung", "in_review", 1),
            QueueCount("gewerbeanmeldung", "queued", 3),
        ]
    )
    assert statuses == ["queued", "in_review"]
    assert [(r.procedure, r.by_status, r.total) for r in rows] == [
        ("gewerbeanmeldung", {"in_review": 1, "queued": 3}, 4),
        ("maengelmelder", {"queued": 2}, 2),
    ]


def test_the_next_page_keeps_the_filters() -> None:
    asked = {"verfahren": "gewerbeanmeldung", "suche": "Müller", "nach": "alt", "x": "y"}
    assert page_link(asked, "neu") == (
        "/desk/vorgaenge?verfahren=gewerbeanmeldung&suche=M%C3%BCller&nach=neu"
    )
    assert page_link({}) == "/desk/vorgaenge"
