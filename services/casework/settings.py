"""Settings of casework, from ``CASEWORK_*`` variables (and the suite-wide ones)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from runtime.settings import ServiceSettings


class CaseworkSettings(ServiceSettings):
    """What casework needs beyond the shared settings."""

    model_config = SettingsConfigDict(env_prefix="CASEWORK_", extra="ignore", populate_by_name=True)

    service_name: str = "casework"
    http_port: int = 8002
    database_url: str = "postgresql://postgres@127.0.0.1:5432/rathaus_casework"
