"""Running the real ``geomap`` command in a subprocess (this checkout first on PYTHONPATH)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .paths import REPO


def env() -> dict[str, str]:
    """The environment of a CLI run: ours, with this checkout first on PYTHONPATH."""
    out = dict(os.environ)  # GEOMAP_* untouched: the cached gazetteer index is reused
    out["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), out.get("PYTHONPATH")) if p)
    return out


def command(*args: object) -> list[str]:
    return [sys.executable, "-m", "geomap", *(str(a) for a in args)]


def geomap_cli(*args: object, cwd: Path, input: bytes | None = None,
               timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run ``geomap ARGS`` in ``cwd``; stdout and stderr as text (stderr is a pipe, not a TTY)."""
    done = subprocess.run(command(*args), cwd=cwd, input=input if input is not None else b"",
                          capture_output=True, env=env(), timeout=timeout)
    return subprocess.CompletedProcess(done.args, done.returncode,
                                       done.stdout.decode("utf-8", "replace"),
                                       done.stderr.decode("utf-8", "replace"))
