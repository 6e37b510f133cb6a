"""Security headers of every desk answer (pages, errors, redirects, the stylesheet).

- ``Content-Security-Policy``: scripts, styles, images and fonts only from the desk itself
  (``default-src 'self'``, so no inline script or style at all); frames and objects from
  the desk itself, for an attachment shown inline; no other site may frame a desk page;
  forms go to the desk — and to the issuer, since signing out ends in a redirect there,
  which browsers check against ``form-action`` too.
- ``Referrer-Policy: same-origin``: the desk's own forms carry ``Origin`` (the CSRF check
  wants it), no other site learns a desk address. The runtime's default ``no-referrer``
  would make a form's ``Origin`` ``null``, so it is replaced here.
- ``Cache-Control: no-store`` comes from ``runtime.http.ProtectiveHeaders`` unless a route
  says otherwise (the stylesheet is cacheable).

A route may send its own ``Content-Security-Policy`` (a PDF that a desk page frames needs
``frame-ancestors 'self'``: ``INLINE_DOCUMENT_POLICY``); it is kept.
"""

from __future__ import annotations

from typing import Any

from starlette.types import Receive, Scope, Send

DESK_PREFIXES = ("/desk/", "/auth/")
INLINE_DOCUMENT_POLICY = "default-src 'none'; frame-ancestors 'self'; base-uri 'none'"
"""For a document (PDF, image) that a desk page shows in a frame or object."""


def desk_policy(issuer_origin: str) -> str:
    """The Content-Security-Policy of desk pages."""
    form_action = " ".join(filter(None, ("'self'", issuer_origin)))
    return (
        "default-src 'self'; base-uri 'none'; object-src 'self'; frame-src 'self'; "
        f"frame-ancestors 'none'; form-action {form_action}"
    )


def is_desk_path(path: str) -> bool:
    """Whether a path belongs to the desk (its pages, sign-in and files)."""
    return path == "/desk" or path.startswith(DESK_PREFIXES)


class DeskHeaders:
    """ASGI middleware adding the desk's security headers to every answer under the desk."""

    def __init__(self, app: Any, policy: str) -> None:
        self.app = app
        self.policy = policy.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_desk_path(scope["path"]):
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (name, value)
                    for name, value in message.get("headers", [])
                    if name.lower() != b"referrer-policy"
                ]
                if not any(name.lower() == b"content-security-policy" for name, _ in headers):
                    headers.append((b"content-security-policy", self.policy))
                headers.append((b"referrer-policy", b"same-origin"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
