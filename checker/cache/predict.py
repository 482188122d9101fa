"""Predict which steps of a Dockerfile Docker would take from its cache after a change.

This is the heart of the grader: every verdict about "does a code change reinstall the
packages?" is a question put to :func:`predict`, never a pattern check of its own.

The rules modelled are Docker's (BuildKit, the default builder since Docker 23):

* ``FROM image`` is cached (the base image is assumed not to move between the two builds);
  ``FROM stage`` is rebuilt when that stage was.
* ``COPY``/``ADD`` from the build context are keyed on the content and mode of the files
  they copy: a changed file that a source matches, and that ``.dockerignore`` does not
  exclude, is a miss. A changed file that no source matches, or that is ignored, is not.
* ``COPY --from=stage`` (and ``RUN --mount=...,from=stage``) is keyed on the content it
  copies: it misses when a rebuilt step of that stage (or of the stages it is built FROM)
  may have written the copied path. A rebuilt ``RUN`` may write anywhere; a rebuilt
  ``COPY``/``ADD`` writes its destination (resolved against ``WORKDIR``); ``ENV``, ``LABEL``
  and the like write nothing. So a builder stage whose ``COPY . .`` comes after its
  ``pip wheel`` still hands the same ``/wheels`` to the final stage.
* ``RUN`` is keyed on its text and on the build arguments in scope (an ``ARG`` declared in
  the stage before it): a changed value misses at the first ``RUN`` after the declaration,
  used or not, as Docker's reference says. A ``--mount=type=bind`` from the context adds the
  bound files to the key; cache and secret mounts add nothing.
* Any other instruction is keyed on its text (after expanding changed build arguments).
* A miss invalidates every later step of the stage, and every stage built ``FROM`` it or
  copying from it.
* BuildKit builds only the stages the target needs; ``builder="classic"`` builds them all.

Without a context directory the prediction reasons from the COPY patterns alone: ``COPY . .``
matches any file, ``COPY requirements.txt .`` only that path, globs as Go's filepath.Match.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property

from checker.cache.context import (
    GLOB_PREFIX,
    ContextFiles,
    context_sources,
    normalize,
    source_matches,
)
from checker.cache.stages import built_stages, from_references, stage_index, stage_ref
from checker.dockerfile.model import Dockerfile, Instruction, Stage
from checker.dockerfile.variables import environment_at
from checker.shell.mounts import bind_sources as context_bind_sources
from checker.shell.mounts import mounts
from checker.shell.writes import run_writes

CACHED = "cached"
REBUILT = "rebuilt"
SKIPPED = "skipped"

_VARIABLE = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")


# --------------------------------------------------------------------------------------
# The prediction


@dataclass(frozen=True)
class StepPrediction:
    """One step's fate in the next build."""

    number: int  # 1-based, in file order
    instruction: Instruction
    status: str  # CACHED | REBUILT | SKIPPED
    reason: str

    @property
    def rebuilt(self) -> bool:
        return self.status == REBUILT


