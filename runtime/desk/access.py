"""Who may see a desk page: FastAPI dependencies on the session, and the German refusals.

``DeskUser`` is the signed-in clerk (any role). Without a session a page (GET) sends the
browser to sign in and back; any other method gets a 401 page, since a form's content cannot
survive the detour. ``desk_role(...)`` (and ``DeskClerk``, ``DeskSupervisor``,
``DeskOperator``) also want a role, else a 403 page. A bearer token counts for nothing here:
the desk is for browsers, the JSON API for programs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated
from urllib.parse import urlencode

from fastapi import Depends, Request

from runtime.auth import OPERATOR_ROLE, Identity
from runtime.desk.session import DeskSession
from runtime.desk.signin import safe_return_path

if TYPE_CHECKING:
    from runtime.desk.shell import Desk

CLERK_ROLE = "clerk"
SUPERVISOR_ROLE = "supervisor"
SIGN_IN_PATH = "/desk/anmelden"
ROLE_NAMES = {CLERK_ROLE: "Sachbearbeitung", SUPERVISOR_ROLE: "Leitung", OPERATOR_ROLE: "Betrieb"}
"""How the roles read in German."""


class DeskRefusal(Exception):
    """A desk request refused; answered with a German page (or a redirect to sign in)."""

    def __init__(self, status: int, title: str, detail: str, location: str | None = None):
        super().__init__(title)
        self.status = status
        self.title = title
        self.detail = detail
        self.location = location


def desk_of(request: Request) -> Desk:
    """The desk the application was given (``Desk.install``)."""
    desk: Desk = request.app.state.desk
    return desk


def session_of(request: Request) -> DeskSession | None:
    """The request's valid session, read once per request."""
    if "desk_session" not in request.scope:
        request.scope["desk_session"] = desk_of(request).sessions.read(request)
    session: DeskSession | None = request.scope["desk_session"]
    return session


def sign_in_location(request: Request) -> str:
    """The sign-in address that brings the clerk back to this page."""
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return f"{SIGN_IN_PATH}?{urlencode({'ziel': safe_return_path(here)})}"


def not_signed_in(request: Request) -> DeskRefusal:
    """A page redirects to sign in; a form sent without a session gets a 401 page."""
    if request.method in ("GET", "HEAD"):
        return DeskRefusal(303, "Anmeldung erforderlich", "", sign_in_location(request))
    return DeskRefusal(
        401,
        "Anmeldung erforderlich",
        "Ihre Anmeldung ist abgelaufen oder fehlt; die Eingabe wurde nicht gespeichert. "
        "Bitte melden Sie sich an und versuchen Sie es erneut.",
    )


async def desk_user(request: Request) -> Identity:
    """The signed-in clerk; otherwise to the sign-in (pages) or a 401 page (forms)."""
    session = session_of(request)
    if session is None:
        raise not_signed_in(request)
    return session.identity


DeskUser = Annotated[Identity, Depends(desk_user)]
"""Whoever is signed in at the desk, in any role."""


def desk_role(*roles: str) -> Callable[[Identity], Awaitable[Identity]]:
    """A dependency: the signed-in clerk, if they hold one of ``roles`` (else a 403 page)."""

    async def check(identity: DeskUser) -> Identity:
        if not identity.has_role(*roles):
            wanted = " oder ".join(f"„{ROLE_NAMES.get(role, role)}“" for role in roles)
            raise DeskRefusal(
                403,
                "Keine Berechtigung",
                f"Diese Seite ist der Rolle {wanted} vorbehalten; Ihre Anmeldung hat sie nicht.",
            )
        return identity

    return check


DeskClerk = Annotated[Identity, Depends(desk_role(CLERK_ROLE, SUPERVISOR_ROLE))]
"""A clerk or supervisor: who works cases."""
DeskSupervisor = Annotated[Identity, Depends(desk_role(SUPERVISOR_ROLE))]
"""A supervisor: reassigns, takes over, changes delegations."""
DeskOperator = Annotated[Identity, Depends(desk_role(OPERATOR_ROLE))]
"""An operator of the cooperative."""
