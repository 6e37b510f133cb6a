"""Entry point: ``python -m services.casework``."""

import sys

from contracts.naming import Service
from runtime.cli import main
from services.casework.bootstrap import build
from services.casework.settings import CaseworkSettings

sys.exit(main(Service.CASEWORK, CaseworkSettings, build))
