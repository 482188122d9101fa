"""LC006: a build argument or environment value that changes often, before the install."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from checker.dockerfile.model import Instruction
from checker.grading.findings import Finding
from checker.rules.analysis import Analysis
from checker.rules.base import Rule, describe

if TYPE_CHECKING:
    from checker.rules.edits import FixPlan

_VOLATILE = re.compile(
    r"^(VERSION|APP_VERSION|RELEASE|REVISION|COMMIT|SHA|DATE|TIMESTAMP|BUILD_NUMBER"
    r"|CACHEBUST|CACHE_BUST|BUILD_[A-Z0-9_]+|GIT_[A-Z0-9_]+|CI_[A-Z0-9_]+"
    r"|[A-Z0-9_]+_(SHA|COMMIT|REVISION|TIMESTAMP|DATE|BUILD_NUMBER))$",
    re.IGNORECASE,
)


MAX_SIMULATED = 16
"""At most this many volatile declarations are simulated (each is one cache prediction)."""


def is_volatile(name: str) -> bool:
    """Names that CI typically sets to a new value on every build."""
    return bool(_VOLATILE.match(name))


def declared_names(instruction: Instruction) -> list[str]:
    """Names an ARG or ENV declares."""
    if instruction.keyword == "ARG":
        return [word.partition("=")[0] for word in instruction.arguments]
    if instruction.keyword == "ENV":
        return list(instruction.arguments[0::2])
    return []


class VolatileBuildValue(Rule):
    """An ``ARG``/``ENV`` that changes on every build sits before the dependency install.

    A build argument in scope is part of the cache key of every ``RUN`` after it: when CI
    passes a new ``--build-arg VERSION=...`` (a commit SHA, a date, a build number), the
    first ``RUN`` after the ``ARG`` misses the cache, used or not, and so does everything
    after it. An ``ENV`` with such a value changes the step itself. Declared before the
    install, either reinstalls the packages on every build. (A global ``ARG`` before
    ``FROM`` is only in scope where a stage declares it again, or in ``FROM`` itself.)

    **Anti-pattern**

    .. code-block:: dockerfile

        ARG GIT_SHA
        COPY requirements.txt .
        RUN pip install -r requirements.txt

    **Best practice**

    .. code-block:: dockerfile

        COPY requirements.txt .
        RUN pip install -r requirements.txt
        ARG GIT_SHA
    """

    id = "LC006"
    name = "volatile-value-before-install"
    severity = "warning"

    def check(self, analysis: Analysis) -> Iterator[Finding]:
        for declaration in volatile_declarations(analysis):
            instruction, name, install = (
                declaration.instruction,
                declaration.name,
                declaration.install,
            )
            plan = plan_volatile_move(analysis, declaration)
            yield self.finding(
                instruction,
                f"{instruction.keyword} {name} on line {instruction.line} comes before the "
                f"install on {describe(install)}. {name} usually gets a new value on every "
                "build, and a new value makes Docker rerun the install and every step after "
                f"it. Declare {name} after the install, where it is needed.",
                plan.lines if plan else f"{install.original}\n{instruction.original}",
                plan=plan,
            )


@dataclass(frozen=True)
class VolatileDeclaration:
    """An ARG/ENV with a volatile name whose new value reruns a dependency install."""

    instruction: Instruction
    name: str
    names: tuple[str, ...]
    install: Instruction  # the first install it reruns
    last_install: Instruction  # the last install of the same stage it reruns


def volatile_declarations(analysis: Analysis) -> list[VolatileDeclaration]:
    """Each volatile ARG/ENV that, given a new value, reruns an install (cache model)."""
    if not analysis.install_steps:
        return []
    candidates = [*analysis.dockerfile.global_args]
    for stage in analysis.dockerfile.stages:
        if stage.index in analysis.built:
            candidates.extend(item for item in stage.instructions if item.keyword in ("ARG", "ENV"))
    found = []
    seen: set[tuple[int, str]] = set()  # one report per name and stage: bounded work
    for instruction in candidates:
        names = [name for name in declared_names(instruction) if is_volatile(name)]
        if not names or (instruction.stage, names[0]) in seen:
            continue
        if len(seen) >= MAX_SIMULATED:
            break
        seen.add((instruction.stage, names[0]))
        if instruction.keyword == "ARG":
            prediction = analysis.predict(changed_args=names)
        else:
            lines = range(instruction.line, instruction.end_line + 1)
            prediction = analysis.predict(edited_lines=lines)
        hit = [
            step.instruction
            for step in analysis.install_steps
            if step.instruction.line > instruction.line
            and analysis.rebuilt(step.instruction, prediction)
        ]
        if hit:
            same_stage = [item for item in hit if item.stage == instruction.stage] or hit
            found.append(
                VolatileDeclaration(instruction, names[0], tuple(names), hit[0], same_stage[-1])
            )
    return found


def plan_volatile_move(analysis: Analysis, declaration: VolatileDeclaration) -> FixPlan | None:
    """Move the declaration to just after the last install it reruns, when nothing in
    between uses it; None for a global ARG or when the install ends the stage."""
    instruction = declaration.instruction
    if instruction.stage < 0 or declaration.last_install.stage != instruction.stage:
        return None
    stage = analysis.dockerfile.stages[instruction.stage].instructions
    position = stage.index(declaration.last_install)
    if position + 1 >= len(stage):
        return None
    between = [
        item for item in stage if instruction.line < item.line <= declaration.last_install.line
    ]
    pattern = re.compile(r"\$\{?(" + "|".join(map(re.escape, declaration.names)) + r")\b")
    if any(pattern.search(item.original) for item in between):
        return None
    from checker.rules.edits import FixPlan, Move  # loaded when a fix is planned

    edits = (Move(instruction, stage[position + 1]),)
    return FixPlan("move", edits, f"{declaration.last_install.original}\n{instruction.original}")
