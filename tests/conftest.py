"""Fixtures shared across the test folders (the fakes themselves live in tests/support/)."""

from __future__ import annotations

import pytest

from support.fake_nominatim import FakeNominatim


@pytest.fixture
def fake_nominatim():
    """A Nominatim look-alike on loopback, checked for server-side errors when the test ends."""
    with FakeNominatim() as server:
        yield server
    assert server.errors == []
