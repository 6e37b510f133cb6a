"""Entry point: ``python -m services.intake``."""

import sys

from contracts.naming import Service
from runtime.cli import main
from services.intake.bootstrap import build
from services.intake.operator_commands import COMMANDS
from services.intake.settings import IntakeSettings

sys.exit(main(Service.INTAKE, IntakeSettings, build, commands=COMMANDS))
