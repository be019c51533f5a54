"""Where the tests find the repository, the bad-input fixtures and the shared folder."""

from __future__ import annotations

import os
from pathlib import Path

#: The repository checkout (tests/support/paths.py -> the folder holding tests/).
REPO = Path(__file__).resolve().parents[2]
#: One file per bad input, with tests/bad_inputs/expectations.toml saying what each must give.
BAD_INPUTS = REPO / "tests" / "bad_inputs"
#: ../shared beside the checkout (CI's layout), or GEOMAP_SHARED_DIR.
SHARED = Path(os.environ.get("GEOMAP_SHARED_DIR") or REPO.parent / "shared")
#: The seed article the project started from.
SEED = SHARED / "seed" / "000_6b34b3c9854d6455.txt"