@dataclass(frozen=True)
class Prediction:
    """The whole build's predicted steps, with lookups by instruction."""

    steps: tuple[StepPrediction, ...]

    @cached_property
    def _by_index(self) -> dict[int, StepPrediction]:
        return {step.instruction.index: step for step in self.steps}

    def for_instruction(self, instruction: Instruction) -> StepPrediction | None:
        found = self._by_index.get(instruction.index)
        if found is not None and found.instruction is instruction:
            return found
        for step in self.steps:  # equal but not identical (a re-parsed model)
            if step.instruction == instruction:
                return step
        return None

    def status_of(self, instruction: Instruction) -> str:
        step = self.for_instruction(instruction)
        return step.status if step else SKIPPED

    def __str__(self) -> str:
        return format_table(self)

    def _repr_html_(self) -> str:
        """The step table for notebooks: inline CSS, no script, deterministic."""
        import html  # only notebooks ask: `grade` from a terminal starts without it

        colours = {CACHED: "#e6f4ea", REBUILT: "#fdecea", SKIPPED: "#f1f3f4"}
        rows = [
            "<table style='border-collapse:collapse;font-family:monospace;font-size:13px'>"
            "<tr><th style='text-align:left;padding:2px 8px'>step</th>"
            "<th style='text-align:left;padding:2px 8px'>line</th>"
            "<th style='text-align:left;padding:2px 8px'>instruction</th>"
            "<th style='text-align:left;padding:2px 8px'>status</th>"
            "<th style='text-align:left;padding:2px 8px'>why</th></tr>"
        ]
        for step in self.steps:
            text = html.escape(" ".join(step.instruction.original.split("\n", 1)[0].split()))
            rows.append(
                f"<tr style='background:{colours.get(step.status, '#fff')}'>"
                f"<td style='padding:2px 8px'>{step.number}</td>"
                f"<td style='padding:2px 8px'>{step.instruction.line}</td>"
                f"<td style='padding:2px 8px'>{text}</td>"
                f"<td style='padding:2px 8px'>{step.status}</td>"
                f"<td style='padding:2px 8px'>{html.escape(step.reason)}</td></tr>"
            )
        rows.append("</table>")
        return "".join(rows)


def _mentions(text: str, names: Iterable[str]) -> str | None:
    wanted = set(names)
    if not wanted or "$" not in text:
        return None
    for match in _VARIABLE.finditer(text):
        if match.group(1) in wanted:
            return match.group(1)
    return None


def _declared_args(instruction: Instruction) -> list[str]:
    names = []
    for word in instruction.arguments:
        name = word.partition("=")[0].strip()
        if name:
            names.append(name)
    return names


Row = tuple[Instruction, str, str]
"""A step before it is numbered: the instruction, its status and the reason."""

_NOT_NEEDED = "BuildKit skips it: the target does not need this stage"


def predict(
    dockerfile: Dockerfile,
    changed: Iterable[str] = (),
    context: ContextFiles | None = None,
    *,
    changed_args: Iterable[str] = (),
    edited_lines: Iterable[int] = (),
    builder: str = "buildkit",
    target: str | None = None,
) -> Prediction:
    """Predict, step by step, what the next build takes from the cache.

    ``changed``: context-relative files whose content or mode changed since the last build.
    ``changed_args``: build arguments given a new value (``--build-arg NAME=...``).
    ``edited_lines``: Dockerfile lines whose text was edited.

    Global ARGs make no layer; a stage the builder does not build is skipped; the others
    are walked in file order by :class:`_Build`, which keys each step and carries a miss on.
    """
    changes = _Changes.of(context or ContextFiles(), changed, changed_args, edited_lines)
    built = built_stages(dockerfile, builder, target)
    build = _Build(dockerfile, changes)
    rows: list[Row] = [
        (instruction, CACHED, "global build argument (no layer)")
        for instruction in dockerfile.global_args
    ]
    for stage, from_line in _stages_with_from(dockerfile):
        if stage.index in built:
            rows.extend(build.stage(stage, from_line))
        else:
            steps = stage.instructions if from_line is None else (from_line, *stage.instructions)
            rows.extend((instruction, SKIPPED, _NOT_NEEDED) for instruction in steps)
    return Prediction(
        tuple(StepPrediction(number, *row) for number, row in enumerate(rows, start=1))
    )


def _stages_with_from(dockerfile: Dockerfile) -> Iterator[tuple[Stage, Instruction | None]]:
    """Each stage with the FROM instruction that opens it."""
    from_lines = {
        instruction.line: instruction
        for instruction in dockerfile.instructions
        if instruction.keyword == "FROM"
    }
    for stage in dockerfile.stages:
        yield stage, from_lines.get(stage.line)


