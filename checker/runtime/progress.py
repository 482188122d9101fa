"""Progress lines for long runtime work (installing an engine, debootstrap, downloads).

Plain lines with elapsed seconds, flushed at once, so they read the same in a terminal, in a
notebook cell and in a CI log.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

Report = Callable[[str], None]


def printer(prefix: str = "") -> Report:
    """A reporter that prints each message with the seconds since it was made."""
    start = time.monotonic()

    def report(message: str) -> None:
        print(f"{prefix}[{time.monotonic() - start:6.1f}s] {message}", file=sys.stdout, flush=True)

    return report


def quiet(_message: str) -> None:
    """A reporter that says nothing, for callers that only want the result."""
