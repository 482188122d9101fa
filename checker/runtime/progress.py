"""Progress lines for long work (installing an engine, debootstrap, downloads, verify's builds).

Plain lines with elapsed seconds, flushed at once, so they read the same in a terminal, in a
notebook cell and in a CI log. A :data:`Progress` callback is what every long step takes;
:func:`printer` is the one that prints.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

Progress = Callable[[str], None]
"""Receives one progress line at a time."""


def printer(prefix: str = "", *, to_stderr: bool = False) -> Progress:
    """A callback that prints each message with the seconds since it was made, on stdout or
    (``to_stderr``, so a command's stdout stays its result) on stderr."""
    start = time.monotonic()

    def progress(message: str) -> None:
        stream = sys.stderr if to_stderr else sys.stdout
        print(f"{prefix}[{time.monotonic() - start:6.1f}s] {message}", file=stream, flush=True)

    return progress


def quiet(_message: str) -> None:
    """A callback that says nothing, for callers that only want the result."""
