"""The procedures the suite carries, one module each, and the table that registers them.

A form schema is a contract: intake validates a citizen's input against it, and every
service that reads an application's form (casework's rules, archive's record) parses it with
the same model (``FormModel.read`` for a stored one). Adding a procedure: a module here with
its ``DEFINITION``, a line in ``DEFINITIONS`` and in ``ProcedureId``, and in each service that
cares a module named after it in that service's own table (a test lists what each supports).
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel

from contracts.procedures import (
    bewohnerparkausweis,
    gewerbeabmeldung,
    gewerbeanmeldung,
    gewerbeummeldung,
    hundesteuer_abmeldung,
    hundesteuer_anmeldung,
    maengelmelder,
    sondernutzungserlaubnis,
    verkehrsrechtliche_anordnung,
)
from contracts.procedures.base import ProcedureDefinition
from contracts.procedures.gewerbeanmeldung import GewerbeanmeldungForm

DEFINITIONS: tuple[ProcedureDefinition, ...] = (
    gewerbeanmeldung.DEFINITION,
    gewerbeummeldung.DEFINITION,
    gewerbeabmeldung.DEFINITION,
    verkehrsrechtliche_anordnung.DEFINITION,
    bewohnerparkausweis.DEFINITION,
    hundesteuer_anmeldung.DEFINITION,
    hundesteuer_abmeldung.DEFINITION,
    sondernutzungserlaubnis.DEFINITION,
    maengelmelder.DEFINITION,
)
PROCEDURES: dict[str, ProcedureDefinition] = {d.id: d for d in DEFINITIONS}
"""Every procedure by id."""


class ProcedureId(StrEnum):
    """Procedure identifiers, stable across towns (used in URLs, events and member files)."""

    GEWERBEANMELDUNG = "gewerbeanmeldung"
    GEWERBEUMMELDUNG = "gewerbeummeldung"
    GEWERBEABMELDUNG = "gewerbeabmeldung"
    VERKEHRSRECHTLICHE_ANORDNUNG = "verkehrsrechtliche-anordnung"
    BEWOHNERPARKAUSWEIS = "bewohnerparkausweis"
    HUNDESTEUER_ANMELDUNG = "hundesteuer-anmeldung"
    HUNDESTEUER_ABMELDUNG = "hundesteuer-abmeldung"
    SONDERNUTZUNGSERLAUBNIS = "sondernutzungserlaubnis"
    MAENGELMELDER = "maengelmelder"


FORMS: dict[ProcedureId, dict[int, type[BaseModel]]] = {
    ProcedureId(d.id): dict(d.forms) for d in DEFINITIONS
}
"""Form model per procedure and form version."""

TITLES: dict[ProcedureId, str] = {ProcedureId(d.id): d.title for d in DEFINITIONS}
"""German title of each procedure, as citizens and clerks read it."""


class UnknownProcedure(LookupError):
    """No procedure has this id."""


def procedure(procedure_id: str) -> ProcedureDefinition:
    """The definition of a procedure; ``UnknownProcedure`` for an id the suite does not know."""
    try:
        return PROCEDURES[procedure_id]
    except KeyError:
        raise UnknownProcedure(procedure_id) from None


def procedure_title(procedure_id: str) -> str:
    """The German title of a procedure id (the id itself if unknown)."""
    found = PROCEDURES.get(procedure_id)
    return found.title if found else procedure_id


__all__ = [
    "DEFINITIONS",
    "FORMS",
    "PROCEDURES",
    "TITLES",
    "GewerbeanmeldungForm",
    "ProcedureDefinition",
    "ProcedureId",
    "UnknownProcedure",
    "procedure",
    "procedure_title",
]
