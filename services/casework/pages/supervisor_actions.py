"""The case page's forms for supervisors, answered as ``acting`` says.

``POST /desk/vorgaenge/{id}/zuweisen``      give the case to a clerk of a processing town
``POST /desk/vorgaenge/{id}/verschieben``   let other towns process the open case (the
                                            competent town's supervisor; after a new
                                            delegation, which applies only to new cases)
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Form, Request, Response

from contracts.base import DomainEvent
from contracts.events.casework import Clerk
from runtime.desk import DeskClerk, DeskSupervisor, desk_router
from services.casework.clerks import is_supervisor
from services.casework.commands import Forbidden
from services.casework.pages.acting import Acting, Text
from services.casework.pages.case_page import CasePage
from services.casework.pages.form_input import InputProblem, expected_version


def router(case_page: CasePage) -> APIRouter:
    """The supervisors' command forms."""
    pages = desk_router()
    commands = case_page.commands
    act = Acting(case_page)
    town_names = case_page.desk.pages.town_names

    @pages.post("/vorgaenge/{case_id}/zuweisen")
    async def reassign(
        request: Request,
        clerk: DeskClerk,
        case_id: UUID,
        an: Text = "",
        grund: Text = "",
        version: Text = "",
    ) -> Response:
        """A supervisor gives the case to a clerk of a processing town."""

        async def run() -> list[DomainEvent]:
            if not is_supervisor(clerk):
                raise Forbidden("Zuweisen dürfen nur Vorgesetzte.")
            row = await case_page.runtime.pool.fetchrow(
                "SELECT id, name, town, email FROM rm_desk_cases.clerks WHERE id = $1", an
            )
            if row is None:
                raise InputProblem("zuweisen-an", "Bitte wählen Sie eine Person aus der Liste.")
            return await commands.reassign(
                clerk, case_id, Clerk(**dict(row)), grund, expected_version(version)
            )

        return await act(
            request,
            clerk,
            case_id,
            run,
            done="Der Vorgang ist zugewiesen.",
            anchor="leitung",
            fields={"to": "zuweisen-an", "reason": "zuweisen-grund"},
            entered={"zuweisen-an": an, "zuweisen-grund": grund},
        )

    @pages.post("/vorgaenge/{case_id}/verschieben")
    async def move(
        request: Request,
        supervisor: DeskSupervisor,
        case_id: UUID,
        gemeinden: Annotated[list[str] | None, Form()] = None,
        grund: Text = "",
        version: Text = "",
    ) -> Response:
        """Let other towns process the open case (the competent town's supervisor)."""
        chosen = list(gemeinden or [])

        async def run() -> list[DomainEvent]:
            if any(town not in town_names for town in chosen):
                raise InputProblem("verschieben-gemeinden", "Bitte wählen Sie Mitgliedskommunen.")
            return await commands.move(
                supervisor, case_id, chosen, grund, expected_version(version)
            )

        return await act(
            request,
            supervisor,
            case_id,
            run,
            done="Die bearbeitenden Kommunen sind geändert.",
            anchor="leitung",
            fields={"reason": "verschieben-grund", "processing_towns": "verschieben-gemeinden"},
            entered={"verschieben-gemeinden": chosen, "verschieben-grund": grund},
        )

    return pages
