"""Settings of archive, from ``ARCHIVE_*`` variables (and the suite-wide ones)."""

from __future__ import annotations

from pydantic import model_validator
from pydantic_settings import SettingsConfigDict

from runtime.settings import ServiceSettings

DEV_ADMIN_TOKEN = "dev-only-admin-token"


class ArchiveSettings(ServiceSettings):
    """What archive needs beyond the shared settings."""

    model_config = SettingsConfigDict(env_prefix="ARCHIVE_", extra="ignore", populate_by_name=True)

    service_name: str = "archive"
    http_port: int = 8004
    database_url: str = "postgresql://postgres@127.0.0.1:5432/rathaus_archive"
    admin_token: str = DEV_ADMIN_TOKEN

    @model_validator(mode="after")
    def _refuse_dev_token_in_production(self) -> ArchiveSettings:
        if self.environment == "production" and self.admin_token == DEV_ADMIN_TOKEN:
            raise ValueError("ARCHIVE_ADMIN_TOKEN must be set in production")
        return self
