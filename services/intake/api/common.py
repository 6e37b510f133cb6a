"""What intake's routers share: path parameters, and "does this town offer this procedure?"."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path
from fastapi.responses import JSONResponse

from runtime.http import problem
from services.intake.queries import CatalogueCache

Ags = Annotated[
    str,
    Path(pattern=r"^\d{8}$", description="Amtlicher Gemeindeschlüssel", examples=["14729410"]),
]
ProcedureId = Annotated[
    str, Path(description="Kennung des Verfahrens", examples=["gewerbeanmeldung"])
]


def town_unknown(ags: str) -> JSONResponse:
    """The German 404 for a town that is no member."""
    return problem(
        404,
        "Gemeinde nicht gefunden.",
        f"Die Gemeinde mit dem Schlüssel {ags} ist kein Mitglied der RathausCloud.",
    )


class Offers:
    """Whether a town offers a procedure online — the catalogue's answer, or the German 404."""

    def __init__(self, catalogue: CatalogueCache) -> None:
        self._catalogue = catalogue

    async def __call__(self, ags: str, procedure: str) -> dict[str, Any] | JSONResponse:
        """How the town offers it, or a 404 saying what is missing."""
        if await self._catalogue.town(ags) is None:
            return town_unknown(ags)
        found = await self._catalogue.procedure(ags, procedure)
        if found is None:
            return problem(
                404,
                "Verfahren nicht gefunden.",
                f"Diese Gemeinde bietet das Verfahren „{procedure}“ nicht online an.",
            )
        return found
