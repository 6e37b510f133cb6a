"""The case page's forms for the clerk holding the case: each posts one command
(``DeskCommands``), answered as ``acting`` says.

``POST /desk/vorgaenge/{id}/uebernehmen``                  claim (also from the queue)
``POST /desk/vorgaenge/{id}/zurueckgeben``                 release
``POST /desk/vorgaenge/{id}/rueckfrage``                   ask the applicant
``POST /desk/vorgaenge/{id}/anhoerungen``                  hear a body
``POST /desk/vorgaenge/{id}/anhoerungen/{hid}/antwort``    record a body's answer
``POST /desk/vorgaenge/{id}/ueberstimmen``                 overrule a failed rule
``POST /desk/vorgaenge/{id}/entscheiden``                  approve or reject
``POST /desk/vorgaenge/{id}/bestaetigen``                  confirm the prepared decision
``POST /desk/vorgaenge/{id}/sachstand``                    tell the applicant how it stands

The supervisors' forms (reassign, move) are ``supervisor_actions``.
"""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Request, Response

from contracts.base import DomainEvent
from runtime.desk import DeskClerk, desk_router
from services.casework.case_view import REPORTED, VERDICTS
from services.casework.pages.acting import Acting, Text, fee_basis, fee_fields, fee_values
from services.casework.pages.case_page import CasePage
from services.casework.pages.form_input import InputProblem, day, expected_version, lines


