"""The parsed shape of a Dockerfile, shared by the cache model, the rules and the reports.

Every later stage of the checker reads these frozen records and never the raw text again,
so a quirk of Dockerfile syntax (continuations, heredocs, the escape directive) is handled
once, in the parser, and tested there against Docker's own parser.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from functools import cached_property


@dataclass(frozen=True)
class Flag:
    """An instruction flag such as ``--from=builder`` (name ``from``, value ``builder``)."""

    name: str
    value: str | None


@dataclass(frozen=True)
class Heredoc:
    """A here-document attached to an instruction (``RUN <<EOF`` ... ``EOF``)."""

    name: str
    content: str
    strip_tabs: bool = False  # ``<<-EOF``
    expand: bool = True  # False when the delimiter is quoted (``<<'EOF'``)
    # Added by the parser: the descriptor the body feeds (``3<<EOF``); 0 means stdin. The
    # content keeps each line's ending as written and, for ``<<-``, its leading tabs, as
    # Docker's parser does (strip_tabs tells a consumer to drop them).
    file_descriptor: int = 0


@dataclass(frozen=True)
class Instruction:
    """One Dockerfile instruction with its source position (1-based, inclusive lines)."""

    keyword: str  # upper case, as Docker normalises it: "RUN", "COPY", ...
    line: int
    end_line: int
    original: str  # the instruction's text as written, continuations included
    flags: tuple[Flag, ...] = ()
    arguments: tuple[str, ...] = ()  # JSON form: the array items; shell form: split words
    json_form: bool = False
    # The argument text after the flags with continuations joined and comments inside
    # continuations dropped: what a shell would run for RUN/CMD/ENTRYPOINT in shell form.
    text: str = ""
    heredocs: tuple[Heredoc, ...] = ()
    stage: int = -1  # index into Dockerfile.stages; -1 for ARGs before the first FROM
    trigger: Instruction | None = None  # for ONBUILD: the instruction it registers
    # Added by the parser: (offset in ``text``, source line) where each continuation line's
    # part of ``text`` begins, so a position in the joined text maps back to its line.
    text_lines: tuple[tuple[int, int], ...] = ()
    # Added by the parser for COPY/ADD/WORKDIR that name a variable: the arguments as Docker
    # expands them at build time, with the ENV/ARG values in effect (see variables.py).
    expanded: tuple[str, ...] | None = field(default=None, compare=False, repr=False)
    # Added by the parser: the position in ``Dockerfile.instructions``, the key of the maps
    # that hold what is worked out per step. -1 for one that is not in a file's list (an
    # ONBUILD's trigger, one made by hand).
    index: int = field(default=-1, compare=False)

    @property
    def resolved_arguments(self) -> tuple[str, ...]:
        """The arguments with ``$VAR``/``${VAR:-x}`` expanded as Docker does at build time."""
        return self.arguments if self.expanded is None else self.expanded

    def line_at(self, offset: int) -> int:
        """The source line holding character ``offset`` of ``text``."""
        line = self.line
        for start, source_line in self.text_lines:
            if offset < start:
                break
            line = source_line
        return line

    def flag(self, name: str) -> str | None:
        """The value of the last ``--name`` flag, or None when absent."""
        for item in reversed(self.flags):
            if item.name == name:
                return item.value
        return None

    def flags_named(self, name: str) -> tuple[str | None, ...]:
        """Every value of a repeatable flag (``--mount`` may appear several times)."""
        return tuple(item.value for item in self.flags if item.name == name)


@dataclass(frozen=True)
class Stage:
    """A build stage: one FROM and the instructions up to the next FROM."""

    index: int
    base: str  # the image or earlier stage named by FROM, unexpanded
    name: str | None  # the ``AS name`` alias, lower case
    line: int
    instructions: tuple[Instruction, ...] = ()


@dataclass(frozen=True)
class Dockerfile:
    """A whole parsed Dockerfile."""

    instructions: tuple[Instruction, ...]  # every instruction in file order
    stages: tuple[Stage, ...]
    global_args: tuple[Instruction, ...] = ()  # ARGs before the first FROM
    directives: dict[str, str] = field(default_factory=dict)  # parser directives: escape, syntax
    escape: str = "\\"
    path: str | None = None
    # Added by the parser: what Docker warns about but accepts, e.g. "line 7: empty
    # continuation line inside the instruction starting on line 5".
    warnings: tuple[str, ...] = ()
    # Added by the parser: (line, message) for what the grader could not evaluate within its
    # bounds, e.g. a variable too large to expand; grading reports each as a finding.
    limits: tuple[tuple[int, str], ...] = ()

    # Indexes derived from the fields on first use (the ENV and USER in force at each step,
    # see variables.py and shell/installs.py), kept with the file so per-step lookups stay
    # linear on a file of thousands of steps or stages. Not part of equality.
    memo: dict[str, object] = field(default_factory=dict, init=False, compare=False, repr=False)

    def stage_named(self, name_or_index: str) -> Stage | None:
        """Resolve ``--from=`` / ``FROM`` references to an earlier stage, by alias or number."""
        index = self._stage_indexes.get(name_or_index.lower())
        return None if index is None else self.stages[index]

    def workdir_before(self, instruction: Instruction) -> str:
        """The working directory ``instruction`` runs in: the WORKDIRs before it in its stage
        and the stages it is built FROM, joined (``/`` by default), as written (not
        normalised). Worked out for every instruction at once on first use, so callers on a
        file of thousands of steps stay linear."""
        workdirs = self.memo.get("workdirs")
        if workdirs is None:
            workdirs = self.memo["workdirs"] = self._workdirs()
        return workdirs.get(instruction.index, "/")  # type: ignore[union-attr]

    def _workdirs(self) -> dict[int, str]:
        found: dict[int, str] = {}
        at_end: dict[int, str] = {}
        for stage in self.stages:
            parent = self.parent_of(stage.index)
            workdir = at_end.get(parent, "/") if parent is not None else "/"
            for item in stage.instructions:
                found[item.index] = workdir
                if item.keyword == "WORKDIR" and item.arguments:
                    workdir = posixpath.join(workdir, item.resolved_arguments[0])
            at_end[stage.index] = workdir
        return found

    def parent_of(self, index: int) -> int | None:
        """The earlier stage that stage ``index`` is built ``FROM``; None for an image."""
        parent = self.stage_named(self.stages[index].base)
        return parent.index if parent is not None and parent.index < index else None

    @cached_property
    def _stage_indexes(self) -> dict[str, int]:
        """Alias or number -> stage index; the first stage that answers to a key wins."""
        found: dict[str, int] = {}
        for stage in self.stages:
            if stage.name is not None:
                found.setdefault(stage.name, stage.index)
            found.setdefault(str(stage.index), stage.index)
        return found


class DockerfileSyntaxError(ValueError):
    """The text cannot be read as a Dockerfile; carries the line so a learner can fix it."""

    def __init__(self, message: str, line: int | None = None, fix: str | None = None) -> None:
        self.message = message
        self.line = line
        self.fix = fix
        where = f"line {line}: " if line is not None else ""
        hint = f" ({fix})" if fix else ""
        super().__init__(f"{where}{message}{hint}")
