"""Integration events, one module per owning service. Importing this package registers them."""

from contracts.events import archive, billing, casework, einvoices, intake, notify

__all__ = ["archive", "billing", "casework", "einvoices", "intake", "notify"]
