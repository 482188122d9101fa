"""Line up the cache model's predicted steps with the steps a real build reported.

Why a module of its own: the two builders number steps differently, and the comparison is
only as good as the pairing. What the engine shows (measured on Docker 20.10):

* the classic builder numbers every instruction of the file in order (``Step k/n``), global
  ``ARG`` lines included, and then runs one ``LABEL`` step per project label that the runner
  added; ``ENV``, ``CMD`` and the like are steps with a cache lookup of their own;
* BuildKit numbers per stage (``[builder 2/4]``; one stage: no name; an unnamed stage of a
  multi-stage file: ``stage-N``) and shows only the steps that make a layer: ``FROM image``,
  ``RUN``, ``COPY``, ``ADD``, ``WORKDIR``. ``ENV``, ``ARG``, ``CMD``... and ``FROM stage``
  have no vertex, so there is nothing of the engine's to compare them with.

So the classic pairing walks the reported steps in number order and takes, for each, the
next predicted step of the same keyword. BuildKit's names cannot always be trusted (a step
shared with a concurrent build carries that build's name), so its steps are paired by their
text first (:func:`_pair_buildkit`). A reported step that finds no partner means the pairing
itself failed, which :func:`align` reports instead of guessing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from checker.build.labels import PROJECT_LABEL
from checker.build.records import BuildResult, StepRecord
from checker.cache import CACHED, REBUILT, SKIPPED, Prediction, StepPrediction
from checker.dockerfile.model import Dockerfile

# What the engine did with a step, as the report shows it.
ENGINE_CACHED = "cached"
ENGINE_RAN = "ran"
ENGINE_BASE = "base"
_CONTINUATION = re.compile(
    r"\\[ \t]*\r?\n"
)  # a FROM: the base image or stage is taken, neither cached nor run


@dataclass(frozen=True)
class StepCheck:
    """One step: what the model predicted for the second build and what the engine did.

    ``actual`` is None where the engine reported nothing to compare with (a global ``ARG``;
    BuildKit's metadata-only steps; a stage it skipped). ``agrees`` is None where there is
    nothing to compare (no ``actual``, or a ``FROM``).
    """

    number: int
    line: int
    instruction: str
    stage: str | None
    predicted: str
    reason: str
    actual: str | None
    agrees: bool | None
    # What the step printed in the build (a RUN's output), for proofs that need more than
    # cached/ran: whether a rerun `pip install .` installed dependencies or only the project.
    output: tuple[str, ...] = field(default=(), compare=False, repr=False)

    @property
    def mismatch(self) -> bool:
        return self.agrees is False

    def to_dict(self) -> dict[str, object]:
        return {
            "number": self.number,
            "line": self.line,
            "instruction": self.instruction,
            "stage": self.stage,
            "predicted": self.predicted,
            "reason": self.reason,
            "actual": self.actual,
            "agrees": self.agrees,
        }


class AlignmentError(RuntimeError):
    """The reported steps could not be paired with the Dockerfile's (a checker bug)."""


def buildkit_stage_name(dockerfile: Dockerfile, index: int) -> str | None:
    """The stage name BuildKit prints in ``[name n/m]``: none for a one-stage file."""
    if len(dockerfile.stages) == 1:
        return None
    name = dockerfile.stages[index].name
    return name if name else f"stage-{index}"


def _learner_records(result: BuildResult) -> list[StepRecord]:
    """The learner's steps: without the ``LABEL`` steps the classic runner appended.

    ``added_by_runner`` is only set when a build finished; a failed build's records are
    filtered by the label's name as well.
    """
    return [
        record
        for record in result.steps
        if not record.added_by_runner
        and not (record.keyword == "LABEL" and PROJECT_LABEL in record.instruction)
    ]


def _outcome(record: StepRecord) -> str | None:
    outcome = record.outcome
    if outcome == "base":
        return ENGINE_BASE
    if outcome == "cached":
        return ENGINE_CACHED
    if outcome == "ran":
        return ENGINE_RAN
    return None  # failed or unfinished: not a finished second build


def _pair(
    records: list[StepRecord], predicted: list[StepPrediction], where: str
) -> dict[int, StepRecord]:
    """Pair records (in number order) with predicted steps of the same keyword, in order."""
    paired: dict[int, StepRecord] = {}
    cursor = 0
    for record in sorted(records, key=lambda item: item.number):
        while cursor < len(predicted) and predicted[cursor].instruction.keyword != record.keyword:
            cursor += 1
        if cursor == len(predicted):
            raise AlignmentError(
                f"the engine reported step {record.label} `{record.instruction}` {where}, "
                "which matches no remaining instruction of the Dockerfile"
            )
        paired[predicted[cursor].number] = record
        cursor += 1
    return paired


def align(dockerfile: Dockerfile, prediction: Prediction, result: BuildResult) -> list[StepCheck]:
    """Each predicted step with what the engine did with it in ``result``."""
    records = _learner_records(result)
    steps = list(prediction.steps)
    if result.builder == "classic":
        paired = _pair(records, steps, "in the classic build")
    else:
        paired = _pair_buildkit(dockerfile, records, steps)
    return [_check(dockerfile, step, paired.get(step.number)) for step in steps]


def _normal(text: str) -> str:
    """An instruction's text with continuations joined and whitespace collapsed."""
    return " ".join(_CONTINUATION.sub(" ", text).split())


def _pair_buildkit(
    dockerfile: Dockerfile, records: list[StepRecord], steps: list[StepPrediction]
) -> dict[int, StepRecord]:
    """BuildKit's steps, paired by their text first, then by stage and keyword order.

    BuildKit shares identical steps between builds that run at the same time on one engine,
    and a shared step is shown under the name the *other* build gave it (its stage name and
    step number): a single-stage build can report ``[builder 1/5] FROM ...``. The text of a
    shared step is the same, so an instruction whose text occurs once is paired by text.
    ``FROM`` steps are not paired (their text is the resolved image name, and a FROM is never
    compared). What is left (variables BuildKit expanded, repeated texts) is paired by stage
    name and keyword order, as the engine numbered it.
    """
    candidates = [
        step for step in steps if step.instruction.stage >= 0 and step.instruction.keyword != "FROM"
    ]
    paired: dict[int, StepRecord] = {}
    deferred: list[StepRecord] = []
    for record in records:
        if record.keyword == "FROM":
            continue
        text = _normal(record.instruction)
        same = [
            step
            for step in candidates
            if step.number not in paired and _normal(step.instruction.original) == text
        ]
        if len(same) > 1:
            same = [
                step
                for step in same
                if buildkit_stage_name(dockerfile, step.instruction.stage) == record.stage
            ]
        if len(same) == 1:
            paired[same[0].number] = record
        else:
            deferred.append(record)
    by_stage: dict[str | None, list[StepRecord]] = {}
    for record in deferred:
        by_stage.setdefault(record.stage, []).append(record)
    for stage in dockerfile.stages:
        name = buildkit_stage_name(dockerfile, stage.index)
        left = [
            step
            for step in candidates
            if step.instruction.stage == stage.index and step.number not in paired
        ]
        paired.update(_pair(by_stage.pop(name, []), left, f"in stage {name or 0}"))
    if any(by_stage.values()):
        stray = next(record for group in by_stage.values() for record in group)
        raise AlignmentError(
            f"the engine reported step {stray.label} `{stray.instruction}` in a stage "
            "the Dockerfile does not have"
        )
    return paired


def _check(dockerfile: Dockerfile, step: StepPrediction, record: StepRecord | None) -> StepCheck:
    instruction = step.instruction
    stage = None
    if instruction.stage >= 0:
        stage = dockerfile.stages[instruction.stage].name or str(instruction.stage)
    # A global ARG makes no layer: the classic builder lists it, with nothing to compare.
    actual = _outcome(record) if record is not None and instruction.stage >= 0 else None
    agrees: bool | None = None
    if actual in (ENGINE_CACHED, ENGINE_RAN) and instruction.keyword != "FROM":
        if step.status == SKIPPED:
            agrees = False  # the model said the builder skips the stage, yet it built it
        else:
            agrees = (step.status == CACHED) == (actual == ENGINE_CACHED)
    elif actual == ENGINE_BASE and step.status == SKIPPED:
        agrees = False
    return StepCheck(
        number=step.number,
        line=instruction.line,
        instruction=" ".join(instruction.original.split()),
        stage=stage,
        predicted=step.status,
        reason=step.reason,
        actual=actual,
        agrees=agrees,
        output=tuple(record.output) if record is not None else (),
    )


def describe_mismatch(check: StepCheck) -> str:
    """One sentence: what the model said and what the engine did."""
    said = {
        CACHED: "would come from the cache",
        REBUILT: "would run again",
        SKIPPED: "would be skipped",
    }.get(check.predicted, check.predicted)
    did = "took it from the cache" if check.actual == ENGINE_CACHED else "ran it"
    if check.actual == ENGINE_BASE:
        did = "built the stage"
    return (
        f"step {check.number} (line {check.line}) `{check.instruction}`: the cache model said "
        f"it {said} ({check.reason}), but the engine {did}"
    )
