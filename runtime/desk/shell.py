"""A service's desk: its sign-in, session, pages and error pages, in one object.

A service builds one ``Desk`` in its ``bootstrap`` and hands over its routes and installer::

    desk = Desk(settings, "casework", templates=Path(__file__).parent / "templates")
    ServiceParts(routers=(desk.router(), my_pages(desk)), configure=(desk.install,))

``install`` gives the application the desk (``app.state.desk``, for the dependencies in
``runtime.desk.access``), its security headers and German error pages for every failure
under ``/desk`` — the JSON API keeps its JSON errors.
"""

from __future__ import annotations

import inspect
import json
import os
import time
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any

import structlog
from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from runtime.desk.access import DeskRefusal, sign_in_location
from runtime.desk.csrf import origin_of
from runtime.desk.headers import DeskHeaders, desk_policy, is_desk_path
from runtime.desk.pages import Pages
from runtime.desk.routes import Stylesheet, shell_router
from runtime.desk.sealing import CookieSeal
from runtime.desk.session import Cookies, SessionStore
from runtime.desk.settings import DeskSettings
from runtime.desk.signin import Client, ProviderMetadata
from runtime.failures import INFRASTRUCTURE_ERRORS
from runtime.members import read_member_files

log = structlog.get_logger(__name__)

Handler = Callable[[Request, Any], Response | Awaitable[Response]]


class Desk:
    """The clerk pages of one service."""

    def __init__(
        self,
        settings: DeskSettings,
        service: str,
        templates: Path | None = None,
        town_names: Mapping[str, str] | None = None,
    ) -> None:
        self.settings = settings
        self.service = service
        self.origin = origin_of(settings.desk_base_url)
        self.cookies = Cookies(secure=settings.desk_base_url.startswith("https://"))
        self.seal = CookieSeal(session_secret(settings))
        self.sessions = SessionStore(self.seal, self.cookies)
        self.provider = ProviderMetadata(settings.oidc_issuer) if settings.oidc_issuer else None
        secret = settings.desk_client_secret
        self.client = Client(
            settings.desk_client_id,
            secret.get_secret_value() if secret else None,
            settings.desk_base_url + "/auth/callback",
        )
        self.scopes = settings.desk_scopes
        self.stylesheet = Stylesheet.load()
        names = town_names if town_names is not None else member_town_names(settings.members_dir)
        self.pages = Pages(service, templates, settings.desk_links, names, self.seal, self.cookies)
        self.pages.stylesheet = self.stylesheet.url

    def router(self) -> APIRouter:
        """Sign-in, callback, sign-out and the stylesheet."""
        return shell_router(self)

    def page(
        self,
        request: Request,
        template: str,
        context: Mapping[str, Any] | None = None,
        status: int = 200,
        errors: tuple[tuple[str, str], ...] = (),
    ) -> Response:
        """A rendered page (``Pages.render``)."""
        return self.pages.render(request, template, context, status, errors)

    def flash(self, response: Response, text: str) -> None:
        """A notice the next page shows once (``role=status``)."""
        self.pages.flash(response, text, time.time())

    def install(self, app: FastAPI) -> None:
        """Give ``app`` this desk, its security headers and its German error pages."""
        app.state.desk = self
        issuer = origin_of(self.settings.oidc_issuer) if self.settings.oidc_issuer else ""
        app.add_middleware(DeskHeaders, policy=desk_policy(issuer))
        app.add_exception_handler(DeskRefusal, self._refused)
        for kind in (StarletteHTTPException, RequestValidationError, Exception):
            original = app.exception_handlers.get(kind)
            if original is not None:
                app.add_exception_handler(kind, self._as_page(original))
        for kind in INFRASTRUCTURE_ERRORS:
            original = app.exception_handlers.get(kind)
            if original is not None:
                app.add_exception_handler(kind, self._as_page(original))

    async def _refused(self, request: Request, exc: Exception) -> Response:
        assert isinstance(exc, DeskRefusal)
        if exc.location:
            return RedirectResponse(exc.location, exc.status)
        return self.error_page(request, exc.status, exc.title, exc.detail)

    def _as_page(self, original: Handler) -> Handler:
        """The app's JSON error answer, as a German page where the request was for the desk."""

        async def answer(request: Request, exc: Any) -> Response:
            answered = original(request, exc)
            response = await answered if inspect.isawaitable(answered) else answered
            if not is_desk_path(request.url.path):
                return response
            try:
                body = json.loads(bytes(response.body))
            except ValueError:
                body = {}
            problems = [e.get("message", "") for e in body.get("errors", []) if isinstance(e, dict)]
            page = self.error_page(
                request,
                response.status_code,
                str(body.get("title", "Fehler")).rstrip("."),
                body.get("detail") or "",
                problems,
            )
            for name in ("allow", "retry-after"):
                if name in response.headers:
                    page.headers[name] = response.headers[name]
            return page

        return answer

    def error_page(
        self,
        request: Request,
        status: int,
        title: str,
        detail: str,
        problems: list[str] | None = None,
    ) -> Response:
        """A German error page with the desk's layout."""
        context = {
            "title": title,
            "detail": detail,
            "status": status,
            "problems": problems or [],
            "sign_in": sign_in_location(request) if status == 401 else "/desk/anmelden",
        }
        return self.page(request, "fehler.html", context, status)


def session_secret(settings: DeskSettings) -> bytes:
    """The secret sealing sessions: the configured one, else (dev and test) a random one."""
    if settings.session_secret is not None:
        return settings.session_secret.get_secret_value().encode()
    log.warning(
        "RATHAUS_SESSION_SECRET is not set: a random key for this process seals the clerks'"
        " sessions (they end when it stops, and other instances do not accept them)"
    )
    return os.urandom(32)


def member_town_names(folder: str) -> dict[str, str]:
    """Each member town's name by AGS, from the member files (``RATHAUS_MEMBERS_DIR``)."""
    return {
        str(member["town"]["ags"]): str(member["town"].get("name", member["town"]["ags"]))
        for member in read_member_files(folder)
    }
