"""The filing plan (Aktenplan): where each procedure's files go, and how long they are kept.

Every town files under plan positions of its own plan; the positions below are the default, in
the style of the KGSt plan that many German municipalities follow (main group 2 finances,
3 public order, 6 building and roads). A town's member file may name its own position and
retention period per procedure:

    [archive.filing_plan.maengelmelder]
    code = "66.30.05"
    retention_years = 5

Archive adopts a town's plan into its log when it differs from the one recorded
(``archive.FilingPlanAdopted``); a file's reference and retention come from the plan in force
when it is filed, and ``archive.CaseFiled`` records both.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

CODE = re.compile(r"^\d{2}(\.\d{2}){1,3}$")


@dataclass(frozen=True)
class PlanEntry:
    """A filing plan position (Aktenplan) and the retention period of its files."""

    code: str
    retention_years: int


DEFAULT_PLAN: Mapping[str, PlanEntry] = {
    "gewerbeanmeldung": PlanEntry("32.10.01", 10),
    "gewerbeummeldung": PlanEntry("32.10.02", 10),
    "gewerbeabmeldung": PlanEntry("32.10.03", 10),
    # Tax files: the assessment period plus the limitation periods of the tax code.
    "hundesteuer-anmeldung": PlanEntry("20.52.01", 10),
    "hundesteuer-abmeldung": PlanEntry("20.52.02", 10),
    "verkehrsrechtliche-anordnung": PlanEntry("32.31.01", 10),
    "bewohnerparkausweis": PlanEntry("32.32.01", 3),
    "sondernutzungserlaubnis": PlanEntry("66.31.01", 10),
    "maengelmelder": PlanEntry("66.30.01", 5),
    # Payment vouchers (Buchungsbelege): ten years, as § 147 AO and the towns' budget law ask.
    "eingangsrechnung": PlanEntry("20.31.01", 10),
}
FALLBACK = PlanEntry("00.00.00", 10)
"""A procedure no plan names (none today): filed all the same, under the general position."""


class FilingPlanInvalid(ValueError):
    """A member file's ``[archive.filing_plan]`` is wrong; the message names every mistake."""


def town_plan(member: Mapping[str, Any]) -> dict[str, PlanEntry]:
    """The default plan with the town's own positions over it (pure; refuses a wrong one)."""
    section = member.get("archive", {}).get("filing_plan", {})
    plan = dict(DEFAULT_PLAN)
    mistakes = []
    for procedure, entry in section.items():
        if procedure not in DEFAULT_PLAN:
            mistakes.append(f"{procedure}: no such procedure")
            continue
        code, years = entry.get("code"), entry.get("retention_years")
        if not isinstance(code, str) or not CODE.match(code):
            mistakes.append(f"{procedure}.code: a plan position such as 32.10.01, not {code!r}")
        if not isinstance(years, int) or isinstance(years, bool) or not 1 <= years <= 100:
            mistakes.append(f"{procedure}.retention_years: whole years from 1 to 100")
        if isinstance(code, str) and isinstance(years, int):
            plan[procedure] = PlanEntry(code, years)
    if mistakes:
        raise FilingPlanInvalid("; ".join(mistakes))
    return plan


def plan_entry(plan: Mapping[str, PlanEntry], procedure: str) -> PlanEntry:
    """A procedure's position in a plan."""
    return plan.get(procedure) or DEFAULT_PLAN.get(procedure) or FALLBACK
