"""Each procedure's rules, registered by procedure id (a test checks every procedure has one).

Adding a procedure means adding its module here and a line in ``RULE_SETS`` — the trade
forms and resident parking can be decided automatically; the others are decided by a clerk.
"""

from __future__ import annotations

from contracts.procedures import ProcedureId
from services.casework.domain.rules import bewohnerparkausweis, gewerbe
from services.casework.domain.rules.base import CLERK_DECIDES, Facts, RuleSet

RULE_SETS: dict[str, RuleSet] = {
    ProcedureId.GEWERBEANMELDUNG: gewerbe.ANMELDUNG,
    ProcedureId.GEWERBEUMMELDUNG: gewerbe.UMMELDUNG,
    ProcedureId.GEWERBEABMELDUNG: gewerbe.ABMELDUNG,
    ProcedureId.BEWOHNERPARKAUSWEIS: bewohnerparkausweis.RULE_SET,
    ProcedureId.VERKEHRSRECHTLICHE_ANORDNUNG: CLERK_DECIDES,
    ProcedureId.HUNDESTEUER_ANMELDUNG: CLERK_DECIDES,
    ProcedureId.HUNDESTEUER_ABMELDUNG: CLERK_DECIDES,
    ProcedureId.SONDERNUTZUNGSERLAUBNIS: CLERK_DECIDES,
    ProcedureId.MAENGELMELDER: CLERK_DECIDES,
}


def rule_set(procedure: str) -> RuleSet:
    """The rules of a procedure; a procedure this release does not know goes to a clerk."""
    return RULE_SETS.get(procedure, CLERK_DECIDES)


__all__ = ["RULE_SETS", "Facts", "RuleSet", "rule_set"]
