"""authlib's OAuth 2.0 authorization server, adapted to Starlette for the development issuer.

authlib implements the protocol — client authentication, the authorization-code grant with
PKCE (RFC 7636), client credentials, JWT access tokens (RFC 9068) and OpenID Connect's ID
token; it ships integrations for Flask and Django only, so this module gives it what a
framework integration gives: requests built from Starlette's (``FormRequest``), responses
made into Starlette's (``handle_response``), and storage (here: memory, codes live minutes).
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, ClassVar

from authlib.oauth2.rfc6749 import (  # type: ignore[import-untyped]
    AuthorizationServer,
    OAuth2Payload,
    OAuth2Request,
)
from authlib.oauth2.rfc6749.errors import InvalidRequestError  # type: ignore[import-untyped]
from authlib.oauth2.rfc6749.grants import (  # type: ignore[import-untyped]
    AuthorizationCodeGrant,
    ClientCredentialsGrant,
)
from authlib.oauth2.rfc7636 import CodeChallenge  # type: ignore[import-untyped]
from authlib.oauth2.rfc9068 import JWTBearerTokenGenerator  # type: ignore[import-untyped]
from authlib.oidc.core import UserInfo  # type: ignore[import-untyped]
from authlib.oidc.core.grants import OpenIDCode  # type: ignore[import-untyped]
from joserfc.jwk import KeySet, RSAKey
from starlette.responses import JSONResponse, Response

from devstack.issuer.directory import DemoClient, DemoUser, Directory
from devstack.issuer.keys import ALGORITHM

TOKEN_LIFETIME = 900
"""Seconds an access token is valid: a script fetches a new one per run."""

SIGN_IN_LIFETIME = 8 * 3600
"""Seconds a person's sign-in (authorization code) is valid: a working day at the desk,
whose session ends with the token (a provider in production sets its own lifetime)."""

CODE_LIFETIME = 120.0


class _Payload(OAuth2Payload):  # type: ignore[misc]
    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self._list: defaultdict[str, list[str]] = defaultdict(list)
        for key, value in pairs:
            self._list[key].append(value)
        self._data = {key: values[0] for key, values in self._list.items()}

    @property
    def data(self) -> dict[str, str]:
        return self._data

    @property
    def datalist(self) -> defaultdict[str, list[str]]:
        return self._list


class FormRequest(OAuth2Request):  # type: ignore[misc]
    """An OAuth request from the query string and an already read form body."""

    def __init__(
        self,
        method: str,
        url: str,
        headers: Any,
        query: list[tuple[str, str]],
        form: list[tuple[str, str]],
    ) -> None:
        super().__init__(method, url, headers=headers)
        self._args = dict(query)
        self._form = dict(form)
        self.payload = _Payload(query + form)

    @property
    def args(self) -> dict[str, str]:
        return self._args

    @property
    def form(self) -> dict[str, str]:
        return self._form


@dataclass(frozen=True)
class AuthorizationCode:
    """A code handed to the browser, redeemed once at the token endpoint."""

    code: str
    client_id: str
    redirect_uri: str
    scope: str
    user: DemoUser
    code_challenge: str
    code_challenge_method: str
    nonce: str | None
    auth_time: int
    expires_at: float

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time

    def get_acr(self) -> None:
        return None

    def get_amr(self) -> list[str]:
        return ["pwd"]


class Issuer(AuthorizationServer):  # type: ignore[misc]
    """The authorization server: demo accounts, one RSA key, codes in memory."""

    def __init__(self, url: str, directory: Directory, key: RSAKey) -> None:
        super().__init__(scopes_supported=["openid", "profile", "email"])
        self.url = url
        self.directory = directory
        self.key = key
        self.codes: dict[str, AuthorizationCode] = {}
        self.register_token_generator("default", _AccessTokens(self))
        self.register_grant(_ClientCredentials)
        self.register_grant(_AuthorizationCode, [_Pkce(required=True), _IdToken(self)])

    @property
    def audience(self) -> str:
        """What every access token is for (``aud``)."""
        return self.directory.audience

    def query_client(self, client_id: str) -> DemoClient | None:
        return self.directory.clients.get(client_id)

    def save_token(self, token: dict[str, Any], request: Any) -> None:
        """Nothing to keep: the tokens are self-contained JWTs."""

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        """No signals."""

    def create_oauth2_request(self, request: Any) -> Any:
        return request  # the app builds a FormRequest itself (it had to await the body)

    def create_json_request(self, request: Any) -> Any:
        raise NotImplementedError

    def handle_response(self, status: int, body: Any, headers: Any) -> Response:
        if isinstance(body, dict):
            return JSONResponse(body, status_code=status, headers=dict(headers))
        return Response(body or b"", status_code=status, headers=dict(headers))

    def redeemable(self, code: str, client: DemoClient) -> AuthorizationCode | None:
        """The stored code, if it is the client's and has not expired."""
        found = self.codes.get(code)
        if found is None or found.client_id != client.client_id:
            return None
        if found.expires_at < time.monotonic():
            self.codes.pop(code, None)
            return None
        return found


