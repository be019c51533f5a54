"""The ``geomap`` command line: a thin layer over the Python API.

Each command lives in its own module under ``geomap.cli`` and is imported only when it runs, so
``geomap --help`` and ``geomap geocode`` start fast.

Exit codes: 0 everything worked; 1 some inputs failed (the rest were processed); 2 usage error.
"""

from __future__ import annotations

import importlib
import sys

import click

from .._version import __version__

#: command name -> "module:attribute" (modules relative to geomap.cli)
COMMANDS: dict[str, str] = {
    "geocode": "geocode:geocode_command",
    "regions": "geocode:regions_command",
    "index": "index:index_command",
    "geoparse": "geoparse:geoparse_command",
    "extract": "extract:extract_command",
    "map": "map:map_command",
    "store": "store:store_command",
    "demo": "demo:demo_command",
}


class LazyGroup(click.Group):
    """A click group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        module = importlib.import_module(f"{__name__}.{module_name}")
        return getattr(module, attr)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="geomap")
def cli() -> None:
    """geomap: turn news reports into incident maps, offline by default.

    \b
    A typical run:
      geomap extract articles/ -o incidents.gpkg     # text -> incidents
      geomap map incidents.gpkg -o maps/today.html   # incidents -> map
      geomap map articles/ -o maps/today.html        # or both at once

    \b
    Look things up:
      geomap geocode "Rostov region" Chisinau
      geomap regions Krasnodar
      geomap geoparse article.txt -o mentions.jsonl

    Run `geomap COMMAND --help` for each command's options and examples.
    """


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; returns the exit code."""
    try:
        result = cli.main(args=argv, prog_name="geomap", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return 130
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    return int(result or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
