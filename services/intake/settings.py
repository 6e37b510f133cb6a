"""Settings of intake, from ``INTAKE_*`` variables (and the suite-wide ones)."""

from __future__ import annotations

from pydantic import model_validator
from pydantic_settings import SettingsConfigDict

from runtime.settings import ServiceSettings

DEV_TRACKING_SECRET = "dev-only-tracking-secret"


class IntakeSettings(ServiceSettings):
    """What intake needs beyond the shared settings."""

    model_config = SettingsConfigDict(env_prefix="INTAKE_", extra="ignore", populate_by_name=True)

    service_name: str = "intake"
    http_port: int = 8001
    database_url: str = "postgresql://postgres@127.0.0.1:5432/rathaus_intake"
    tracking_secret: str = DEV_TRACKING_SECRET
    max_attachment_bytes: int = 5 * 1024 * 1024
    max_attachments: int = 5
    cors_origins: str = "*"
    max_form_bytes: int = 64 * 1024

    @property
    def max_application_bytes(self) -> int:
        """The largest application body: the form plus every attachment, base64-encoded.

        Base64 makes 3 bytes 4 characters; each attachment also carries its file name and
        type (at most 255 and 100 characters, up to 6 bytes each when escaped in JSON).
        """
        encoded = -(-self.max_attachment_bytes // 3) * 4
        return self.max_form_bytes + self.max_attachments * (encoded + 4 * 1024)

    @model_validator(mode="after")
    def _refuse_dev_secret_in_production(self) -> IntakeSettings:
        if self.environment == "production" and self.tracking_secret == DEV_TRACKING_SECRET:
            raise ValueError("INTAKE_TRACKING_SECRET must be set in production")
        return self
