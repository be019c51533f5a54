"""One input (a file or stdin) as a binary stream, and the size limit every reader keeps."""

from __future__ import annotations

import io
import os
import stat
import sys
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from ..errors import InputError

#: One megabyte, the unit of ``--max-size``.
MB = 1_000_000
#: Files (and JSONL/CSV lines) larger than this are refused unless the limit is raised.
DEFAULT_MAX_BYTES = 50 * MB
#: How much of an input is read to tell its encoding (and whether it is text at all).
SNIFF_BYTES = 64 * 1024
LIMIT_HINT = "(raise it with --max-size)"

ErrorHandler = Callable[[InputError], None]


class Input:
    """One file or stdin, opened as a binary stream with its first bytes sniffed."""

    def __init__(self, path: Path | None, name: str, article_id: str):
        self.path = path
        self.name = name
        self.id = article_id

    def open(self) -> IO[bytes]:
        if self.path is None:
            stream: IO[bytes] | None = getattr(sys.stdin, "buffer", None)
            if stream is None:  # a text stdin without a buffer (rare): encode it back
                return io.BytesIO(sys.stdin.read().encode("utf-8"))
            return stream
        if stat.S_ISFIFO(os.stat(self.path).st_mode):
            # a FIFO: opening it would block until some writer comes; without a writer it is empty
            fd = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK)
            os.set_blocking(fd, True)  # with a writer, wait for its data as for any file
            return os.fdopen(fd, "rb")
        return open(self.path, "rb")  # noqa: SIM115 - closed by the caller

    @property
    def suffix(self) -> str:
        return self.path.suffix.lower() if self.path is not None else ""


def format_mb(n: float) -> str:
    value = n / MB
    if value >= 100:
        text = f"{value:.0f}"
    elif value >= 1:
        text = f"{value:.1f}"
    else:
        text = f"{value:.3g}"
    if "." in text and "e" not in text:
        text = text.rstrip("0").rstrip(".")
    return text


def too_big(size: int, max_bytes: int, source: str, what: str = "file") -> InputError:
    return InputError(
        f"{what} is {format_mb(size)} MB, over the limit of {format_mb(max_bytes)} MB {LIMIT_HINT}",
        source=source,
    )


def read_limited(stream: IO[bytes], max_bytes: int, source: str, known_size: int | None) -> bytes:
    if known_size is not None and known_size > max_bytes:
        raise too_big(known_size, max_bytes, source)
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        # never read on to count the size: /dev/zero, /dev/urandom or a pipe may never end
        what = "file" if known_size is not None else "input"
        raise InputError(f"{what} is over the limit of {format_mb(max_bytes)} MB {LIMIT_HINT}",
                         source=source)
    return data


class Prefixed(io.RawIOBase):
    """A binary stream that yields ``head`` and then the rest of ``stream``."""

    def __init__(self, head: bytes, stream: IO[bytes]):
        self._head = head
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        # read1: what the pipe or FIFO holds now (waiting only when it holds nothing), so that
        # records fed through one are read as they come, not when a whole buffer is full
        read1 = getattr(self._stream, "read1", None)
        data = read1(len(buffer)) if read1 is not None else self._stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)
