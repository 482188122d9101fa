"""What a build did, step by step: records built from events as they arrive.

The recorder is where wall-clock time is measured: each event is stamped when the runner hands it
over, so a step's seconds are the time between its start and its end as the learner saw them
(not the builder's own figure, which BuildKit reports and the classic builder does not).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Literal

from .events import (
    BuildEvent,
    BuildFailed,
    BuildSucceeded,
    CacheHit,
    Notice,
    OutputLine,
    StepDone,
    StepStarted,
    Tagged,
)

Builder = Literal["classic", "buildkit"]
# "base": a FROM step, which neither runs nor hits the cache (the base image is just taken).
Outcome = Literal["base", "cached", "ran", "failed", "unfinished"]


@dataclass
class StepRecord:
    """One Dockerfile step: what it was, whether it came from the cache, how long it took.

    ``added_by_runner`` marks steps the learner did not write: the classic builder turns the
    ``labels`` build option into ``LABEL`` steps appended to the Dockerfile. They are kept here
    for completeness and left out of what learners are shown.
    """

    key: str
    number: int
    instruction: str
    total: int | None = None
    stage: str | None = None
    cached: bool = False
    done: bool = False
    failed: bool = False
    layer_id: str | None = None
    seconds: float = 0.0
    reported_seconds: float | None = None
    output: list[str] = field(default_factory=list)
    added_by_runner: bool = False
    started_at: float = 0.0

    @property
    def outcome(self) -> Outcome:
        if self.failed:
            return "failed"
        if self.keyword == "FROM" and (self.done or self.cached):
            return "base"
        if self.cached:
            return "cached"
        return "ran" if self.done else "unfinished"

    @property
    def keyword(self) -> str:
        """The instruction's keyword in capitals (``RUN``, ``COPY``)."""
        return self.instruction.split(maxsplit=1)[0].upper() if self.instruction else ""

    @property
    def label(self) -> str:
        """``4`` or, in a named stage of a BuildKit build, ``builder 2``."""
        return f"{self.stage} {self.number}" if self.stage else str(self.number)


@dataclass
class BuildResult:
    """The outcome of one build: its steps, its image, how long it took."""

    builder: Builder
    steps: list[StepRecord]
    image_id: str | None
    seconds: float
    tags: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    error: str | None = None
    # Containers the classic builder started for RUN steps (all removed by the runner).
    containers: list[str] = field(default_factory=list)
    # False for a build into BuildKit's cache only (BuildOptions.export): no image by design.
    exported: bool = True

    @property
    def succeeded(self) -> bool:
        return self.error is None and (self.image_id is not None or not self.exported)

    @property
    def learner_steps(self) -> list[StepRecord]:
        """The steps of the learner's Dockerfile (without those the runner added)."""
        return [step for step in self.steps if not step.added_by_runner]

    def step(self, instruction_prefix: str) -> StepRecord:
        """The first learner step whose instruction starts with this text (case-insensitive)."""
        wanted = instruction_prefix.strip().lower()
        for step in self.learner_steps:
            if step.instruction.lower().startswith(wanted):
                return step
        found = [step.instruction for step in self.learner_steps]
        raise KeyError(f"no step starts with {instruction_prefix!r}; steps: {found}")

    @property
    def cached_steps(self) -> list[StepRecord]:
        return [step for step in self.learner_steps if step.outcome == "cached"]

    @property
    def ran_steps(self) -> list[StepRecord]:
        return [step for step in self.learner_steps if step.outcome == "ran"]


