"""Rendering desk pages: one Jinja environment, one layout, one navigation across services.

A service's templates extend ``base.html`` (``runtime/desk/templates/``): the loader looks in
the service's own template folder first, then in the runtime's, so a service adds pages and
can override a runtime one by name. Autoescaping is on for everything; an undefined name in
a template is an error, not an empty string.

Every page gets in its context: ``user`` (the signed-in ``Identity`` or ``None``),
``csrf_token`` and ``csrf_field()`` (the hidden field every form posts), ``navigation``,
``stylesheet``, ``flash`` (a notice from the previous request, shown once) and ``errors``
(an error summary: ``[(field_id, message), …]``). Filters: ``town_name`` (AGS → name from
the member files), ``role_name``, ``procedure_title``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context
from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from contracts.procedures import procedure_title
from runtime.desk.access import ROLE_NAMES, session_of
from runtime.desk.csrf import CSRF_FIELD
from runtime.desk.sealing import CookieSeal
from runtime.desk.session import Cookies

RUNTIME_TEMPLATES = Path(__file__).resolve().parent / "templates"
FLASH_COOKIE = "rathaus-hinweis"
FLASH_SECONDS = 300

AREAS = (("casework", "Vorgänge"), ("billing", "Rechnungen"), ("archive", "E-Akte"))
"""The services with clerk pages, in the order the navigation shows them."""


@dataclass(frozen=True)
class NavItem:
    """One entry of the navigation across services."""

    label: str
    url: str
    current: str | None
    """``aria-current``: ``page`` on the area's home, ``true`` elsewhere in it, else none."""


def navigation(
    service: str, links: Mapping[str, str], path: str, home: str = "/desk/"
) -> list[NavItem]:
    """The areas with a configured address; the own one always (at its home here)."""
    items = []
    for area, label in AREAS:
        url = home if area == service else links.get(area)
        if not url:
            continue
        current = None
        if area == service:
            current = "page" if path == home else "true"
        items.append(NavItem(label, url, current))
    return items


@pass_context
def csrf_field(context: Any) -> Markup:
    """The hidden field with the session's CSRF token (every desk form needs it)."""
    token = context.get("csrf_token") or ""
    return Markup(f'<input type="hidden" name="{CSRF_FIELD}" value="{escape(token)}">')


class Pages:
    """Renders templates with the desk's context and manages the one-time notice."""

    def __init__(
        self,
        service: str,
        templates: Path | None,
        links: Mapping[str, str],
        town_names: Mapping[str, str],
        seal: CookieSeal,
        cookies: Cookies,
    ) -> None:
        folders = [str(templates)] if templates else []
        self.environment = Environment(
            loader=FileSystemLoader([*folders, str(RUNTIME_TEMPLATES)]),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.environment.globals["csrf_field"] = csrf_field
        self.environment.filters.update(
            town_name=self.town_name,
            role_name=lambda role: ROLE_NAMES.get(role, role),
            procedure_title=procedure_title,
        )
        self.service = service
        self.links = dict(links)
        self.town_names = dict(town_names)
        self.stylesheet = "/desk/static/desk.css"
        self._seal = seal
        self._cookies = cookies

    def town_name(self, ags: str) -> str:
        """A town's name from the member files, or its AGS."""
        return self.town_names.get(ags, f"Gemeinde {ags}")

    def render(
        self,
        request: Request,
        template: str,
        context: Mapping[str, Any] | None = None,
        status: int = 200,
        errors: Sequence[tuple[str, str]] = (),
    ) -> HTMLResponse:
        """The page as an answer; a notice left by the previous request is shown and used up."""
        session = session_of(request)
        flash = self._seal.open("flash", self._cookies.read(request, FLASH_COOKIE))
        values = {
            "request": request,
            "user": session.identity if session else None,
            "csrf_token": session.csrf if session else "",
            "navigation": navigation(self.service, self.links, request.url.path),
            "stylesheet": self.stylesheet,
            "flash": flash.get("text") if flash else None,
            "errors": list(errors),
            **(context or {}),
        }
        body = self.environment.get_template(template).render(values)
        response = HTMLResponse(body, status_code=status)
        if flash is not None:
            self._cookies.clear(response, FLASH_COOKIE)
        return response

    def flash(self, response: HTMLResponse | Any, text: str, now: float) -> None:
        """Leave a notice for the next page (after a form's redirect): „Vorgang übernommen.“"""
        value = self._seal.seal("flash", {"text": text}, int(now) + FLASH_SECONDS)
        self._cookies.put(response, FLASH_COOKIE, value, FLASH_SECONDS)
