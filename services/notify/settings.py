"""Settings of notify, from ``NOTIFY_*`` variables (and the suite-wide ones)."""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from runtime.desk import DeskSettings
from services.notify.dkim_signing import DkimKey


class NotifySettings(DeskSettings):
    """What notify needs beyond the shared settings (and the desk's: the operators' page)."""

    model_config = SettingsConfigDict(env_prefix="NOTIFY_", extra="ignore", populate_by_name=True)

    service_name: str = "notify"
    http_port: int = 8005
    database_url: str = "postgresql://postgres@127.0.0.1:5432/rathaus_notify"
    dkim_selector: str = ""
    """The DKIM selector of the sender domain (empty: mail goes out unsigned)."""
    dkim_key_file: Path | None = None
    """The sender domain's DKIM private key: RSA, PEM (PKCS#1 or PKCS#8), e.g. a mounted secret."""
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    smtp_username: str = ""
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    smtp_timeout_seconds: float = 30.0
    sender_domain: str = "rathauscloud.example"
    bounce_local_part: str = Field(
        default="bounce",
        pattern=r"^[A-Za-z0-9._-]*$",
        description="VERP: each mail's envelope sender is <local part>+<message id>@<bounce"
        " domain>, so a delivery status notification names its message (empty: the From"
        " address, and DSNs are matched by the returned Message-ID alone)",
    )
    bounce_domain: str = ""
    """The domain of the envelope sender (empty: the sender domain); its MX relays DSNs to
    the bounce port."""
    bounce_smtp_port: int = Field(default=2526, ge=0, le=65535)
    """Where notify receives delivery status notifications (bounces); 0: none. Not billing's
    2525 (e-invoices) nor the stack's 1025 (the mail sink notify sends to)."""
    bounce_smtp_host: str = "127.0.0.1"
    """Bound to the machine itself unless told otherwise: the gateway's MTA relays to it."""
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

    @model_validator(mode="after")
    def _a_dkim_key_that_signs(self) -> NotifySettings:
        """Selector and key together, and a key that is one: refused at start, not per mail."""
        if bool(self.dkim_selector) != (self.dkim_key_file is not None):
            raise ValueError("NOTIFY_DKIM_SELECTOR and NOTIFY_DKIM_KEY_FILE go together")
        if self.dkim_key_file is not None:
            try:
                key = load_pem_private_key(self.dkim_key_file.read_bytes(), password=None)
            except (OSError, ValueError, TypeError) as exc:
                raise ValueError(
                    f"NOTIFY_DKIM_KEY_FILE: no readable PEM private key ({exc})"
                ) from None
            if not isinstance(key, RSAPrivateKey) or key.key_size < 1024:
                raise ValueError("NOTIFY_DKIM_KEY_FILE: an RSA key of at least 1024 bits")
        return self

    @property
    def envelope_domain(self) -> str:
        """The domain VERP envelope senders (and so the bounces) go to."""
        return self.bounce_domain or self.sender_domain

    def dkim_key(self) -> DkimKey | None:
        """The sender domain's DKIM key, if one is configured."""
        if self.dkim_key_file is None:
            return None
        return DkimKey(self.sender_domain, self.dkim_selector, self.dkim_key_file.read_bytes())
