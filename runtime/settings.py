"""Settings shared by every service, read from the environment.

Each service subclasses ``ServiceSettings`` with its own ``env_prefix`` (``INTAKE_``, …) for
what is its own (``INTAKE_DATABASE_URL``, ``INTAKE_HTTP_PORT``). What the whole installation
shares is read without a prefix: ``NATS_URL``, ``RATHAUS_NAMESPACE``, ``RATHAUS_ENVIRONMENT``,
``RATHAUS_DATA_KEK``, ``RATHAUS_LOG_LEVEL``, ``OTEL_EXPORTER_OTLP_ENDPOINT``.

**Production is the default.** An installation that forgets ``RATHAUS_ENVIRONMENT`` runs as
production, where every secret must be given and must be a real one (``runtime.secrets``);
the development stack and the tests say ``dev`` / ``test`` explicitly, and only there do the
development values that ship with the code apply. Secrets are ``SecretStr``: they never
appear in a representation, a log line or an error message.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Literal, TypeVar

from pydantic import AliasChoices, Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from contracts.naming import Namespace
from runtime.secrets import check_random_key, check_token, decode_key

DEV_KEK = base64.b64encode(b"rathauscloud-dev-only-key-32byte").decode()
"""Key-encryption key for development and tests only; refused in production."""

S = TypeVar("S", bound="ServiceSettings")


class ServiceSettings(BaseSettings):
    """What every service process needs to know about its surroundings."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    service_name: str = "service"
    environment: Literal["dev", "test", "production"] = Field(
        default="production", validation_alias=AliasChoices("RATHAUS_ENVIRONMENT")
    )
    nats_url: str = Field(
        default="nats://127.0.0.1:4222", validation_alias=AliasChoices("NATS_URL")
    )
    namespace: str = Field(default="", validation_alias=AliasChoices("RATHAUS_NAMESPACE"))
    stream_replicas: int = Field(
        default=1, ge=1, le=5, validation_alias=AliasChoices("RATHAUS_STREAM_REPLICAS")
    )
    data_kek: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("RATHAUS_DATA_KEK")
    )
    database_url: str = "postgresql://postgres@127.0.0.1:5432/postgres"
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    public_url: str = ""
    log_level: str = Field(default="info", validation_alias=AliasChoices("RATHAUS_LOG_LEVEL"))
    # Who may call operator endpoints (runtime/auth.py): bearer tokens of one OIDC issuer.
    oidc_issuer: str = Field(default="", validation_alias=AliasChoices("RATHAUS_OIDC_ISSUER"))
    oidc_audience: str = Field(
        default="rathauscloud", validation_alias=AliasChoices("RATHAUS_OIDC_AUDIENCE")
    )
    oidc_roles_claim: str = Field(
        default="roles", validation_alias=AliasChoices("RATHAUS_OIDC_ROLES_CLAIM")
    )
    oidc_towns_claim: str = Field(
        default="ags", validation_alias=AliasChoices("RATHAUS_OIDC_TOWNS_CLAIM")
    )
    oidc_procedures_claim: str = Field(
        default="procedures", validation_alias=AliasChoices("RATHAUS_OIDC_PROCEDURES_CLAIM")
    )
    api_docs: bool | None = Field(default=None, validation_alias=AliasChoices("RATHAUS_API_DOCS"))
    """``/docs`` and ``/openapi.json``: on unless production (where ``true`` turns them on)."""
    otlp_endpoint: str = Field(
        default="", validation_alias=AliasChoices("OTEL_EXPORTER_OTLP_ENDPOINT")
    )
    members_dir: str = Field(default="", validation_alias=AliasChoices("RATHAUS_MEMBERS_DIR"))
    # NATS credentials and TLS (runtime/natsauth.py): each service is a user of its own.
    nats_user: str = Field(default="", validation_alias=AliasChoices("NATS_USER"))
    nats_password: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("NATS_PASSWORD")
    )
    nats_tls_ca_file: str = Field(default="", validation_alias=AliasChoices("NATS_TLS_CA_FILE"))
    nats_tls_cert_file: str = Field(default="", validation_alias=AliasChoices("NATS_TLS_CERT_FILE"))
    nats_tls_key_file: str = Field(default="", validation_alias=AliasChoices("NATS_TLS_KEY_FILE"))
    data_kek_previous: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("RATHAUS_DATA_KEK_PREVIOUS")
    )
    """Earlier KEKs (base64, comma-separated), still read while keys are re-wrapped."""

    test_clock_file: str = Field(
        default="", validation_alias=AliasChoices("RATHAUS_TEST_CLOCK_FILE")
    )
    """Outside production: a file whose offset moves the timers' clock (``runtime.clock``)."""

    @property
    def is_production(self) -> bool:
        """Whether this is a production installation (the default)."""
        return self.environment == "production"

    @model_validator(mode="after")
    def _refuse_dev_secrets_in_production(self) -> ServiceSettings:
        if self.data_kek is None:
            if self.is_production:
                raise ValueError("RATHAUS_DATA_KEK is required in production")
            return self
        key = decode_key("RATHAUS_DATA_KEK", self.data_kek.get_secret_value())
        if self.is_production:
            check_random_key("RATHAUS_DATA_KEK", key, frozenset({base64.b64decode(DEV_KEK)}))
        return self

    @model_validator(mode="after")
    def _require_credentials_in_production(self) -> ServiceSettings:
        """In production a service signs in to NATS and knows who may sign in to it."""
        if not self.is_production:
            return self
        if self.test_clock_file:
            raise ValueError("RATHAUS_TEST_CLOCK_FILE is for tests only; production uses real time")
        if not self.nats_user:
            raise ValueError("NATS_USER is required in production (the service's own NATS user)")
        if self.nats_password is None:
            raise ValueError("NATS_PASSWORD is required in production")
        check_token("NATS_PASSWORD", self.nats_password.get_secret_value(), frozenset())
        if not self.oidc_issuer.startswith("https://"):
            raise ValueError(
                "RATHAUS_OIDC_ISSUER is required in production, an https:// URL (operators and"
                " clerks sign in there)"
            )
        for part in (
            self.data_kek_previous.get_secret_value() if self.data_kek_previous else ""
        ).split(","):
            if part.strip():
                decode_key("RATHAUS_DATA_KEK_PREVIOUS", part.strip())
        return self

    @property
    def api_docs_enabled(self) -> bool:
        """Whether to serve the API docs (``RATHAUS_API_DOCS``; by default not in production)."""
        return self.api_docs if self.api_docs is not None else not self.is_production

    @property
    def ns(self) -> Namespace:
        """The namespace all names of this installation carry."""
        return Namespace(self.namespace)

    def secret_values(self) -> list[str]:
        """Every secret this process holds, to keep them out of what leaves it (traces)."""
        values = [getattr(self, name) for name in type(self).model_fields]
        return [v.get_secret_value() for v in values if isinstance(v, SecretStr)]

    @property
    def kek(self) -> bytes:
        """The key-encryption key as bytes (the development key outside production)."""
        value = self.data_kek.get_secret_value() if self.data_kek else DEV_KEK
        return base64.b64decode(value)

    @property
    def previous_keks(self) -> list[bytes]:
        """Earlier key-encryption keys, for reading keys not yet re-wrapped."""
        raw = self.data_kek_previous.get_secret_value() if self.data_kek_previous else ""
        return [
            decode_key("RATHAUS_DATA_KEK_PREVIOUS", part.strip())
            for part in raw.split(",")
            if part.strip()
        ]


class SettingsRefused(SystemExit):
    """Settings a service must not start with; the message names variables, never values."""


def load_settings(factory: Callable[[], S]) -> S:
    """Build a service's settings, or stop with a message fit for a console and a log.

    pydantic's own message would quote the input — every value of the settings, database
    passwords included — so only each field's name and what is wrong with it is shown.
    """
    try:
        return factory()
    except ValidationError as exc:
        problems = [
            f"  {'.'.join(str(p) for p in error['loc']) or 'settings'}: {_reason(error)}"
            for error in exc.errors(include_input=False, include_url=False)
        ]
        raise SettingsRefused(
            "The service cannot start with these settings:\n" + "\n".join(problems)
        ) from None


def _reason(error: object) -> str:
    assert isinstance(error, dict)
    message = str(error.get("msg", "invalid"))
    return message.removeprefix("Value error, ")
