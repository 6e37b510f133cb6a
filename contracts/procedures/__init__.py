"""The procedures the suite carries: their ids and the schema of their application forms.

A form schema is a contract: intake validates a citizen's input against it, and every
service that reads an application's form (casework's rules, archive's record) parses it with
the same model.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel

from contracts.procedures.gewerbeanmeldung import GewerbeanmeldungForm


class ProcedureId(StrEnum):
    """Procedure identifiers, stable across towns."""

    GEWERBEANMELDUNG = "gewerbeanmeldung"


FORMS: dict[ProcedureId, dict[int, type[BaseModel]]] = {
    ProcedureId.GEWERBEANMELDUNG: {1: GewerbeanmeldungForm},
}
"""Form model per procedure and form version."""

TITLES: dict[ProcedureId, str] = {
    ProcedureId.GEWERBEANMELDUNG: "Gewerbeanmeldung",
}
"""German title of each procedure, as citizens and clerks read it."""


def procedure_title(procedure: str) -> str:
    """The German title of a procedure id (the id itself if unknown)."""
    return next((title for key, title in TITLES.items() if key.value == procedure), procedure)


__all__ = ["FORMS", "TITLES", "GewerbeanmeldungForm", "ProcedureId", "procedure_title"]
