"""``python -m devstack start|test|mailbox`` — usually reached through ``rathaus.py``."""

import sys

from devstack.cli import main

sys.exit(main())
