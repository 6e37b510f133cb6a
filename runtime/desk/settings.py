"""Settings of a service that serves clerk pages: its sign-in client, session secret, links.

A service with a desk subclasses ``DeskSettings`` instead of ``ServiceSettings``. What the
whole installation shares is read without a prefix: every desk signs in with the same client
of the same issuer (``RATHAUS_DESK_CLIENT_ID`` / ``RATHAUS_DESK_CLIENT_SECRET``), seals its
session cookie with the same ``RATHAUS_SESSION_SECRET`` (so services behind one origin share a
sign-in), and links to the others' desks (``RATHAUS_DESK_<SERVICE>_URL``, shown when set).
The desk's own address is the service's ``<PREFIX>_PUBLIC_URL``: the issuer sends the browser
back there (``/auth/callback``), so production requires it, as https.
"""

from __future__ import annotations

from typing import Any

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator

from runtime.secrets import check_token
from runtime.settings import ServiceSettings


class DeskSettings(ServiceSettings):
    """A service's settings, plus what its clerk pages need."""

    desk_client_id: str = Field(
        default="rathaus-desk", validation_alias=AliasChoices("RATHAUS_DESK_CLIENT_ID")
    )
    desk_client_secret: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("RATHAUS_DESK_CLIENT_SECRET")
    )
    """Empty for a public client (PKCE alone); a confidential client's secret otherwise."""
    desk_scopes: str = Field(
        default="openid profile email", validation_alias=AliasChoices("RATHAUS_DESK_SCOPES")
    )
    session_secret: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("RATHAUS_SESSION_SECRET")
    )
    """Seals the session cookie (AES-GCM, key by HKDF); a random one per process in dev."""
    desk_casework_url: str = Field(
        default="", validation_alias=AliasChoices("RATHAUS_DESK_CASEWORK_URL")
    )
    desk_billing_url: str = Field(
        default="", validation_alias=AliasChoices("RATHAUS_DESK_BILLING_URL")
    )
    desk_archive_url: str = Field(
        default="", validation_alias=AliasChoices("RATHAUS_DESK_ARCHIVE_URL")
    )

    @property
    def desk_base_url(self) -> str:
        """Where clerks reach this service (``<PREFIX>_PUBLIC_URL``, else where it listens)."""
        return (self.public_url or f"http://{self.http_host}:{self.http_port}").rstrip("/")

    @property
    def desk_links(self) -> dict[str, str]:
        """The configured desk addresses by service name (empty ones left out)."""
        links = {
            "casework": self.desk_casework_url,
            "billing": self.desk_billing_url,
            "archive": self.desk_archive_url,
        }
        return {service: url for service, url in links.items() if url}

    @field_validator("session_secret", "desk_client_secret", mode="before")
    @classmethod
    def _empty_is_none(cls, value: Any) -> Any:
        """An empty variable is no secret (a public client; dev without a session secret)."""
        return None if value == "" else value

    @model_validator(mode="after")
    def _require_desk_secrets_in_production(self) -> DeskSettings:
        """Fail closed: no production desk without a real session secret and an https URL."""
        if not self.is_production:
            return self
        if self.session_secret is None:
            raise ValueError(
                "RATHAUS_SESSION_SECRET is required in production (it seals the clerks' sessions)"
            )
        check_token("RATHAUS_SESSION_SECRET", self.session_secret.get_secret_value(), frozenset())
        prefix = str(self.model_config.get("env_prefix", "")).upper()
        if not self.public_url.startswith("https://"):
            raise ValueError(
                f"{prefix}PUBLIC_URL is required in production, an https:// URL (the clerks'"
                " sign-in returns there)"
            )
        return self