@dataclass(frozen=True)
class _Changes:
    """What changed since the last build, as the steps' cache keys see it."""

    visible: tuple[str, ...]  # changed context files that .dockerignore lets through
    ignored: tuple[str, ...]  # changed context files that .dockerignore keeps out
    args: frozenset[str]  # build arguments given a new value
    edited: frozenset[int]  # Dockerfile lines whose text was edited

    @classmethod
    def of(
        cls,
        context: ContextFiles,
        changed: Iterable[str],
        changed_args: Iterable[str],
        edited_lines: Iterable[int],
    ) -> _Changes:
        paths = [normalize(path) for path in changed]
        return cls(
            tuple(path for path in paths if not context.is_ignored(path)),
            tuple(path for path in paths if context.is_ignored(path)),
            frozenset(changed_args),
            frozenset(edited_lines),
        )

    def edits(self, instruction: Instruction) -> bool:
        """Was any line of ``instruction`` edited?"""
        return any(
            line in self.edited for line in range(instruction.line, instruction.end_line + 1)
        )


@dataclass
class _ArgScope:
    """The build arguments a stage has declared so far."""

    declared: set[str] = field(default_factory=set)
    changed: set[str] = field(default_factory=set)  # declared and given a new value

    def declare(self, instruction: Instruction, changed_args: frozenset[str]) -> None:
        if instruction.keyword != "ARG":
            return
        for name in _declared_args(instruction):
            self.declared.add(name)
            if name in changed_args:
                self.changed.add(name)


class _Build:
    """Walks the built stages in file order, keying each step whose parent was cached.

    A miss breaks the stage's chain: every later step of the stage is rebuilt. For each
    rebuilt stage it keeps the paths its rebuilt steps wrote (None: anywhere, as a RUN may
    write anything), because ``COPY --from`` is keyed on the content it copies and misses
    only when a rebuilt step may have written the copied path.
    """

    def __init__(self, dockerfile: Dockerfile, changes: _Changes) -> None:
        self.dockerfile = dockerfile
        self.changes = changes
        self.tracked = _copied_from_stages(dockerfile)  # stages whose writes matter
        self.writes: dict[int, list[Write]] = {}  # rebuilt stage -> what it wrote
        self.global_changed = {
            name
            for instruction in dockerfile.global_args
            for name in _declared_args(instruction)
            if name in changes.args
        }

    def stage(self, stage: Stage, from_line: Instruction | None) -> list[Row]:
        """The rows of one built stage; records its writes when it was rebuilt."""
        rows: list[Row] = []
        written: list[Write] = []
        broken: str | None = None  # why the chain is already broken
        if from_line is not None:
            row, broken = self._from_step(stage, from_line, written)
            rows.append(row)
        scope = _ArgScope()
        tracked = stage.index in self.tracked
        for instruction in stage.instructions:
            if broken is not None:
                rows.append((instruction, REBUILT, f"after {broken}"))
                if tracked:
                    written.extend(self._writes(instruction, (), own_miss=False))
                continue
            status, reason = self._key(instruction, scope)
            scope.declare(instruction, self.changes.args)
            rows.append((instruction, status, reason))
            if status == REBUILT:
                broken = f"line {instruction.line} ({instruction.keyword}), which was rebuilt"
                if tracked:
                    written.extend(self._writes(instruction, self.changes.visible, own_miss=True))
        if broken is not None:
            self.writes[stage.index] = written
        return rows

    def _writes(
        self, instruction: Instruction, changed: Iterable[str], own_miss: bool
    ) -> list[Write]:
        # A WORKDIR writes nothing, so the directory it runs in is the one before it.
        workdir = self.dockerfile.workdir_before(instruction)
        return _step_writes(self.dockerfile, instruction, workdir, changed, own_miss)

    def _from_step(
        self, stage: Stage, from_line: Instruction, written: list[Write]
    ) -> tuple[Row, str | None]:
        """The FROM step's row and, when it missed, why the chain is broken."""
        parent = self.dockerfile.parent_of(stage.index)
        rebuilt = f"line {from_line.line} (FROM), which was rebuilt"
        if from_line.line in self.changes.edited:
            written.append((None, from_line))
            edited = f"line {from_line.line} (FROM), which was edited"
            return (from_line, REBUILT, "its text was edited"), edited
        if parent is not None and parent in self.writes:
            written.extend(self.writes[parent])
            name = self.dockerfile.stages[parent].name or str(parent)
            return (from_line, REBUILT, f"it builds on stage '{name}', which was rebuilt"), rebuilt
        arg = _mentions(stage.base, self.global_changed)
        if arg:
            written.append((None, from_line))
            return (from_line, REBUILT, f"build arg {arg} in FROM changed"), rebuilt
        if parent is not None:
            name = self.dockerfile.stages[parent].name or str(parent)
            return (from_line, CACHED, f"stage '{name}' is unchanged"), None
        return (from_line, CACHED, f"base image {stage.base} (assumed unchanged)"), None

    def _key(self, instruction: Instruction, scope: _ArgScope) -> tuple[str, str]:
        """(status, reason) for one step whose parent step was cached: its text, the build
        args in scope, the stages it copies from, then the context files it reads."""
        return (
            self._text_key(instruction, scope)
            or self._stage_key(instruction)
            or _context_key(instruction, self.changes)
        )

    def _text_key(self, instruction: Instruction, scope: _ArgScope) -> tuple[str, str] | None:
        """A miss from the instruction's own text or the build arguments it sees."""
        if self.changes.edits(instruction):
            return REBUILT, "its text was edited"
        if instruction.keyword == "RUN" and scope.changed:
            names = ", ".join(sorted(scope.changed))
            return REBUILT, f"build arg {names} changed and is in scope for RUN"
        in_scope = self.changes.args & scope.declared
        mentioned = _mentions(instruction.text or instruction.original, in_scope)
        if mentioned:
            return REBUILT, f"it uses build arg {mentioned}, which changed"
        return None

    def _stage_key(self, instruction: Instruction) -> tuple[str, str] | None:
        """A miss from a rebuilt stage that COPY --from or a mount reads from."""
        for reference, paths in _from_references_with_paths(instruction):
            found = stage_ref(self.dockerfile, reference, instruction.stage)
            if found is None or found not in self.writes:
                continue
            write = _overlapping_write(self.writes[found], paths)
            if write is None:
                continue
            name = self.dockerfile.stages[found].name or str(found)
            path, step = write
            what = f"line {step.line} ({step.keyword})"
            if path is None:
                return REBUILT, (
                    f"it copies {paths[0]} from stage '{name}', where {what} was rebuilt and "
                    "may have written anywhere (assumed: a script or program whose writes "
                    "are not known)"
                )
            return REBUILT, f"it copies {paths[0]} from stage '{name}', where {what} rewrote {path}"
        return None


