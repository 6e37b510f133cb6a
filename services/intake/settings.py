"""Settings of intake, from ``INTAKE_*`` variables (and the suite-wide ones)."""

from __future__ import annotations

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from runtime.secrets import check_token
from runtime.settings import ServiceSettings

DEV_TRACKING_SECRET = "dev-only-tracking-secret"
"""Signs tracking links in development and tests only; refused in production."""


class IntakeSettings(ServiceSettings):
    """What intake needs beyond the shared settings."""

    model_config = SettingsConfigDict(env_prefix="INTAKE_", extra="ignore", populate_by_name=True)

    service_name: str = "intake"
    http_port: int = 8001
    database_url: str = "postgresql://postgres@127.0.0.1:5432/rathaus_intake"
    tracking_secret: SecretStr | None = None
    cors_origins: str = Field(
        default="",
        description="Origins (comma-separated) whose pages may call the API from a browser;"
        " '*' is refused in production",
    )
    archive_public_url: str = Field(
        default="",
        description="Where citizens reach archive's file inspection (Akteneinsicht); the"
        " tracking page links a filed case there. Empty: no link",
    )
    max_form_bytes: int = 64 * 1024
    rate_limit_per_client: str = Field(
        default="30/minute;300/hour",
        description="Submissions per client address (the `limits` notation, ';'-separated)",
    )
    rate_limit_per_recipient: str = Field(
        default="5/hour;20/day",
        description="Submissions per e-mail address the acknowledgement would go to",
    )

    @property
    def tracking_key(self) -> str:
        """The secret that signs tracking links (the development one outside production)."""
        return (
            self.tracking_secret.get_secret_value() if self.tracking_secret else DEV_TRACKING_SECRET
        )

    @property
    def public_base_url(self) -> str:
        """Where citizens reach intake, for the links it hands out — never the Host header.

        Production requires ``INTAKE_PUBLIC_URL``; elsewhere it defaults to the address intake
        listens on.
        """
        return (self.public_url or f"http://{self.http_host}:{self.http_port}").rstrip("/")

    @property
    def max_application_bytes(self) -> int:
        """The largest application body: the form, and the ids of its uploaded files.

        Files travel on their own (``…/attachments``, multipart, limited per procedure).
        """
        return self.max_form_bytes + 4 * 1024

    upload_expiry_hours: float = Field(
        default=24.0,
        gt=0,
        description="Uploads never submitted with an application are removed after this long",
    )
    upload_sweep_seconds: float = Field(
        default=600.0, gt=0, description="How often abandoned uploads are looked for"
    )

    @model_validator(mode="after")
    def _refuse_dev_secret_in_production(self) -> IntakeSettings:
        if not self.is_production:
            return self
        if self.tracking_secret is None:
            raise ValueError("INTAKE_TRACKING_SECRET is required in production")
        check_token(
            "INTAKE_TRACKING_SECRET",
            self.tracking_secret.get_secret_value(),
            frozenset({DEV_TRACKING_SECRET}),
        )
        if not self.public_url:
            raise ValueError("INTAKE_PUBLIC_URL is required in production (links in mails)")
        if "*" in {origin.strip() for origin in self.cors_origins.split(",")}:
            raise ValueError("INTAKE_CORS_ORIGINS must name origins in production, not '*'")
        return self
