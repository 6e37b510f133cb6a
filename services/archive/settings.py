"""Settings of archive, from ``ARCHIVE_*`` variables (and the suite-wide ones)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from runtime.settings import ServiceSettings


class ArchiveSettings(ServiceSettings):
    """What archive needs beyond the shared settings."""

    model_config = SettingsConfigDict(env_prefix="ARCHIVE_", extra="ignore", populate_by_name=True)

    service_name: str = "archive"
    http_port: int = 8004
    database_url: str = "postgresql://postgres@127.0.0.1:5432/rathaus_archive"
