"""Settings of billing, from ``BILLING_*`` variables (and the suite-wide ones)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from runtime.settings import ServiceSettings


class BillingSettings(ServiceSettings):
    """What billing needs beyond the shared settings."""

    model_config = SettingsConfigDict(env_prefix="BILLING_", extra="ignore", populate_by_name=True)

    service_name: str = "billing"
    http_port: int = 8003
    database_url: str = "postgresql://postgres@127.0.0.1:5432/rathaus_billing"
    payment_term_days: int = Field(default=30, ge=1, le=365)
    finance_close_seconds: float = Field(default=60.0, gt=0)
    """How often the finance export looks for days to close (after midnight, German time)."""
    timer_seconds: float = Field(default=60.0, gt=0)
    """How often the timers look for unpaid claims past due (surcharges, reminders, enforcement)."""
