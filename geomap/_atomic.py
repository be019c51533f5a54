"""Atomic file output: write to a temporary file beside the target, then rename over it.

A reader never sees a half-written file, and a crash leaves the previous version intact. Every
OS error (read-only folder, full disk, permission denied) becomes an :class:`OutputError` that
names the file and leaves the previous version as it was. ``-o`` onto a symbolic link writes
through it: the file the link points to is replaced, the link stays. The temporary file's name
carries the writer's process id (``.NAME.PID.xxxx.ext``), so a later write to the same target
removes what a crashed (killed) writer left behind, and never a live writer's file.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from .errors import OutputError, UsageError

log = logging.getLogger(__name__)


def _why(exc: OSError) -> str:
    return exc.strerror or str(exc) or type(exc).__name__


def output_error(target: Path, exc: OSError, what: str = "cannot write") -> OutputError:
    """The error for an OS failure on ``target``: what failed, why, and that nothing changed."""
    hint = " (free some disk space)" if exc.errno in (28, 122) else (
        " (choose a folder you can write to)" if exc.errno in (1, 13, 30) else "")
    return OutputError(f"{what} {target}: {_why(exc)}{hint}; the previous file, if any, "
                       "is unchanged")


def resolve_target(target: str | os.PathLike[str]) -> Path:
    """The file to replace for ``target``: a symbolic link's own target (the link stays)."""
    path = Path(target)
    if path.is_symlink():
        real = Path(os.path.realpath(path))
        log.info("%s is a symbolic link: writing through it to %s", path, real)
        return real
    return path


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: someone else's live process
        return True
    return True


def clean_leftovers(folder: Path, name: str) -> int:
    """Remove temporary files of ``name`` whose writer process is gone; return how many."""
    pattern = re.compile(rf"^\.{re.escape(name)}\.(\d+)\.[A-Za-z0-9_]+(\..*)?$")
    removed = 0
    try:
        entries = list(folder.iterdir())
    except OSError:
        return 0
    for entry in entries:
        match = pattern.match(entry.name)
        if match and int(match.group(1)) != os.getpid() and not _alive(int(match.group(1))):
            with contextlib.suppress(OSError):
                entry.unlink()
                removed += 1
    return removed


def temp_name(folder: Path, name: str, suffix: str) -> Path:
    """A new, unused temporary file name beside ``name`` (the file is created, then removed)."""
    fd, tmp_name = tempfile.mkstemp(prefix=f".{name}.{os.getpid()}.", suffix=suffix, dir=folder)
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()  # writers such as GDAL refuse to overwrite; let them create it
    return tmp


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike[str], suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; on success it replaces ``target``.

    Use it with writers that want a path (pyogrio, pyarrow, matplotlib). The temporary file keeps
    the target's extension so format detection by extension still works.
    """
    shown = Path(target)
    target = resolve_target(shown)
    if target.is_dir():
        raise OutputError(f"cannot write {shown}: it is a folder")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise output_error(target.parent, exc, "cannot create folder") from exc
    clean_leftovers(target.parent, target.name)
    try:
        tmp = temp_name(target.parent, target.name,
                        suffix if suffix is not None else "".join(target.suffixes))
    except OSError as exc:
        raise output_error(shown, exc) from exc
    try:
        yield tmp
        if not tmp.exists():
            raise OutputError(f"writer produced no file for {shown}")
        os.replace(tmp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if isinstance(exc, OutputError):
            raise
        raise output_error(shown, exc) from exc
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def write_text_atomic(target: str | os.PathLike[str], text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``target`` atomically and return the path."""
    with atomic_path(target) as tmp:
        with open(tmp, "w", encoding=encoding, newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
    return Path(target)


def write_bytes_atomic(target: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``target`` atomically and return the path."""
    with atomic_path(target) as tmp:
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    return Path(target)


def refuse_inputs_as_outputs(outputs: Iterable[str | os.PathLike[str] | None],
                             inputs: Iterable[str | os.PathLike[str] | None]) -> None:
    """UsageError when an output is one of the inputs (also through a link, or a file that an
    input folder reads): writing it would destroy the input."""
    def same(a: Path, b: Path) -> bool:
        try:
            return os.path.samefile(a, b)
        except OSError:
            return False

    from .articles import SUPPORTED_SUFFIXES  # what a folder input reads

    given = [Path(p) for p in inputs if p and str(p) != "-"]
    for out in (Path(o) for o in outputs if o):
        if not out.exists():
            continue
        for source in given:
            inside = source.is_dir() and Path(os.path.realpath(source)) in Path(
                os.path.realpath(out)).parents and out.suffix.lower() in SUPPORTED_SUFFIXES
            if inside or same(out, source):
                raise UsageError(f"refusing to write {out}: it is also an input ({source}); "
                                 "choose another output file")
