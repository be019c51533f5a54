"""``python -m geomap``: the same as the ``geomap`` command."""

import sys

from .cli import main

sys.exit(main())
