"""Delegations, for a town's supervisor: who processes the town's cases of each procedure.

``GET  /desk/delegationen[?gemeinde=…]``  the town's agreements per procedure, which is in
                                          force, and a form for a new one
``POST /desk/delegationen``               a new agreement (``DeskCommands.agree``, as the
                                          API's): it applies to cases opened from then on;
                                          open cases move only on purpose, case by case
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse

from contracts.calendar import today
from contracts.procedures import PROCEDURES, UnknownProcedure
from runtime.auth import Identity
from runtime.desk import Desk, DeskRefusal, DeskSupervisor, desk_router
from services.casework.commands import Agreement, DeskCommands, Forbidden
from services.casework.domain.refusals import Refused
from services.casework.pages.form_input import InputProblem, day
from services.casework.pages.queue_page import chosen_town

PATH = "/desk/delegationen"
FIELDS = {"valid_until": "delegation-bis", "valid_from": "delegation-ab"}


def by_procedure(agreements: Sequence[Agreement]) -> list[tuple[str, list[Agreement]]]:
    """The agreements grouped by procedure, in the catalogue's order (every procedure)."""
    return [(p, [a for a in agreements if a.procedure == p]) for p in PROCEDURES]


def router(desk: Desk, commands: DeskCommands) -> APIRouter:
    """The delegations page and its form."""
    pages = desk_router()

    async def render(
        request: Request,
        supervisor: Identity,
        town: str,
        status: int = 200,
        errors: tuple[tuple[str, str], ...] = (),
        entered: dict[str, Any] | None = None,
    ) -> Response:
        try:
            agreements = await commands.agreements(supervisor, town)
        except Forbidden as exc:
            raise DeskRefusal(403, "Keine Berechtigung", str(exc)) from None
        context = {
            "town": town,
            "towns": supervisor.towns,
            "groups": by_procedure(agreements),
            "procedure_options": [(p, d.title) for p, d in PROCEDURES.items()],
            "member_towns": sorted(
                ((ags, name) for ags, name in desk.pages.town_names.items() if ags != town),
                key=lambda item: item[1],
            ),
            "entered": entered or {"delegation-ab": today().isoformat()},
        }
        return desk.page(request, "delegationen.html", context, status, errors)

    @pages.get("/delegationen")
    async def delegations(
        request: Request, supervisor: DeskSupervisor, gemeinde: str = ""
    ) -> Response:
        """The town's agreements."""
        return await render(request, supervisor, chosen_town(supervisor, gemeinde))

    @pages.post("/delegationen")
    async def agree(
        request: Request,
        supervisor: DeskSupervisor,
        gemeinde: Annotated[str, Form(max_length=20)] = "",
        verfahren: Annotated[str, Form(max_length=100)] = "",
        gemeinden: Annotated[list[str] | None, Form()] = None,
        ab: Annotated[str, Form(max_length=20)] = "",
        bis: Annotated[str, Form(max_length=20)] = "",
    ) -> Response:
        """Record a new agreement for the town."""
        town = chosen_town(supervisor, gemeinde)
        chosen = [t for t in gemeinden or [] if t in desk.pages.town_names]
        entered = {
            "delegation-verfahren": verfahren,
            "delegation-gemeinden": chosen,
            "delegation-ab": ab,
            "delegation-bis": bis,
        }
        try:
            valid_from = day(ab, "delegation-ab", "Der Beginn", required=False)
            valid_until = day(bis, "delegation-bis", "Das Ende", required=False)
            before = await commands.agreements(supervisor, town, verfahren or None)
            after = await commands.agree(
                supervisor, town, verfahren, chosen, valid_from, valid_until
            )
        except Forbidden as exc:
            raise DeskRefusal(403, "Keine Berechtigung", str(exc)) from None
        except UnknownProcedure:
            errors = (("delegation-verfahren", "Bitte wählen Sie ein Verfahren."),)
            return await render(request, supervisor, town, 422, errors, entered)
        except InputProblem as problem:
            errors = ((problem.field_id, problem.message),)
            return await render(request, supervisor, town, 422, errors, entered)
        except Refused as refusal:
            field = FIELDS.get(refusal.field or "", "")
            return await render(
                request, supervisor, town, 422, ((field, refusal.message),), entered
            )
        response = RedirectResponse(f"{PATH}?gemeinde={town}#verfahren-{verfahren}", 303)
        desk.flash(response, _notice(before, after, valid_from))
        return response

    return pages


def _notice(before: list[Agreement], after: list[Agreement], valid_from: date | None) -> str:
    if len(after) == len(before):
        return "Diese Vereinbarung gilt bereits; es wurde nichts geändert."
    start = f"ab {valid_from:%d.%m.%Y}" if valid_from and valid_from > today() else "ab sofort"
    return (
        f"Die Vereinbarung ist gespeichert und gilt {start} für neue Vorgänge. Offene Vorgänge"
        " verschieben Sie einzeln auf ihrer Seite."
    )