class _AccessTokens(JWTBearerTokenGenerator):  # type: ignore[misc]
    """RFC 9068 access tokens with the claims the services read (roles, ags, procedures)."""

    def __init__(self, issuer: Issuer) -> None:
        super().__init__(issuer.url, alg=ALGORITHM, expires_generator=_lifetime)
        self._issuer = issuer

    def get_jwks(self) -> KeySet:
        return KeySet([self._issuer.key])

    def get_audiences(self, client: DemoClient, user: DemoUser | None, scope: str) -> str:
        return self._issuer.audience

    def get_extra_claims(
        self, client: DemoClient, grant_type: str, user: DemoUser | None, scope: str
    ) -> dict[str, Any]:
        return user.claims() if user is not None else client.claims()


def _lifetime(client: DemoClient, grant_type: str) -> int:
    return SIGN_IN_LIFETIME if grant_type == "authorization_code" else TOKEN_LIFETIME


class _ClientCredentials(ClientCredentialsGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS: ClassVar[list[str]] = ["client_secret_basic", "client_secret_post"]


class _AuthorizationCode(AuthorizationCodeGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS: ClassVar[list[str]] = [
        "client_secret_basic",
        "client_secret_post",
        "none",
    ]

    def validate_authorization_request(self) -> str:
        redirect_uri: str = super().validate_authorization_request()
        if not self.request.payload.data.get("code_challenge"):
            # OAuth 2.1: every client uses PKCE, the confidential ones too.
            error = InvalidRequestError("PKCE is required: send code_challenge (S256).")
            error.redirect_uri = redirect_uri
            raise error
        return redirect_uri

    def save_authorization_code(self, code: str, request: Any) -> None:
        data = request.payload.data
        self.server.codes[code] = AuthorizationCode(
            code=code,
            client_id=request.client.client_id,
            redirect_uri=data.get("redirect_uri", ""),
            scope=request.scope or "",
            user=request.user,
            code_challenge=data["code_challenge"],
            code_challenge_method=data.get("code_challenge_method", "plain"),
            nonce=data.get("nonce"),
            auth_time=int(time.time()),
            expires_at=time.monotonic() + CODE_LIFETIME,
        )

    def query_authorization_code(self, code: str, client: DemoClient) -> Any:
        return self.server.redeemable(code, client)

    def delete_authorization_code(self, authorization_code: AuthorizationCode) -> None:
        self.server.codes.pop(authorization_code.code, None)

    def authenticate_user(self, authorization_code: AuthorizationCode) -> DemoUser:
        return authorization_code.user


class _Pkce(CodeChallenge):  # type: ignore[misc]
    SUPPORTED_CODE_CHALLENGE_METHOD: ClassVar[list[str]] = ["S256"]


class _IdToken(OpenIDCode):  # type: ignore[misc]
    """OpenID Connect: an ID token next to the access token when ``openid`` is asked for."""

    def __init__(self, issuer: Issuer) -> None:
        super().__init__(require_nonce=False)
        self._issuer = issuer

    def exists_nonce(self, nonce: str, request: Any) -> bool:
        return any(code.nonce == nonce for code in self._issuer.codes.values())

    def resolve_client_private_key(self, client: DemoClient) -> KeySet:
        return KeySet([self._issuer.key])

    def get_client_algorithm(self, client: DemoClient) -> str:
        return ALGORITHM

    def get_encode_header(self, client: DemoClient) -> dict[str, str]:
        return {"alg": ALGORITHM, "kid": self._issuer.key.kid or ""}

    def get_client_claims(self, client: DemoClient) -> dict[str, Any]:
        now = int(time.time())
        return {"iss": self._issuer.url, "aud": [client.client_id], "exp": now + TOKEN_LIFETIME}

    def generate_user_info(self, user: DemoUser, scope: str) -> Any:
        return UserInfo(sub=user.get_user_id(), **user.claims())
