"""Settings shared by every service, read from the environment.

Each service subclasses ``ServiceSettings`` with its own ``env_prefix`` (``INTAKE_``, …) for
what is its own (``INTAKE_DATABASE_URL``, ``INTAKE_HTTP_PORT``). What the whole installation
shares is read without a prefix: ``NATS_URL``, ``RATHAUS_NAMESPACE``, ``RATHAUS_ENVIRONMENT``,
``RATHAUS_DATA_KEK``, ``RATHAUS_LOG_LEVEL``, ``OTEL_EXPORTER_OTLP_ENDPOINT``.
"""

from __future__ import annotations

import base64
from typing import Literal

from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from contracts.naming import Namespace

DEV_KEK = base64.b64encode(b"rathauscloud-dev-only-key-32byte").decode()
"""Key-encryption key for development and tests only; refused in production."""


class ServiceSettings(BaseSettings):
    """What every service process needs to know about its surroundings."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    service_name: str = "service"
    environment: Literal["dev", "test", "production"] = Field(
        default="dev", validation_alias=AliasChoices("RATHAUS_ENVIRONMENT")
    )
    nats_url: str = Field(
        default="nats://127.0.0.1:4222", validation_alias=AliasChoices("NATS_URL")
    )
    namespace: str = Field(default="", validation_alias=AliasChoices("RATHAUS_NAMESPACE"))
    stream_replicas: int = Field(
        default=1, ge=1, le=5, validation_alias=AliasChoices("RATHAUS_STREAM_REPLICAS")
    )
    data_kek: str = Field(default=DEV_KEK, validation_alias=AliasChoices("RATHAUS_DATA_KEK"))
    database_url: str = "postgresql://postgres@127.0.0.1:5432/postgres"
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    public_url: str = ""
    log_level: str = Field(default="info", validation_alias=AliasChoices("RATHAUS_LOG_LEVEL"))
    otlp_endpoint: str = Field(
        default="", validation_alias=AliasChoices("OTEL_EXPORTER_OTLP_ENDPOINT")
    )
    members_dir: str = Field(default="", validation_alias=AliasChoices("RATHAUS_MEMBERS_DIR"))

    @model_validator(mode="after")
    def _refuse_dev_secrets_in_production(self) -> ServiceSettings:
        if self.environment == "production" and self.data_kek == DEV_KEK:
            raise ValueError("RATHAUS_DATA_KEK must be set to a secret key in production")
        if len(base64.b64decode(self.data_kek)) != 32:
            raise ValueError("RATHAUS_DATA_KEK must be 32 bytes, base64-encoded")
        return self

    @property
    def ns(self) -> Namespace:
        """The namespace all names of this installation carry."""
        return Namespace(self.namespace)

    @property
    def kek(self) -> bytes:
        """The key-encryption key as bytes."""
        return base64.b64decode(self.data_kek)
