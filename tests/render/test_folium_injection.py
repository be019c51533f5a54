"""Article text never reaches a template engine as template source on the folium bridge.

branca's ``MacroElement.render`` compiles each macro's output as a new Jinja template: an article
saying ``{{ cycler.__init__.__globals__.os.system(...) }}`` ran the command when the map was saved,
and ``{%``, ``{#`` or ``{{cite}}`` made the save fail. These tests go from article text through
``geomap.extract`` to ``to_folium(...).save()`` and a notebook's ``_repr_html_()``.
"""

from __future__ import annotations

import datetime as dt
import html
import re

import folium
import jinja2
import pytest

import geomap
from geomap.models import Article
from geomap.render._folium import IncidentLayer
from support.pagedata import payload_of


def payload_text(tmp_path, command_file) -> str:
    return ("Drones struck the oil depot in Tuapse "
            f"{{{{ cycler.__init__.__globals__.os.system('touch {command_file}') }}}} overnight.")


LITERALS = ["{{cite}}", "{% raw %}", "{# note", "{%- endfor %}", "{{ 7*7 }}"]


@pytest.fixture(scope="module")
def attack(tmp_path_factory):
    folder = tmp_path_factory.mktemp("attack")
    marker = folder / "pwned.txt"
    text = payload_text(folder, marker)
    literal = ("Ukrainian drones struck the port of Novorossiysk " + " ".join(LITERALS) + " on Sunday.")
    articles = [Article(id="a{{1}}", text=text + " " + literal, title="Report {{ 7*7 }} {%",
                        date=dt.date(2024, 3, 3), url="https://example.org/{{x}}")]
    incidents = geomap.extract(articles)
    assert set(incidents["place"]) == {"Tuapse", "Novorossiysk"}
    return folder, marker, text, literal, incidents



def test_the_payload_is_live_jinja(attack):
    """The probe is real: given to Jinja as source it runs the command (so the tests below can fail)."""
    folder, _, text, _, _ = attack
    probe = folder / "probe.txt"
    jinja2.Template(payload_text(folder, probe)).render()
    assert probe.exists()
    with pytest.raises(jinja2.TemplateSyntaxError):
        jinja2.Template("{% raw %} {# note").render()


@pytest.mark.parametrize("compress", [False, True])
def test_save_runs_nothing_and_keeps_the_text(attack, tmp_path, compress):
    _, marker, text, literal, incidents = attack
    m = geomap.to_folium(incidents, compress=compress, title="Map {{ 7*7 }} {% if %}")
    # a layer name of the user's own is data too (it reaches the script as JSON)
    folium.TileLayer(tiles="data:image/png;base64,", attr="t", name="Tiles {{ 7*7 }} {%").add_to(m)
    out = tmp_path / "m.html"
    m.save(str(out))
    assert not marker.exists(), "article text ran as a template"
    page = out.read_text(encoding="utf-8")
    strings = payload_of(page)["strings"]
    assert text in strings and literal in strings
    assert "Report {{ 7*7 }} {%" in strings
    assert "<title>Map {{ 7*7 }} {% if %}</title>" in page
    assert '"Tiles {{ 7*7 }} {%"' in page


def test_notebook_view_runs_nothing_and_keeps_the_text(attack):
    _, marker, text, literal, incidents = attack
    m = geomap.to_folium(incidents, compress=False)
    frame = m._repr_html_()  # what Jupyter shows: the page in an <iframe srcdoc>
    assert not marker.exists()
    srcdoc = re.search(r'srcdoc="(.*?)"', frame, re.S)
    assert srcdoc
    strings = payload_of(html.unescape(srcdoc.group(1)))["strings"]
    assert text in strings and literal in strings
    # geomap's own notebook view (no folium) keeps it literally too
    own = html.unescape(geomap.make_map(incidents)._repr_html_())
    assert not marker.exists()
    assert all(value in payload_of(own)["strings"] for value in (text, literal))


def test_a_layer_renders_twice_the_same(attack):
    """Rendering is pure: a second save (or a notebook re-display) gives the same page."""
    _, marker, _, _, incidents = attack
    m = folium.Map(tiles=None)
    IncidentLayer(geomap.make_map(incidents)).add_to(m)
    first = m.get_root().render()
    assert m.get_root().render() == first
    assert not marker.exists()
