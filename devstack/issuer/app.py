"""The development issuer's HTTP side: discovery, keys, the login form, the token endpoint.

``/.well-known/openid-configuration``  where everything is (OpenID Connect Discovery)
``/jwks``                              the public signing key
``/authorize``                         the German login form (authorization code + PKCE)
``/token``                             tokens: client credentials, or a code and its verifier
``/logout``                            signing out (RP-initiated logout): back to the client
"""

from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from authlib.oauth2.rfc6749.errors import OAuth2Error  # type: ignore[import-untyped]
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from devstack.issuer.keys import ALGORITHM, public_jwks
from devstack.issuer.server import FormRequest, Issuer

MAX_FORM_BYTES = 64 * 1024
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
}


def discovery(issuer: Issuer) -> dict[str, Any]:
    """The OpenID Provider metadata."""
    url = issuer.url
    return {
        "issuer": url,
        "authorization_endpoint": f"{url}/authorize",
        "token_endpoint": f"{url}/token",
        "jwks_uri": f"{url}/jwks",
        "end_session_endpoint": f"{url}/logout",
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "client_credentials"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": [ALGORITHM],
        "token_endpoint_auth_methods_supported": [
            "client_secret_basic",
            "client_secret_post",
            "none",
        ],
        "code_challenge_methods_supported": ["S256"],
        "scopes_supported": ["openid", "profile", "email"],
        "claims_supported": [
            "sub",
            "name",
            "preferred_username",
            "roles",
            "ags",
            "procedures",
            "email",
            "email_verified",
            "nonce",
        ],
    }


def create_issuer_app(issuer: Issuer) -> Starlette:
    """The Starlette application serving ``issuer``."""

    async def well_known(_: Request) -> JSONResponse:
        return JSONResponse(discovery(issuer))

    async def jwks(_: Request) -> JSONResponse:
        return JSONResponse(public_jwks(issuer.key))

    async def authorize(request: Request) -> Response:
        oauth = await _oauth_request(request)
        try:
            grant = issuer.get_consent_grant(request=oauth)
        except OAuth2Error as error:
            return _refused(issuer, oauth, error)
        back_to = _origin(grant.redirect_uri)
        if request.method == "GET":
            return _login_page(request, back_to=back_to)
        form = oauth.form
        user = None
        if "cancel" not in form:  # cancelled: authlib redirects with access_denied
            user = issuer.directory.sign_in(form.get("username", ""), form.get("password", ""))
            if user is None:
                return _login_page(
                    request, "Benutzername oder Passwort ist falsch.", status=401, back_to=back_to
                )
        answer: Response = issuer.create_authorization_response(
            request=oauth, grant_user=user, grant=grant
        )
        return answer

    async def token(request: Request) -> Response:
        response: Response = issuer.create_token_response(await _oauth_request(request))
        return response

    async def logout(request: Request) -> Response:
        """Nothing to end here (the issuer keeps no sessions); back to a registered address."""
        client = issuer.query_client(request.query_params.get("client_id", ""))
        after = request.query_params.get("post_logout_redirect_uri", "")
        if client is not None and after and client.check_post_logout_redirect_uri(after):
            state = request.query_params.get("state")
            target = f"{after}?{urlencode({'state': state})}" if state else after
            return RedirectResponse(target, 303, headers=PAGE_HEADERS)
        return HTMLResponse(
            _page("Abgemeldet", "<p>Sie sind abgemeldet.</p>"), headers=PAGE_HEADERS
        )

    return Starlette(
        routes=[
            Route("/.well-known/openid-configuration", well_known),
            Route("/jwks", jwks),
            Route("/authorize", authorize, methods=["GET", "POST"]),
            Route("/token", token, methods=["POST"]),
            Route("/logout", logout),
        ]
    )


async def _oauth_request(request: Request) -> FormRequest:
    body = b""
    if request.method == "POST":
        body = await request.body()
        if len(body) > MAX_FORM_BYTES:
            body = b""
    form = parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True)
    query = parse_qsl(request.url.query, keep_blank_values=True)
    return FormRequest(request.method, str(request.url), request.headers, query, form)


def _refused(issuer: Issuer, oauth: FormRequest, error: Any) -> Response:
    """An invalid authorization request: back to the client if it is known, else a page."""
    if getattr(error, "redirect_uri", None):
        response: Response = issuer.handle_error_response(oauth, error)
        return response
    text = f"Die Anmeldeanfrage ist ungültig: {error.error}"
    if error.description:
        text += f" ({error.description})"
    return HTMLResponse(
        _page("Anmeldung nicht möglich", f"<p>{escape(text)}</p>"),
        status_code=400,
        headers=PAGE_HEADERS,
    )


def _origin(url: str | None) -> str:
    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def _login_page(
    request: Request, problem: str = "", status: int = 200, back_to: str = ""
) -> HTMLResponse:
    """The form; its CSP lets the form's answer redirect to the client (``back_to``), which
    browsers check against ``form-action`` too."""
    action = escape(f"/authorize?{request.url.query}", quote=True)
    alert = f'<p role="alert" class="problem">{escape(problem)}</p>' if problem else ""
    body = f"""{alert}
<form method="post" action="{action}">
<p><label for="username">Benutzername</label><br>
<input id="username" name="username" autocomplete="username" required autofocus></p>
<p><label for="password">Passwort</label><br>
<input id="password" name="password" type="password" autocomplete="current-password" required>
</p>
<p><button type="submit">Anmelden</button>
<button type="submit" name="cancel" value="1" formnovalidate>Abbrechen</button></p>
</form>
<p class="hint">Nur für die Entwicklungsumgebung: Die Demo-Zugänge stehen in
<code>devstack/issuer/demo.toml</code> (Passwort = Benutzername).</p>"""
    headers = dict(PAGE_HEADERS)
    if back_to:
        headers["Content-Security-Policy"] = headers["Content-Security-Policy"].replace(
            "form-action 'self'", f"form-action 'self' {back_to}"
        )
    return HTMLResponse(_page("Anmelden", body), status_code=status, headers=headers)


def _page(title: str, content: str) -> str:
    return f"""<!doctype html>
<html lang="de">
<head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} – RathausCloud (Entwicklung)</title>
<style>
body{{font-family:system-ui,sans-serif;line-height:1.5;margin:0;color:#1b1b1b}}
header{{background:#0b3d6e;color:#fff;padding:.75rem 1.5rem}}
main{{padding:1rem 1.5rem;max-width:32rem}}
input{{font-size:1rem;padding:.4rem;width:100%;box-sizing:border-box;border:1px solid #767676}}
button{{font-size:1rem;padding:.4rem 1rem;margin-right:.5rem}}
:focus-visible{{outline:3px solid #b35c00;outline-offset:2px}}
.problem{{color:#a00000;font-weight:600}}
.hint{{color:#4a4a4a}}
</style></head>
<body><header><p>RathausCloud · Anmeldung (Entwicklungsumgebung)</p></header>
<main><h1>{escape(title)}</h1>
{content}
</main></body></html>
"""
