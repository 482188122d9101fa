"""Typed events that both builders' output is turned into.

The classic builder speaks JSON messages, BuildKit prints ``--progress=plain`` text; both parsers
emit these same events so that everything downstream (timing, records, displays) is written once.
Events carry no clock and no presentation: the recorder stamps them as they arrive, displays
render them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StepStarted:
    """A Dockerfile instruction began (``Step 3/5 : COPY ...`` or ``#7 [3/5] COPY ...``).

    ``key`` identifies the step inside one build (the classic builder's step number, BuildKit's
    vertex ``#N``) so that later events can point back at it. ``number`` is the learner-facing
    step number (1-based), ``total`` the number of steps when the builder says it.
    """

    key: str
    number: int
    instruction: str
    total: int | None = None
    stage: str | None = None


@dataclass(frozen=True)
class CacheHit:
    """The step's result was taken from the layer cache: nothing ran."""

    key: str


@dataclass(frozen=True)
class OutputLine:
    """One line the step printed (a ``RUN`` command's output, or a builder status line)."""

    key: str
    text: str


@dataclass(frozen=True)
class StepDone:
    """The step finished; ``layer_id`` is the image/layer it produced when the builder says it.

    ``reported_seconds`` is the builder's own measurement (BuildKit's ``DONE 1.2s``), kept next to
    the wall-clock time the recorder measures.
    """

    key: str
    layer_id: str | None = None
    reported_seconds: float | None = None


@dataclass(frozen=True)
class BuildFailed:
    """The build stopped with an error; ``key`` is the failing step when it is known."""

    message: str
    key: str | None = None


@dataclass(frozen=True)
class BuildSucceeded:
    """The build produced an image."""

    image_id: str


@dataclass(frozen=True)
class Tagged:
    """The image was given a name (``Successfully tagged ...``)."""

    tag: str


@dataclass(frozen=True)
class Notice:
    """A builder message outside any step (context upload, deprecation notice, pull progress)."""

    text: str


BuildEvent = (
    StepStarted | CacheHit | OutputLine | StepDone | BuildFailed | BuildSucceeded | Tagged | Notice
)
