"""What every form on a case page shares: running its command and answering the browser.

Each form carries the case version it was made on (``version``): a page gone stale is
refused (409) rather than acting on what the clerk did not see. Done: a redirect (303) to
the case with a notice. Refused: the case page again, with the refusal in the error summary
— at the field (422) or as a message (409) — and what the clerk typed still in the form.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Annotated
from uuid import UUID

from fastapi import Form, Request, Response
from fastapi.responses import RedirectResponse

from contracts.base import DomainEvent
from contracts.events.casework import FeeBasis
from runtime.auth import Identity
from runtime.desk import DeskRefusal
from services.casework.commands import Forbidden
from services.casework.desk import CaseNotFound
from services.casework.domain.refusals import Refused
from services.casework.pages.case_page import CASE_NOT_FOUND, CasePage, case_url
from services.casework.pages.form_input import InputProblem, decimal, whole

Text = Annotated[str, Form(max_length=20_000)]
"""A form field as text (read by ``form_input``, so a refusal can stand at the field)."""
Run = Callable[[], Awaitable[list[DomainEvent]]]

FEE_FIELDS = {
    "fee.amount": ("betrag", "gebuehr-betrag"),
    "fee.area_m2": ("flaeche", "gebuehr-flaeche"),
    "fee.days": ("tage", "gebuehr-tage"),
    "fee.rate_class": ("klasse", "gebuehr-klasse"),
    "fee.dogs_kept": ("hunde", "gebuehr-hunde"),
}
"""The fee basis's parts: their form fields' names and ids (after the form's prefix)."""


def fee_fields(prefix: str) -> dict[str, str]:
    """The refusal fields of the fee basis mapped to one form's field ids."""
    return {part: f"{prefix}-{field}" for part, (_, field) in FEE_FIELDS.items()}


async def fee_values(request: Request) -> dict[str, str]:
    """A decision form's fee fields as sent (the form is parsed once, by the CSRF check)."""
    form = await request.form()
    return {name: str(form.get(name) or "")[:100] for name, _ in FEE_FIELDS.values()}


def fee_basis(prefix: str, values: Mapping[str, str]) -> FeeBasis | None:
    """The fee basis a decision form's fields give (``None`` if none is filled in)."""
    ids = fee_fields(prefix)
    basis = FeeBasis(
        amount=decimal(values.get("betrag", ""), ids["fee.amount"], "Die Gebühr"),
        area_m2=decimal(values.get("flaeche", ""), ids["fee.area_m2"], "Die Fläche"),
        days=whole(values.get("tage", ""), ids["fee.days"], "Die Dauer"),
        rate_class=values.get("klasse", "").strip() or None,
        dogs_kept=whole(values.get("hunde", ""), ids["fee.dogs_kept"], "Die Zahl der Hunde"),
    )
    return basis if basis.model_dump(exclude_none=True) else None


class Acting:
    """Runs a form's command and answers as the module says."""

    def __init__(self, case_page: CasePage) -> None:
        self.case_page = case_page

    async def __call__(
        self,
        request: Request,
        clerk: Identity,
        case_id: UUID,
        run: Run,
        *,
        done: str,
        anchor: str = "",
        fields: Mapping[str, str] | None = None,
        entered: Mapping[str, object] | None = None,
    ) -> Response:
        """``run`` the command; a redirect with ``done``, or the page with the refusal."""
        try:
            events = await run()
        except CaseNotFound:
            raise CASE_NOT_FOUND from None
        except Forbidden as exc:
            raise DeskRefusal(403, "Keine Berechtigung", str(exc)) from None
        except InputProblem as problem:
            errors = ((problem.field_id, problem.message),)
            return await self._again(request, clerk, case_id, 422, errors, entered)
        except Refused as refusal:
            if refusal.conflict:
                errors = (("", refusal.message),)
                return await self._again(request, clerk, case_id, 409, errors, entered)
            field = (fields or {}).get(refusal.field or "", "")
            errors = ((field, refusal.message),)
            return await self._again(request, clerk, case_id, 422, errors, entered)
        response = RedirectResponse(f"{case_url(case_id)}#{anchor or 'inhalt'}", 303)
        self.case_page.desk.flash(response, done if events else "Es war nichts zu ändern.")
        return response

    async def _again(
        self,
        request: Request,
        clerk: Identity,
        case_id: UUID,
        status: int,
        errors: tuple[tuple[str, str], ...],
        entered: Mapping[str, object] | None,
    ) -> Response:
        return await self.case_page.render(
            request, clerk, case_id, status=status, errors=errors, entered=entered
        )
