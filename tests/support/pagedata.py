"""The payload of a geomap page (plain or gzip+base64 JSON in its data script), for the tests."""

from __future__ import annotations

import base64
import gzip
import json
import re

DATA_SCRIPT = re.compile(r'<script type="application/(json|octet-stream)" id="(geomap-[0-9a-f]+)-data"'
                         r'( data-encoding="gzip\+base64")?>(.*?)</script>', re.S)


def data_script(page: str) -> re.Match[str]:
    match = DATA_SCRIPT.search(page)
    assert match, "no payload in the page"
    return match


def payload_of(page: str) -> dict:
    match = data_script(page)
    text = match.group(4)
    if match.group(3):
        text = gzip.decompress(base64.b64decode(text)).decode("utf-8")
    return json.loads(text)
