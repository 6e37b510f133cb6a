"""Settings of billing, from ``BILLING_*`` variables (and the suite-wide ones)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from runtime.desk import DeskSettings


class BillingSettings(DeskSettings):
    """What billing needs beyond the shared settings (and the desk's: billing serves the
    clerks' invoice pages, ``services.billing.pages``)."""

    model_config = SettingsConfigDict(env_prefix="BILLING_", extra="ignore", populate_by_name=True)

    service_name: str = "billing"
    http_port: int = 8003
    database_url: str = "postgresql://postgres@127.0.0.1:5432/rathaus_billing"
    payment_term_days: int = Field(default=30, ge=1, le=365)
    finance_close_seconds: float = Field(default=60.0, gt=0)
    """How often the finance export looks for days to close (after midnight, German time)."""
    timer_seconds: float = Field(default=60.0, gt=0)
    """How often the timers look for unpaid claims past due (surcharges, reminders, enforcement)."""
    invoice_smtp_port: int = Field(default=2525, ge=0, le=65535)
    """Where billing receives e-invoices by mail (the towns' invoice addresses); 0: no mail.
    Not 25 (needs root) nor the stack's 1025 (the mail sink notify sends to)."""
    invoice_smtp_host: str = "127.0.0.1"
    """Bound to the machine itself unless told otherwise: the gateway's MTA relays to it."""
    invoice_imap_host: str = ""
    """An IMAP mailbox to fetch e-invoices from, for towns whose invoice mail stays at a
    provider (empty: none). Fetched over TLS unless ``invoice_imap_tls`` is off."""
    invoice_imap_port: int = Field(default=993, ge=1, le=65535)
    invoice_imap_tls: bool = True
    """IMAPS (TLS from the first byte); off only for a server on the machine itself."""
    invoice_imap_username: str = ""
    invoice_imap_password: SecretStr | None = None
    invoice_imap_folder: str = "INBOX"
    invoice_imap_poll_seconds: float = Field(default=60.0, gt=0)
    invoice_rate_limit: str = "120/minute;2000/hour"
    """Invoices one client address may send by API or upload page (empty: no limit)."""
    invoice_rules_dir: Path | None = None
    """Where the official XRechnung validation artefacts are (schemas, EN 16931 and XRechnung
    rules, SchXslt); default ``../shared/data/xrechnung`` beside the repository. The worker
    process that checks invoices reads it from the environment (``einvoices.artefacts``)."""
    invoice_warm_up: bool = True
    """Compile the e-invoice rules at start (a few seconds of CPU, in the background), so the
    first supplier does not wait for them; the test suite's many short starts skip it."""
