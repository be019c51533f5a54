"""The fuzz suite's budget: small and repeatable in `make test` (CI), large with `make fuzz`.

``make fuzz`` sets GEOMAP_FUZZ=long: thousands of random examples per property. Otherwise each
property runs a fixed number of examples derived from a fixed seed, so CI stays quick and
repeatable. Decorate a property with ``@budget``.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_LONG = os.environ.get("GEOMAP_FUZZ") == "long"
_SLOW = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]

#: The settings every fuzz property runs with.
budget = settings(max_examples=3000 if _LONG else 25, deadline=None, derandomize=not _LONG,
                  suppress_health_check=_SLOW, print_blob=True)
