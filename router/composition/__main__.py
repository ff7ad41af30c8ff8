"""Entry point: ``python -m router.composition --help``."""

import sys

from .cli import main

sys.exit(main())
