"""A wall-clock limit for a build: calls ``on_expiry`` once if the build is still going."""

from __future__ import annotations

import threading
from collections.abc import Callable
from types import TracebackType


class Watchdog:
    """Context manager; ``expired`` tells afterwards whether the limit was hit."""

    def __init__(self, seconds: float | None, on_expiry: Callable[[], None]) -> None:
        self._seconds = seconds
        self._on_expiry = on_expiry
        self._timer: threading.Timer | None = None
        self.expired = False

    def _fire(self) -> None:
        self.expired = True
        self._on_expiry()

    def __enter__(self) -> Watchdog:
        if self._seconds is not None:
            self._timer = threading.Timer(self._seconds, self._fire)
            self._timer.daemon = True
            self._timer.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._timer is not None:
            self._timer.cancel()
