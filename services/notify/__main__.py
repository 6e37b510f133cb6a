"""Entry point: ``python -m services.notify``."""

import sys

from contracts.naming import Service
from runtime.cli import main
from services.notify.bootstrap import build
from services.notify.settings import NotifySettings

sys.exit(main(Service.NOTIFY, NotifySettings, build))
