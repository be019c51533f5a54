"""``geomap demo``: the main job on the bundled offline data, end to end."""

from __future__ import annotations

import time
from pathlib import Path

import click

from .._paths import data_path
from ..errors import GeomapError
from ._common import fail


@click.command("demo")
@click.option("--output-dir", type=click.Path(file_okay=False), default="maps", show_default=True,
              help="Where the map and the incidents file go.")
@click.option("--png/--no-png", default=True, show_default=True, help="Also write a static PNG of the map.")
def demo_command(output_dir: str, png: bool) -> int:
    """Map the bundled example articles (data/examples), offline.

    Reads the articles, finds and geocodes their places, pairs them with incident types, and
    writes maps/examples.html (a self-contained page: open it in any browser, no network
    needed), maps/examples.geojson and maps/examples.png.

    \b
    Example:
      geomap demo && xdg-open maps/examples.html
    """
    from ..articles import read_articles
    from ..export import write_incidents
    from ..pipeline import extract
    from ..render import make_map, save_static

    out = Path(output_dir)
    started = time.perf_counter()
    try:
        articles = list(read_articles([str(data_path("examples"))]))
        incidents = extract(articles)
        page = make_map(incidents, title="geomap demo: example articles")
        html = page.save(out / "examples.html")
        geojson = write_incidents(incidents, out / "examples.geojson")
        written = [html, geojson]
        if png:
            written.append(save_static(incidents, out / "examples.png", title="geomap demo: example articles"))
    except GeomapError as exc:
        raise fail(exc) from exc
    counts = incidents["incident_type"].value_counts()
    click.echo(f"{len(incidents)} incidents from {len(articles)} articles in {time.perf_counter() - started:.1f} s:")
    for incident_type, count in counts.items():
        click.echo(f"  {incident_type:<22} {count}")
    for path in written:
        click.echo(f"wrote {path}")
    return 0
