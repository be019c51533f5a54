"""``geomap index``: build the gazetteer index ahead of time (for a cluster, a container image,
or a read-only shared folder)."""

from __future__ import annotations

import click

from ..errors import GeomapError
from ._common import EXIT_OK, fail


@click.group("index", context_settings={"help_option_names": ["-h", "--help"]})
def index_command() -> None:
    """Build or locate the offline gazetteer index.

    geomap builds the index on first use (about 20 s) into its cache folder, ~/.cache/geomap or
    GEOMAP_CACHE_DIR. Build it once ahead of time where many processes will read it: Dask
    workers on a cluster, a container image, a read-only shared folder.

    \b
    Examples:
      geomap index build                          # into the cache folder
      geomap index build --to /shared/geomap      # then run workers with GEOMAP_CACHE_DIR=/shared/geomap
      geomap index path
    """


@index_command.command("build")
@click.option("--to", "folder", type=click.Path(file_okay=False), default=None, metavar="FOLDER",
              help="Folder to build the index in (default: the cache folder). Point GEOMAP_CACHE_DIR "
                   "at it wherever geomap should read it; the folder may then be read-only.")
def build_command(folder: str | None) -> int:
    """Build the gazetteer index for this geomap (nothing to do when it exists).

    Several processes racing to build the same index build it once: the others wait for it.
    """
    from ..gazetteer.index import ensure_index, index_path

    try:
        existed = index_path(folder).exists()
        path = ensure_index(folder=folder)
    except GeomapError as exc:
        raise fail(exc) from None
    except OSError as exc:
        raise click.ClickException(f"cannot build the index in {folder}: {exc.strerror or exc}") from None
    click.echo(f"{'already built' if existed else 'built'}: {path}")
    if folder:
        click.echo(f"use it with GEOMAP_CACHE_DIR={path.parent}", err=True)
    return EXIT_OK


@index_command.command("path")
def path_command() -> int:
    """Print where the index for this geomap is (or will be built)."""
    from ..gazetteer.index import index_path

    try:
        path = index_path()
    except GeomapError as exc:
        raise fail(exc) from None
    click.echo(str(path))
    return EXIT_OK
