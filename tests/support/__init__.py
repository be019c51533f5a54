"""Fakes, fixtures and shared paths for the tests (importable as ``support`` from any test)."""
