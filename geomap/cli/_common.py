"""Helpers shared by CLI commands: error reporting and exit codes."""

from __future__ import annotations

import click

from ..errors import GeomapError, UsageError

EXIT_OK = 0
EXIT_INPUT_FAILED = 1
EXIT_USAGE = 2


def fail(exc: GeomapError) -> click.ClickException:
    """Turn a geomap error into a click error with the right exit code."""
    err = click.UsageError(str(exc)) if isinstance(exc, UsageError) else click.ClickException(str(exc))
    if not isinstance(exc, UsageError):
        err.exit_code = EXIT_INPUT_FAILED
    return err