class Recorder:
    """Consumes events, stamping each with the clock, and keeps the step records.

    ``clock`` is injectable so tests can drive time; the default is ``time.monotonic``.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self.started_at = clock()
        self.steps: dict[str, StepRecord] = {}
        self.image_id: str | None = None
        self.tags: list[str] = []
        self.notices: list[str] = []
        self.error: str | None = None
        self.failed_key: str | None = None

    def handle(self, event: BuildEvent) -> StepRecord | None:
        """Apply one event; returns the step it concerned, if any."""
        now = self._clock()
        if isinstance(event, StepStarted):
            record = self.steps.get(event.key)
            if record is None:
                record = StepRecord(
                    key=event.key,
                    number=event.number,
                    instruction=event.instruction,
                    total=event.total,
                    stage=event.stage,
                    started_at=now,
                )
                self.steps[event.key] = record
            return record
        if isinstance(event, CacheHit):
            record = self.steps.get(event.key)
            if record:
                record.cached = True
            return record
        if isinstance(event, OutputLine):
            record = self.steps.get(event.key)
            if record:
                record.output.append(event.text)
            return record
        if isinstance(event, StepDone):
            record = self.steps.get(event.key)
            if record and not record.done:
                record.done = True
                record.layer_id = event.layer_id
                record.reported_seconds = event.reported_seconds
                record.seconds = max(0.0, now - record.started_at)
            return record
        if isinstance(event, BuildFailed):
            self.error = event.message if self.error is None else self.error
            record = self.steps.get(event.key) if event.key else None
            if record and not record.done:
                record.failed = True
                record.seconds = max(0.0, now - record.started_at)
                self.failed_key = record.key
            return record
        if isinstance(event, BuildSucceeded):
            self.image_id = event.image_id
        elif isinstance(event, Tagged):
            self.tags.append(event.tag)
        elif isinstance(event, Notice):
            self.notices.append(event.text)
        return None

    @property
    def failed_step(self) -> StepRecord | None:
        return self.steps.get(self.failed_key) if self.failed_key else None

    @property
    def running_step(self) -> StepRecord | None:
        """The last step that started and has not finished (the one a timeout stopped)."""
        for record in reversed(self.steps.values()):
            if not record.done and not record.failed:
                return record
        return None

    def finish(self, builder: Builder, added_labels: dict[str, str] | None = None) -> BuildResult:
        """Close unfinished steps and return the result."""
        now = self._clock()
        steps = list(self.steps.values())
        for record in steps:
            if not record.done and not record.failed:
                record.seconds = max(0.0, now - record.started_at)
        mark_label_steps(steps, added_labels or {})
        return BuildResult(
            builder=builder,
            steps=steps,
            image_id=self.image_id,
            seconds=max(0.0, now - self.started_at),
            tags=list(self.tags),
            notices=list(self.notices),
            error=self.error,
        )


def mark_label_steps(steps: list[StepRecord], labels: dict[str, str]) -> None:
    """Mark the trailing ``LABEL`` steps that the classic builder added for ``labels``.

    The engine appends one ``LABEL key=value`` step per label (sorted by key) after the last
    instruction of the final stage, and counts them in ``Step k/n``.
    """
    if not labels:
        return
    for record in reversed(steps):
        if record.keyword != "LABEL" or not any(key in record.instruction for key in labels):
            break
        record.added_by_runner = True


def in_dockerfile_order(steps: list[StepRecord], stage_names: list[str]) -> list[StepRecord]:
    """BuildKit's steps sorted as the Dockerfile has them.

    BuildKit reports steps as its solver reaches them, and cached steps of one build may come
    in any order (seen: RUN before COPY), so the stream's order is not the Dockerfile's.
    ``stage_names`` lists each stage as BuildKit names it (its ``AS`` name, else ``stage-N``);
    a step without a stage is in the only stage. Unknown stages keep their first-seen order.
    """
    order = {name: index for index, name in enumerate(stage_names)}
    first_seen: dict[str | None, int] = {}
    for step in steps:
        first_seen.setdefault(step.stage, len(first_seen))

    def key(step: StepRecord) -> tuple[int, int, int]:
        stage_index = order.get(step.stage or "", len(order) + first_seen[step.stage])
        return (stage_index, first_seen[step.stage], step.number)

    return sorted(steps, key=key)


def without_stage_names(steps: list[StepRecord]) -> list[StepRecord]:
    """A one-stage build's steps, with no stage name.

    BuildKit names the stage of a one-stage Dockerfile in some builds (``[stage-0 2/4]``, seen
    with a ``RUN --mount`` step, or a step shared with another build) and not in others
    (``[2/4]``). With one stage the name says nothing, and it would make two tables of the
    same Dockerfile differ, so it is dropped: a one-stage step is labelled ``2``.
    """
    return [replace(step, stage=None) if step.stage else step for step in steps]


def with_every_base(steps: list[StepRecord], image_stages: list[str]) -> list[StepRecord]:
    """Give each stage built on an image its own ``FROM`` step.

    When two stages start from the same image, BuildKit loads it once and reports one ``FROM``
    vertex, named after whichever stage its solver reached first, so which stage shows a
    ``FROM`` changes from build to build. A ``FROM`` takes the image as it is (outcome
    ``base``), so a copy for each stage in ``image_stages`` that lacks one is faithful, and the
    table is the same on every build.
    """
    bases = [step for step in steps if step.keyword == "FROM" and step.number == 1]
    if not bases:
        return steps
    have = {step.stage for step in bases}
    built = {step.stage for step in steps}  # BuildKit skips stages the target does not need
    added: list[StepRecord] = []
    for stage in image_stages:
        if stage in have or stage not in built:
            continue
        totals = [step.total for step in steps if step.stage == stage and step.total]
        template = bases[0]
        added.append(
            replace(
                template,
                key=f"{template.key}:{stage}",
                stage=stage,
                total=totals[0] if totals else template.total,
                output=[],
            )
        )
    return [*steps, *added]
