"""An input file fed in two parts, for tests that must act while a run is still going.

A run reading a FIFO cannot get past the end of the first part until the test releases the rest,
so "kill it mid-run" or "lock the store mid-run" never races the clock: on a loaded machine the
run no longer finishes before the test has acted, and on a fast one it never outruns it.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

#: The readers sniff this many bytes before the first record (geomap.articles.source.SNIFF_BYTES);
#: the first part is padded past it with trailing spaces on its first line (which JSON ignores).
SNIFF_PAD = 70_000


class FifoFeed:
    """``path`` becomes a FIFO; a thread writes ``first`` as soon as a reader opens it and
    ``rest`` only after :meth:`release`. Use as a context manager: leaving it releases the rest,
    unblocks a writer still waiting for a reader, and turns the FIFO back into a regular file
    holding everything written to it (so a later run can read the same input)."""

    def __init__(self, path: Path, first: bytes, rest: bytes):
        self.path = Path(path)
        line, _, tail = first.partition(b"\n")
        self.first = line + b" " * SNIFF_PAD + b"\n" + tail
        self.rest = rest
        self._go = threading.Event()
        os.mkfifo(self.path)
        self._thread = threading.Thread(target=self._feed, daemon=True)

    def __enter__(self) -> FifoFeed:
        self._thread.start()
        return self

    def _feed(self) -> None:
        try:
            with open(self.path, "wb") as fifo:  # blocks until the run opens its input
                fifo.write(self.first)
                fifo.flush()
                self._go.wait()
                fifo.write(self.rest)
        except BrokenPipeError:  # the run was killed, or stopped reading: nothing to deliver to
            pass

    def release(self) -> None:
        """Let the run read the rest of its input."""
        self._go.set()

    def __exit__(self, *exc: object) -> None:
        self._go.set()
        if self._thread.is_alive():
            # a writer still waiting for a reader: open the read end once so that it goes on
            fd = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK)
            try:
                self._thread.join(timeout=1)
            finally:
                os.close(fd)  # a write with no reader left fails (EPIPE) and the thread ends
        self._thread.join(timeout=30)
        self.path.unlink()
        self.path.write_bytes(self.first + self.rest)
