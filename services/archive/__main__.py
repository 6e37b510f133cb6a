"""Entry point: ``python -m services.archive``."""

import sys

from contracts.naming import Service
from runtime.cli import main
from services.archive.bootstrap import build
from services.archive.commands import COMMANDS
from services.archive.settings import ArchiveSettings

sys.exit(main(Service.ARCHIVE, ArchiveSettings, build, commands=COMMANDS))