def router(case_page: CasePage) -> APIRouter:
    """The command forms' routes."""
    pages = desk_router()
    commands = case_page.commands
    act = Acting(case_page)

    @pages.post("/vorgaenge/{case_id}/uebernehmen")
    async def claim(
        request: Request, clerk: DeskClerk, case_id: UUID, version: Text = ""
    ) -> Response:
        """Take the case (from the queue or its page)."""
        return await act(
            request,
            clerk,
            case_id,
            lambda: commands.claim(clerk, case_id, expected_version(version)),
            done="Sie haben den Vorgang übernommen.",
        )

    @pages.post("/vorgaenge/{case_id}/zurueckgeben")
    async def release(
        request: Request, clerk: DeskClerk, case_id: UUID, version: Text = ""
    ) -> Response:
        """Give the case back to the queue."""
        return await act(
            request,
            clerk,
            case_id,
            lambda: commands.release(clerk, case_id, expected_version(version)),
            done="Der Vorgang liegt wieder im Arbeitskorb.",
        )

    @pages.post("/vorgaenge/{case_id}/rueckfrage")
    async def request_information(
        request: Request,
        clerk: DeskClerk,
        case_id: UUID,
        frage: Text = "",
        frist: Text = "",
        version: Text = "",
    ) -> Response:
        """Ask the applicant, with a date for the answer."""

        async def run() -> list[DomainEvent]:
            due = day(frist, "rueckfrage-frist", "Die Frist")
            assert due is not None
            return await commands.request_information(
                clerk, case_id, frage, due, expected_version(version)
            )

        return await act(
            request,
            clerk,
            case_id,
            run,
            done="Die Rückfrage ist gestellt; die antragstellende Person wird benachrichtigt.",
            anchor="rueckfragen",
            fields={"question": "rueckfrage-frage", "due": "rueckfrage-frist"},
            entered={"rueckfrage-frage": frage, "rueckfrage-frist": frist},
        )

    @pages.post("/vorgaenge/{case_id}/anhoerungen")
    async def request_hearing(
        request: Request,
        clerk: DeskClerk,
        case_id: UUID,
        stelle: Text = "",
        gegenstand: Text = "",
        frist: Text = "",
        version: Text = "",
    ) -> Response:
        """Hear a body of the competent town's configuration."""

        async def run() -> list[DomainEvent]:
            if not stelle:
                raise InputProblem("anhoerung-stelle", "Bitte wählen Sie die anzuhörende Stelle.")
            due = day(frist, "anhoerung-frist", "Die Frist", required=False)
            base = str(request.base_url)
            return await commands.request_hearing(
                clerk, case_id, stelle, gegenstand, due, base, expected_version(version)
            )

        return await act(
            request,
            clerk,
            case_id,
            run,
            done="Die Anhörung ist eingeleitet; die Stelle erhält die Unterlagen per E-Mail.",
            anchor="anhoerungen",
            fields={
                "body": "anhoerung-stelle",
                "subject": "anhoerung-gegenstand",
                "due": "anhoerung-frist",
            },
            entered={
                "anhoerung-stelle": stelle,
                "anhoerung-gegenstand": gegenstand,
                "anhoerung-frist": frist,
            },
        )

    @pages.post("/vorgaenge/{case_id}/anhoerungen/{hearing_id}/antwort")
    async def answer_hearing(
        request: Request,
        clerk: DeskClerk,
        case_id: UUID,
        hearing_id: UUID,
        votum: Text = "",
        stellungnahme: Text = "",
        auflagen: Text = "",
        version: Text = "",
    ) -> Response:
        """Record a body's answer that came by letter or phone."""
        prefix = f"antwort-{hearing_id}"

        async def run() -> list[DomainEvent]:
            if votum not in VERDICTS:
                raise InputProblem(f"{prefix}-votum", "Bitte wählen Sie das Votum der Stelle.")
            return await commands.answer_hearing(
                clerk,
                case_id,
                hearing_id,
                votum,
                stellungnahme,
                lines(auflagen),
                expected_version(version),
            )

        return await act(
            request,
            clerk,
            case_id,
            run,
            done="Die Stellungnahme ist erfasst.",
            anchor="anhoerungen",
            fields={"statement": f"{prefix}-stellungnahme", "conditions": f"{prefix}-auflagen"},
            entered={
                f"{prefix}-votum": votum,
                f"{prefix}-stellungnahme": stellungnahme,
                f"{prefix}-auflagen": auflagen,
            },
        )

    @pages.post("/vorgaenge/{case_id}/ueberstimmen")
    async def overrule(
        request: Request,
        clerk: DeskClerk,
        case_id: UUID,
        regel: Text = "",
        grund: Text = "",
        version: Text = "",
    ) -> Response:
        """Set a failed automated rule aside, with a reason."""
        field = f"ueberstimmen-{regel}"
        return await act(
            request,
            clerk,
            case_id,
            lambda: commands.overrule(clerk, case_id, regel, grund, expected_version(version)),
            done="Die Regel ist überstimmt; die Begründung steht in der Akte.",
            anchor="pruefung",
            fields={"reason": field, "rule": field},
            entered={field: grund},
        )

    @pages.post("/vorgaenge/{case_id}/entscheiden")
    async def decide(
        request: Request,
        clerk: DeskClerk,
        case_id: UUID,
        ergebnis: Text = "",
        auflagen: Text = "",
        gruende: Text = "",
        version: Text = "",
    ) -> Response:
        """Approve with conditions or reject with reasons."""
        fees = await fee_values(request)

        async def run() -> list[DomainEvent]:
            fee = fee_basis("entscheidung", fees) if ergebnis == "approved" else None
            return await commands.decide(
                clerk,
                case_id,
                ergebnis,
                lines(auflagen),
                lines(gruende),
                fee,
                expected_version(version),
            )

        return await act(
            request,
            clerk,
            case_id,
            run,
            done="Die Entscheidung ist getroffen; der Bescheid wird erstellt und versandt.",
            anchor="entscheidung",
            fields={
                "outcome": "entscheidung-ergebnis",
                "conditions": "entscheidung-auflagen",
                "reasons": "entscheidung-gruende",
                **fee_fields("entscheidung"),
            },
            entered={
                "entscheidung-ergebnis": ergebnis,
                "entscheidung-auflagen": auflagen,
                "entscheidung-gruende": gruende,
                **{f"entscheidung-{k}": value for k, value in fees.items()},
            },
        )

    @pages.post("/vorgaenge/{case_id}/bestaetigen")
    async def confirm(
        request: Request,
        clerk: DeskClerk,
        case_id: UUID,
        version: Text = "",
    ) -> Response:
        """Confirm the decision the automated check prepared."""
        fees = await fee_values(request)

        async def run() -> list[DomainEvent]:
            fee = fee_basis("bestaetigung", fees)
            return await commands.confirm(clerk, case_id, fee, expected_version(version))

        return await act(
            request,
            clerk,
            case_id,
            run,
            done="Die vorbereitete Entscheidung ist bestätigt; der Bescheid wird versandt.",
            anchor="entscheidung",
            fields=fee_fields("bestaetigung"),
            entered={f"bestaetigung-{k}": value for k, value in fees.items()},
        )

    @pages.post("/vorgaenge/{case_id}/sachstand")
    async def report_status(
        request: Request,
        clerk: DeskClerk,
        case_id: UUID,
        stand: Text = "",
        hinweis: Text = "",
        version: Text = "",
    ) -> Response:
        """Tell the applicant how things stand."""

        async def run() -> list[DomainEvent]:
            if stand not in REPORTED:
                raise InputProblem("sachstand-stand", "Bitte wählen Sie den Sachstand.")
            return await commands.report_status(
                clerk, case_id, stand, hinweis, expected_version(version)
            )

        return await act(
            request,
            clerk,
            case_id,
            run,
            done="Der Sachstand ist mitgeteilt.",
            anchor="sachstand",
            fields={"note": "sachstand-hinweis"},
            entered={"sachstand-stand": stand, "sachstand-hinweis": hinweis},
        )

    return pages
