"""The example applications of ``deploy/examples/``, with their dates moved to today.

One valid application per procedure, all in Wurzen. Their dates must stay plausible whenever
they are used — a trade starts a week from today, road works begin in a fortnight — so the
files hold sample dates and ``RELATIVE_DATES`` says which of them are days from today. The
development stack's demo cases and the tests both start from here.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from contracts.calendar import today

EXAMPLES = Path(__file__).resolve().parents[1] / "deploy" / "examples"
"""One valid application per procedure (``<procedure id>.json``), all in Wurzen."""

RELATIVE_DATES: dict[str, dict[str, int]] = {
    # A trade may be registered, changed or ended at most a year ahead and a year late.
    "gewerbeanmeldung": {"form__business__start_date": 7},
    "gewerbeummeldung": {"form__business__change_date": 7},
    "gewerbeabmeldung": {"form__business__cessation_date": 7},
    # Two weeks ahead: not urgent (that is within 5 days), and not in the past.
    "verkehrsrechtliche-anordnung": {"form__period__start": 14, "form__period__end": 28},
    "bewohnerparkausweis": {},
    # A dog is registered soon after it comes, and deregistered soon after it goes.
    "hundesteuer-anmeldung": {"form__dog__kept_since": -7},
    "hundesteuer-abmeldung": {"form__ended_on": -3},
    "sondernutzungserlaubnis": {"form__period__start": 14, "form__period__end": 27},
    "maengelmelder": {},
}
"""Per procedure, the example's dates that are days from today whenever it is used."""


def example(procedure: str, *, on: date | None = None, **changes: Any) -> dict[str, Any]:
    """The example application of a procedure, its dates shifted to today, with changes.

    ``form__business__trade_name="X"`` replaces one value by its path; a dict value given
    as a change replaces the whole group. ``on``: the day the dates are shifted from (a
    unit test that fixes the submission's day); today in Germany by default.
    """
    body: dict[str, Any] = json.loads((EXAMPLES / f"{procedure}.json").read_text("utf-8"))
    day = on or today()
    shifted = {
        path: (day + timedelta(days=days)).isoformat()
        for path, days in RELATIVE_DATES[procedure].items()
    }
    for path, value in {**shifted, **changes}.items():
        target = body
        *parents, leaf = path.split("__")
        for part in parents:
            target = target[part]
        target[leaf] = value
    return body
