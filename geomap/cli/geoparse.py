"""``geomap geoparse``: articles -> the places each one names, as JSON lines.

One output line per article::

    {"id": "...", "toponyms": [{"start", "end", "name", "lat", "lon", "geonameid", "kind",
                                "country", "admin1", "confidence"}, ...]}

``start``/``end`` are character offsets into the article text (end-exclusive), so the output of a
JSONL input with ``id`` and ``text`` fields is a prediction file that geoparsing scorers read.
"""

from __future__ import annotations

import json
from typing import Any

import click

from ..errors import GeomapError
from ._common import EXIT_OK, fail
from ._inputs import INPUTS_HELP, InputOptions, input_options

__all__ = ["geoparse_command", "toponym_record"]


def toponym_record(mention: Any) -> dict[str, Any]:
    """One mention as a JSON-ready dict (place fields are None when it was not resolved)."""
    place = mention.place
    return {
        "start": mention.start,
        "end": mention.end,
        "name": mention.text,
        "lat": place.lat if place else None,
        "lon": place.lon if place else None,
        "geonameid": place.geonameid if place else None,
        "kind": mention.kind,
        "country": place.country if place else None,
        "admin1": place.admin1 if place else None,
        "confidence": mention.confidence,
    }


def _line(article_id: str, mentions: list, min_confidence: float) -> str:
    toponyms = [toponym_record(m) for m in mentions if m.confidence >= min_confidence]
    return json.dumps({"id": article_id, "toponyms": toponyms}, ensure_ascii=False) + "\n"


@click.command("geoparse", epilog=INPUTS_HELP)
@input_options
@click.option("-o", "--output", default="-", show_default=True, metavar="FILE",
              help="JSON Lines file to write (atomically: a half-written file is never left behind); "
                   "- writes to standard output.")
@click.option("--min-confidence", type=click.FloatRange(0.0, 1.0), default=0.0, show_default=True,
              metavar="X", help="Leave out toponyms whose confidence is below X.")
def geoparse_command(inputs: InputOptions, output: str, min_confidence: float) -> int:
    """Find the places each article names and resolve them offline (one JSON line per article).

    Every toponym has its character span (start, end), the text as written (name), the
    gazetteer entry's point (lat, lon), GeoNames id, kind (city, admin1, country, water,
    physical, demonym, ...), country code, admin-1 region name and a confidence in [0, 1].
    Demonyms ("Russian drones") are listed with their country. Nothing goes over the network.

    \b
    Examples:
      geomap geoparse article.txt                       # JSON lines on standard output
      geomap geoparse articles/ -o toponyms.jsonl
      geomap geoparse docs.jsonl -o pred.jsonl -q       # JSONL with "id" and "text" per line
      geomap geoparse articles/ --glob "*.md" --min-confidence 0.5 -o places.jsonl
      cat article.txt | geomap geoparse - -o -
    """
    from .._atomic import atomic_path

    try:
        from ..toponyms import default_geoparser

        geoparser = default_geoparser()
    except GeomapError as exc:
        raise fail(exc) from None

    counts = {"toponyms": 0}

    def make_process(write):
        def process(article) -> None:
            mentions = geoparser(article.text)
            write(_line(article.id, mentions, min_confidence))
            counts["toponyms"] += sum(1 for m in mentions if m.confidence >= min_confidence)
        return process

    try:
        if output == "-":
            report = inputs.batch(make_process(lambda line: click.echo(line, nl=False)))
        else:
            with atomic_path(output) as tmp:
                with open(tmp, "w", encoding="utf-8", newline="\n") as handle:
                    report = inputs.batch(make_process(handle.write))
    except GeomapError as exc:
        raise fail(exc) from None
    except OSError as exc:
        raise click.ClickException(f"cannot write {output}: {exc.strerror or exc}") from None
    if not inputs.quiet:
        where = "standard output" if output == "-" else output
        n = counts["toponyms"]
        click.echo(f"{n} toponym{'' if n == 1 else 's'} from {report.ok} article{'' if report.ok == 1 else 's'} "
                   f"-> {where}", err=True)
    code = inputs.finish(report)
    return code if code else EXIT_OK
