"""The development issuer's demo accounts: clients and users, read from ``demo.toml``.

``DemoClient`` has the methods authlib's grants call on a client (its ``ClientMixin``);
``DemoUser`` is whoever signs in at the login form. Both say which claims their tokens carry.
"""

from __future__ import annotations

import hmac
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

DEMO_CONFIG = Path(__file__).with_name("demo.toml")
SCOPES = ("openid", "profile", "email")
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class DemoUser:
    """A person who signs in with user name and password."""

    username: str
    password: str
    name: str
    roles: tuple[str, ...] = ()
    ags: str | None = None
    procedures: tuple[str, ...] = ()
    email: str | None = None

    def get_user_id(self) -> str:
        """The token's ``sub``."""
        return self.username

    def check_password(self, password: str) -> bool:
        """Whether ``password`` is this user's (in constant time)."""
        return hmac.compare_digest(password.encode(), self.password.encode())

    def claims(self) -> dict[str, Any]:
        """What tokens say about this user, besides ``sub``."""
        claims: dict[str, Any] = {
            "name": self.name,
            "preferred_username": self.username,
            "roles": list(self.roles),
        }
        if self.ags:
            claims["ags"] = self.ags
        if self.procedures:
            claims["procedures"] = list(self.procedures)
        if self.email:
            claims["email"] = self.email
            claims["email_verified"] = True
        return claims


@dataclass(frozen=True)
class DemoClient:
    """A registered client: a script (client credentials) or a web app (code + PKCE)."""

    client_id: str
    client_secret: str | None
    name: str
    grant_types: tuple[str, ...]
    redirect_uris: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    post_logout_redirect_uris: tuple[str, ...] = ()

    def claims(self) -> dict[str, Any]:
        """What a client-credentials token says about the client, besides ``sub``."""
        return {"name": self.name, "roles": list(self.roles)}

    # --- authlib's ClientMixin -------------------------------------------------------------

    def get_client_id(self) -> str:
        """The client's id."""
        return self.client_id

    def get_default_redirect_uri(self) -> str | None:
        """Where to send the browser when the request names no redirect URI."""
        return self.redirect_uris[0] if self.redirect_uris else None

    def get_allowed_scope(self, scope: str | None) -> str:
        """The requested scopes this issuer knows."""
        return " ".join(s for s in (scope or "").split() if s in SCOPES)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        """Exact match, except that a loopback URI may use any port (RFC 8252 §7.3)."""
        return any(_same_redirect(redirect_uri, known) for known in self.redirect_uris)

    def check_post_logout_redirect_uri(self, uri: str) -> bool:
        """Where the browser may go after signing out: as for redirect URIs."""
        return any(_same_redirect(uri, known) for known in self.post_logout_redirect_uris)

    def check_client_secret(self, client_secret: str) -> bool:
        """Whether the secret is this client's (in constant time)."""
        return self.client_secret is not None and hmac.compare_digest(
            client_secret.encode(), self.client_secret.encode()
        )

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        """A confidential client authenticates with its secret, a public one with none."""
        if endpoint != "token":
            return True
        if self.client_secret is None:
            return method == "none"
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type: str) -> bool:
        """Only ``code``, for clients of the authorization-code flow."""
        return response_type == "code" and "authorization_code" in self.grant_types

    def check_grant_type(self, grant_type: str) -> bool:
        """Whether the client may use ``grant_type``."""
        return grant_type in self.grant_types


def _same_redirect(given: str, known: str) -> bool:
    if given == known:
        return True
    a, b = urlsplit(given), urlsplit(known)
    return (
        a.scheme == b.scheme == "http"
        and a.hostname == b.hostname
        and a.hostname in LOOPBACK_HOSTS
        and (a.path, a.query) == (b.path, b.query)
        and not a.username
        and not a.fragment
    )


@dataclass(frozen=True)
class Directory:
    """Everyone the issuer knows, and the audience of its tokens."""

    audience: str
    clients: dict[str, DemoClient]
    users: dict[str, DemoUser]

    @classmethod
    def load(cls, path: Path = DEMO_CONFIG) -> Directory:
        """Read the accounts from a TOML file like ``demo.toml``."""
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        clients = [
            DemoClient(
                client_id=c["client_id"],
                client_secret=c.get("client_secret"),
                name=c.get("name", c["client_id"]),
                grant_types=tuple(c["grant_types"]),
                redirect_uris=tuple(c.get("redirect_uris", ())),
                roles=tuple(c.get("roles", ())),
                post_logout_redirect_uris=tuple(c.get("post_logout_redirect_uris", ())),
            )
            for c in data.get("clients", [])
        ]
        users = [
            DemoUser(
                username=u["username"],
                password=u["password"],
                name=u["name"],
                roles=tuple(u.get("roles", ())),
                ags=u.get("ags"),
                procedures=tuple(u.get("procedures", ())),
                email=u.get("email"),
            )
            for u in data.get("users", [])
        ]
        return cls(
            audience=data.get("audience", "rathauscloud"),
            clients={c.client_id: c for c in clients},
            users={u.username: u for u in users},
        )

    def sign_in(self, username: str, password: str) -> DemoUser | None:
        """The user, if the password is right."""
        user = self.users.get(username)
        return user if user is not None and user.check_password(password) else None
