"""Settings of notify, from ``NOTIFY_*`` variables (and the suite-wide ones)."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from runtime.settings import ServiceSettings


class NotifySettings(ServiceSettings):
    """What notify needs beyond the shared settings."""

    model_config = SettingsConfigDict(env_prefix="NOTIFY_", extra="ignore", populate_by_name=True)

    service_name: str = "notify"
    http_port: int = 8005
    database_url: str = "postgresql://postgres@127.0.0.1:5432/rathaus_notify"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    smtp_username: str = ""
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    smtp_timeout_seconds: float = 30.0
    sender_domain: str = "rathauscloud.example"
    senders: int = Field(default=4, ge=1, le=64, description="Parallel SMTP connections")
    max_attempts: int = Field(default=8, ge=1)
    retry_base_seconds: float = Field(default=30.0, gt=0)
    retry_max_seconds: float = Field(default=3600.0, gt=0)
    poll_seconds: float = Field(default=5.0, gt=0)
    key_check_retry_seconds: float = Field(
        default=2.0,
        gt=0,
        description="How soon a message is due again when NATS could not say whether its"
        " case's key still exists (it is never sent without knowing)",
    )
    lease_seconds: float = Field(
        default=300.0,
        gt=0,
        description="How long a message being sent is left to its sender before another may"
        " take it over (longer than any SMTP conversation and database outage to ride out)",
    )
