"""How the operator CLI reaches a service: its URL, a token, and the calls to ``/ops/v1``.

The CLI never guesses: the service's URL comes from ``--url`` or ``<SVC>_URL``, the token
from ``RATHAUS_OPERATOR_TOKEN`` or — by client credentials — from ``RATHAUS_OIDC_ISSUER``
with ``RATHAUS_OPERATOR_CLIENT_ID`` and ``RATHAUS_OPERATOR_CLIENT_SECRET``. Whatever is
missing is named, and nothing is called.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from contracts.naming import Service

TOKEN = "RATHAUS_OPERATOR_TOKEN"
ISSUER = "RATHAUS_OIDC_ISSUER"
CLIENT_ID = "RATHAUS_OPERATOR_CLIENT_ID"
CLIENT_SECRET = "RATHAUS_OPERATOR_CLIENT_SECRET"
TIMEOUT = httpx.Timeout(60.0, connect=5.0)


class OperatorError(Exception):
    """A call did not succeed; the message is one line, fit for the console."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


def url_variable(service: Service) -> str:
    """The variable naming a service's URL for operator commands (``NOTIFY_URL``)."""
    return f"{service.value.upper()}_URL"


def missing_configuration(
    service: Service, url: str | None, environ: Mapping[str, str]
) -> list[str]:
    """What an operator command lacks: the service's URL and a way to a token."""
    missing = (
        [] if url or environ.get(url_variable(service)) else [f"{url_variable(service)} (or --url)"]
    )
    if not environ.get(TOKEN) and not all(
        environ.get(name) for name in (ISSUER, CLIENT_ID, CLIENT_SECRET)
    ):
        lacking = [name for name in (ISSUER, CLIENT_ID, CLIENT_SECRET) if not environ.get(name)]
        missing.append(f"{TOKEN} (or {', '.join(lacking)})")
    return missing


def operator_token(environ: Mapping[str, str]) -> str:
    """The operator's bearer token: as given, or fetched by client credentials."""
    if environ.get(TOKEN):
        return environ[TOKEN].strip()
    issuer = environ[ISSUER].rstrip("/")
    with httpx.Client(timeout=TIMEOUT) as client:
        try:
            discovery = client.get(f"{issuer}/.well-known/openid-configuration")
            discovery.raise_for_status()
            answer = client.post(
                discovery.json()["token_endpoint"],
                data={"grant_type": "client_credentials"},
                auth=(environ[CLIENT_ID], environ[CLIENT_SECRET]),
            )
        except (httpx.HTTPError, ValueError, KeyError) as exc:
            raise OperatorError(f"cannot reach the issuer {issuer}: {exc}") from None
    if answer.status_code != 200:
        raise OperatorError(
            f"the issuer refused the operator client ({answer.status_code}): {answer.text[:200]}"
        )
    token: str = answer.json()["access_token"]
    return token


@dataclass
class OperatorClient:
    """Calls one service's operator endpoints with one token."""

    base_url: str
    token: str

    def get(self, path: str, **params: Any) -> Any:
        """GET ``/ops/v1{path}``; the JSON answer."""
        return self._call("GET", path, params=params)

    def post(self, path: str, body: Any = None, timeout: float | None = 60.0) -> Any:
        """POST ``/ops/v1{path}``; the JSON answer (``timeout=None``: wait as long as it takes)."""
        return self._call("POST", path, json=body, timeout=httpx.Timeout(timeout, connect=5.0))

    def put(self, path: str, body: Any) -> Any:
        """PUT ``/ops/v1{path}``; the JSON answer."""
        return self._call("PUT", path, json=body)

    def delete(self, path: str) -> Any:
        """DELETE ``/ops/v1{path}``; the JSON answer."""
        return self._call("DELETE", path)

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        # Operator endpoints live under /ops/v1; a few older ones under /api/v1 (erasures).
        prefix = "" if path.startswith("/api/") else "/ops/v1"
        url = f"{self.base_url.rstrip('/')}{prefix}{path}"
        headers = {"Authorization": f"Bearer {self.token}"}
        try:
            with httpx.Client(timeout=kwargs.pop("timeout", TIMEOUT)) as client:
                answer = client.request(method, url, headers=headers, **kwargs)
        except httpx.HTTPError as exc:
            raise OperatorError(f"cannot reach {self.base_url}: {exc}") from None
        if answer.is_success:
            return answer.json()
        raise OperatorError(_problem_text(answer), answer.status_code)


def _problem_text(answer: httpx.Response) -> str:
    """The service's error body in one line: its German detail (or title)."""
    try:
        body = answer.json()
        text = body.get("detail") or body.get("title") or answer.reason_phrase
        for error in body.get("errors") or []:
            text += f" {error.get('field')}: {error.get('message')}"
    except (ValueError, AttributeError):
        text = answer.text[:200] or answer.reason_phrase
    return f"{text} ({answer.status_code})"
