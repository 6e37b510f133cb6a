"""Demo cases: a few applications in several towns, so the clerks' desk has work at once.

Submitted through intake's API like any citizen's, each with a fixed Idempotency-Key: a
second start finds them (200) and adds nothing; on a later day, when the example's dates
moved, intake refuses the same key for other content (409) — the demo cases are there
already. Some pass every automated rule and are decided at once; the others wait in the
queues of Wurzen, Augustusburg, Thallwitz and Bennewitz (a defect reported in Wurzen's
widget for a place in Bennewitz), so that each demo clerk finds something to do.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from devstack.examples import example

WURZEN, AUGUSTUSBURG, THALLWITZ = "14729410", "14522020", "14729380"
AUGUSTUSBURG_ADDRESS = {
    "street": "Marienberger Straße 24",
    "postcode": "09573",
    "city": "Augustusburg",
}
THALLWITZ_ADDRESS = {"street": "Dorfplatz 5", "postcode": "04808", "city": "Thallwitz"}


@dataclass(frozen=True)
class DemoCase:
    """One demo application: where, which procedure, what is changed in the example."""

    key: str
    town: str
    procedure: str
    changes: dict[str, Any]
    what: str


CASES = (
    DemoCase("demo-1", WURZEN, "gewerbeanmeldung", {}, "decided automatically"),
    DemoCase(
        "demo-2",
        WURZEN,
        "gewerbeanmeldung",
        {
            "form__applicant__email": "sicherheit.mulde@example.org",
            "form__business__regulated_activities": ["34a"],
        },
        "a security trade: a clerk checks the permit (Wurzen or Augustusburg)",
    ),
    DemoCase(
        "demo-3",
        WURZEN,
        "gewerbeummeldung",
        {"form__trader__email": "demo3@example.org"},
        "an extended activity",
    ),
    DemoCase(
        "demo-4", WURZEN, "verkehrsrechtliche-anordnung", {}, "a full closure: four bodies to hear"
    ),
    DemoCase(
        "demo-5",
        WURZEN,
        "hundesteuer-anmeldung",
        {"form__keeper__email": "demo5@example.org"},
        "a dog to register",
    ),
    DemoCase("demo-6", WURZEN, "sondernutzungserlaubnis", {}, "a scaffold on the market square"),
    DemoCase(
        "demo-7",
        WURZEN,
        "bewohnerparkausweis",
        {"form__applicant__email": "demo7@example.org", "form__parking_zone": "Neustadt"},
        "a parking zone Wurzen does not have",
    ),
    DemoCase(
        "demo-8",
        WURZEN,
        "maengelmelder",
        {
            "form__reporter__email": "demo8@example.org",
            "form__point": {"lat": 51.3610, "lon": 12.7125},
        },
        "a defect in Bennewitz, reported in Wurzen's widget",
    ),
    DemoCase(
        "demo-9",
        AUGUSTUSBURG,
        "gewerbeanmeldung",
        {
            "form__applicant__email": "demo9@example.org",
            "form__applicant__address": AUGUSTUSBURG_ADDRESS,
            "form__business__address": AUGUSTUSBURG_ADDRESS,
            "form__business__craft_trade": True,
        },
        "a craft trade without its Handwerksrolle entry (Augustusburg or Wurzen)",
    ),
    DemoCase(
        "demo-10",
        THALLWITZ,
        "gewerbeanmeldung",
        {
            "form__applicant__email": "demo10@example.org",
            "form__applicant__address": THALLWITZ_ADDRESS,
            "form__business__address": THALLWITZ_ADDRESS,
        },
        "every rule passes; Thallwitz's clerk confirms the prepared approval",
    ),
)


@dataclass(frozen=True)
class DemoResult:
    """What the demo submission did."""

    new: int
    there: int
    refused: list[str]


def submit_demo_cases(intake_url: str, timeout: float = 10.0) -> DemoResult:
    """Submit the demo cases (each once, ever); what became of them."""
    new, there, refused = 0, 0, []
    with httpx.Client(base_url=intake_url, timeout=timeout) as client:
        for case in CASES:
            answer = client.post(
                f"/api/v1/towns/{case.town}/procedures/{case.procedure}/applications",
                json=example(case.procedure, **case.changes),
                headers={"Idempotency-Key": case.key},
            )
            if answer.status_code == 201:
                new += 1
            elif answer.status_code in (200, 409):
                there += 1
            else:
                refused.append(f"{case.key} ({case.procedure}): {answer.status_code}")
    return DemoResult(new, there, refused)
