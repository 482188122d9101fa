"""How runners hand events to presentations while a build runs."""

from __future__ import annotations

from collections.abc import Callable

from .events import BuildEvent
from .records import StepRecord

# Called for every event, with the step record it updated (None for build-wide events).
Listener = Callable[[BuildEvent, "StepRecord | None"], None]


def ignore(event: BuildEvent, record: StepRecord | None) -> None:
    """The listener that shows nothing."""