def _context_key(instruction: Instruction, changes: _Changes) -> tuple[str, str]:
    """(status, reason) from the context files the step copies or bind-mounts."""
    sources = context_sources(instruction)
    reads = sources if sources is not None else context_bind_sources(instruction)
    if reads:
        for path in changes.visible:
            for source in reads:
                if source_matches(source, path):
                    how = "bind mount" if sources is None else "source"
                    return REBUILT, f"{path} changed and the {how} '{source}' includes it"
        skipped = [
            path
            for path in changes.ignored
            if any(source_matches(source, path) for source in reads)
        ]
        if skipped:
            return CACHED, f"{skipped[0]} changed but .dockerignore excludes it"
        return CACHED, "none of its context files changed"
    if instruction.keyword == "RUN":
        return CACHED, "same command text and build args"
    return CACHED, "same instruction text"


def _copied_from_stages(dockerfile: Dockerfile) -> frozenset[int]:
    """Stages something copies or mounts from, and the stages they are built FROM: only
    their rebuilt steps' writes matter (working them out for other stages is wasted)."""
    found: set[int] = set()
    for instruction in dockerfile.instructions:
        for reference in from_references(instruction):
            index = stage_index(dockerfile, reference)
            if index is not None:
                found.add(index)
    pending = list(found)
    while pending:
        parent = stage_index(dockerfile, dockerfile.stages[pending.pop()].base)
        if parent is not None and parent not in found:
            found.add(parent)
            pending.append(parent)
    return frozenset(found)


