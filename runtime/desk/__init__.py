"""The clerks' desk shell: browser sign-in, session, CSRF, layout — for every service's pages.

Each service serves the clerk pages for what it owns (casework its cases, billing its
invoices, archive its files) under one sign-in, one look and one navigation, all from here:

- ``DeskSettings`` (``settings``): a desk service's settings class derives from it.
- ``Desk`` (``shell``): built once in ``bootstrap``; ``desk.router()`` (sign-in, callback,
  sign-out, stylesheet) and ``desk.install`` (headers, German error pages) go into the
  service's ``ServiceParts``; ``desk.page(request, "x.html", {...})`` renders a page,
  ``desk.flash(response, "…")`` leaves a notice for the next one.
- ``desk_router()`` (``csrf``): the router for a service's own pages; every unsafe method on
  it is CSRF-checked before the endpoint runs.
- ``DeskUser``, ``DeskClerk``, ``DeskSupervisor``, ``DeskOperator``, ``desk_role`` (``access``):
  who may see a page.

The browser signs in by OpenID Connect (``signin``) at the installation's one issuer
(``RATHAUS_OIDC_ISSUER``); the session is a sealed cookie (``session``, ``sealing``). The
desk takes no bearer tokens, and the JSON API takes no session cookies.
"""

from runtime.desk.access import (
    DeskClerk,
    DeskOperator,
    DeskRefusal,
    DeskSupervisor,
    DeskUser,
    desk_role,
)
from runtime.desk.csrf import CSRF_FIELD, DeskRoute, desk_router
from runtime.desk.headers import INLINE_DOCUMENT_POLICY
from runtime.desk.settings import DeskSettings
from runtime.desk.shell import Desk

__all__ = [
    "CSRF_FIELD",
    "INLINE_DOCUMENT_POLICY",
    "Desk",
    "DeskClerk",
    "DeskOperator",
    "DeskRefusal",
    "DeskRoute",
    "DeskSettings",
    "DeskSupervisor",
    "DeskUser",
    "desk_role",
    "desk_router",
]
