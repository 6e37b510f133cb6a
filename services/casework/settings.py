"""Settings of casework, from ``CASEWORK_*`` variables (and the suite-wide ones)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from runtime.desk.settings import DeskSettings


class CaseworkSettings(DeskSettings):
    """What casework needs beyond the shared settings (and the clerks' desk's)."""

    model_config = SettingsConfigDict(env_prefix="CASEWORK_", extra="ignore", populate_by_name=True)

    service_name: str = "casework"
    http_port: int = 8002
    database_url: str = "postgresql://postgres@127.0.0.1:5432/rathaus_casework"
    timer_seconds: float = Field(default=60.0, gt=0)
    """How often the timers look for hearings and deadlines that ran out."""
    deadline_warning_days: int = Field(default=2, ge=0)
    """Working days before a deadline that its clerks are told it is near."""