Write = tuple[str | None, Instruction]
"""A path a rebuilt step may have changed (None: anywhere), and the step."""


def _step_writes(
    dockerfile: Dockerfile,
    instruction: Instruction,
    workdir: str,
    changed: Iterable[str],
    own_miss: bool = False,
) -> list[Write]:
    """Where a rebuilt step changes the stage's files.

    A COPY/ADD rebuilt only because an earlier step was copies the same content again, so it
    changes nothing; one whose own sources changed writes the destinations of the changed
    files. A RUN writes what :func:`checker.shell.writes.run_writes` says (anywhere for a
    script or a program we do not know). Metadata steps write nothing."""
    keyword = instruction.keyword
    if keyword == "RUN":
        env = environment_at(dockerfile, instruction)
        return [(path, instruction) for path in run_writes(instruction, workdir, env)]
    if keyword not in ("COPY", "ADD") or not own_miss or not instruction.arguments:
        return []
    destination = posixpath.normpath(posixpath.join(workdir, instruction.resolved_arguments[-1]))
    sources = context_sources(instruction)
    if sources is None:
        return [(destination, instruction)]
    several = len(sources) > 1 or instruction.resolved_arguments[-1].endswith("/")
    found = [
        (_destination(source, path, destination, several), instruction)
        for path in changed
        for source in sources
        if source_matches(source, path)
    ]
    return found or [(destination, instruction)]


def _destination(source: str, path: str, destination: str, into_folder: bool) -> str:
    """Where COPY puts the context file ``path`` that its ``source`` matched."""
    pattern, target = normalize(source), normalize(path)
    if not pattern:
        return posixpath.join(destination, target)
    if target == pattern:
        return (
            posixpath.join(destination, posixpath.basename(target)) if into_folder else destination
        )
    if target.startswith(pattern + "/"):
        return posixpath.join(destination, target[len(pattern) + 1 :])
    return posixpath.join(destination, posixpath.basename(target))


def _from_references_with_paths(instruction: Instruction) -> list[tuple[str, list[str]]]:
    """(stage reference, absolute source paths) for COPY --from and RUN --mount from=."""
    found = []
    if instruction.keyword in ("COPY", "ADD"):
        source = instruction.flag("from")
        if source:
            paths = [posixpath.join("/", path) for path in instruction.resolved_arguments[:-1]]
            found.append((source, paths or ["/"]))
    for mount in mounts(instruction):
        if mount.from_:
            found.append((mount.from_, [posixpath.join("/", mount.source or "/")]))
    return found


def _overlapping_write(written: list[Write], paths: list[str]) -> Write | None:
    """The first write that may have changed one of ``paths``, or None."""
    for write in written:
        target = write[0]
        if target is None:
            return write
        for path in paths:
            fixed = GLOB_PREFIX.split(path, 1)[0]
            one, other = normalize(target), normalize(fixed)
            if not one or not other or one == other:
                return write
            if one.startswith(other + "/") or other.startswith(one + "/"):
                return write
            if fixed != path and one.startswith(other):
                return write
    return None


def format_table(prediction: Prediction, width: int = 48) -> str:
    """The step table ``explain`` prints: step, line, instruction, status, why."""
    rows = [("step", "line", "instruction", "status", "why")]
    for step in prediction.steps:
        text = " ".join(step.instruction.original.split())
        if len(text) > width:
            text = text[: width - 3] + "..."
        rows.append((str(step.number), str(step.instruction.line), text, step.status, step.reason))
    widths = [max(len(row[column]) for row in rows) for column in range(4)]
    lines = []
    for row in rows:
        cells = [row[column].ljust(widths[column]) for column in range(4)]
        lines.append("  ".join([*cells, row[4]]).rstrip())
    return "\n".join(lines)
