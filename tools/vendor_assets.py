"""Copy the browser assets that geomap inlines but no Python package carries into
``geomap/render/static/vendor/``: ``python -m tools.vendor_assets``.

Leaflet, markercluster and jQuery come from their XStatic packages at run time; folium's
Leaflet.awesome-markers 2.0.2 (the version folium links) is on npm only, so its files are fetched
here with ``npm pack``, checked against the tarball's pinned hash, and committed.
"""

from __future__ import annotations

import base64
import hashlib
import subprocess
import sys
import tempfile
from pathlib import Path

VENDOR = Path(__file__).resolve().parents[1] / "geomap" / "render" / "static" / "vendor"

#: name, version, the tarball's npm integrity (sha512), the files to keep (package path -> vendor path)
AWESOME_MARKERS = (
    "drmonty-leaflet-awesome-markers", "2.0.2",
    "sha512-g508pdnnHQr9l4kU6McvJzcSd0w1FvHFlZZCYc4oT+zjwYJi1qtj0fFBFEWMKoNfHK4UcBya1eccyjKfu4chjQ==",
    {"js/leaflet.awesome-markers.min.js": "awesome-markers/leaflet.awesome-markers.min.js",
     "css/leaflet.awesome-markers.css": "awesome-markers/leaflet.awesome-markers.css",
     "css/images/markers-soft.png": "awesome-markers/images/markers-soft.png",
     "css/images/markers-soft@2x.png": "awesome-markers/images/markers-soft@2x.png",
     "css/images/markers-shadow.png": "awesome-markers/images/markers-shadow.png",
     "css/images/markers-shadow@2x.png": "awesome-markers/images/markers-shadow@2x.png"},
)


def fetch(name: str, version: str, integrity: str, files: dict[str, str]) -> None:
    import tarfile

    with tempfile.TemporaryDirectory() as work:
        out = subprocess.run(["npm", "pack", f"{name}@{version}", "--silent"], cwd=work, check=True,
                             capture_output=True, text=True).stdout.strip().splitlines()[-1]
        tarball = Path(work) / out
        digest = "sha512-" + base64.b64encode(hashlib.sha512(tarball.read_bytes()).digest()).decode()
        if digest != integrity:
            sys.exit(f"{name}@{version}: the tarball's hash {digest} is not the pinned {integrity}")
        with tarfile.open(tarball) as tar:
            for source, target in files.items():
                member = tar.extractfile(f"package/{source}")
                if member is None:
                    sys.exit(f"{name}@{version} has no {source}")
                path = VENDOR / target
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(member.read())
                print(f"wrote {path.relative_to(VENDOR.parents[3])}")


def main() -> None:
    fetch(*AWESOME_MARKERS)


if __name__ == "__main__":
    main()
