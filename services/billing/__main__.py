"""Entry point: ``python -m services.billing``."""

import sys

from contracts.naming import Service
from runtime.cli import main
from services.billing.bootstrap import build
from services.billing.settings import BillingSettings

sys.exit(main(Service.BILLING, BillingSettings, build))
