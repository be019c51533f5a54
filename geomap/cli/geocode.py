"""``geomap geocode`` and ``geomap regions``: look places up from the command line."""

from __future__ import annotations

import json

import click

from ..errors import GeomapError
from ._common import fail, geocoder_options, make_geocoder


@click.command("geocode")
@click.argument("queries", nargs=-1, required=True, metavar="QUERY...")
@geocoder_options
@click.option("-n", "--limit", type=click.IntRange(1, 50), default=1, show_default=True,
              help="how many ranked matches to show per query.")
@click.option("--country", "country_codes", help="restrict to one country (ISO alpha-2, e.g. UA).")
@click.option("--json", "as_json", is_flag=True, help="print one JSON object per query (entry fields included).")
def geocode_command(queries, geocoder_name, user_agent, geocoder_url, limit, country_codes, as_json):
    """Geocode place names: offline by default, online only when asked.

    \b
    Examples:
      geomap geocode "Rostov region" Chisinau "the Black Sea"
      geomap geocode Odessa -n 3              # see the ranked alternatives
      geomap geocode Paris --country US --json
      geomap geocode Kyiv --geocoder nominatim --user-agent "newsdesk-maps/1.0 (me@example.org)"

    Only the place names given here are sent to an online service, never article text. Online
    answers are cached on disk; on a timeout, rate limit or server error the offline answer is
    used with a warning.
    """
    missing = 0
    try:
        geocoder = make_geocoder(geocoder_name, user_agent, geocoder_url)
        for query in queries:
            found = geocoder.geocode(query, exactly_one=False, limit=limit, country_codes=country_codes)
            found = (found or [])[:limit]
            if not found:
                missing += 1
            if as_json:
                click.echo(json.dumps({"query": query, "results": [
                    {"address": loc.address, "lat": loc.latitude, "lon": loc.longitude, "raw": loc.raw}
                    for loc in found]}, ensure_ascii=False, default=str))
                continue
            if not found:
                click.echo(f"{query}: no match", err=True)
            for loc in found:
                raw = loc.raw or {}
                kind = raw.get("kind", "")
                ident = raw.get("admin1_code") if kind == "admin1" else raw.get("id", "")
                click.echo(f"{query}\t{loc.latitude:.5f}\t{loc.longitude:.5f}\t{kind}\t{ident}\t{loc.address}")
    except GeomapError as exc:
        raise fail(exc) from exc
    return 1 if missing else 0


@click.command("regions")
@click.argument("search", required=False)
@click.option("--json", "as_json", is_flag=True, help="print JSON lines instead of a table.")
def regions_command(search, as_json):
    """List region names usable in filters (`geomap map --region NAME`).

    Countries, admin-1 regions and seas; SEARCH keeps those whose name or code contains it
    (case and accents ignored).

    \b
    Examples:
      geomap regions krasnodar
      geomap regions sea
      geomap regions MD
    """
    from dataclasses import asdict

    from ..regions import list_regions

    try:
        regions = list_regions(search)
    except GeomapError as exc:
        raise fail(exc) from exc
    for region in regions:
        if as_json:
            click.echo(json.dumps(asdict(region), ensure_ascii=False))
        else:
            click.echo("\t".join(str(v or "") for v in (region.code or region.id, region.kind, region.country, region.name)))
    if not regions:
        click.echo(f"no region matches {search!r}", err=True)
        return 1
    return 0
