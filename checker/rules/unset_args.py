"""Build arguments without a value that a COPY/ADD names: what the grade assumes about them.

``ARG REQS`` with no default, then ``COPY ${REQS} ./``: without ``--build-arg REQS=...``
BuildKit expands the source to nothing and copies the whole context (measured on Engine 26).
The checker cannot know what the build passes, and takes no flag for it, so it decides and
says so. Where the install reads the same variable as its dependency file
(``pip install -r ${REQS}``), the build only works with a value, and that value names the
dependency file: the grade assumes one (``requirements.txt`` or the context's requirement
file) and names the assumption. Elsewhere the variable is taken as empty, as BuildKit does,
and the finding says that a value given at build time may change the grade.
"""

from __future__ import annotations

import dataclasses
import re

from checker.cache import ContextFiles
from checker.dockerfile.model import Dockerfile, Instruction, Stage
from checker.dockerfile.variables import environment_at, expanded_arguments
from checker.shell.installs import installs_in

_VARIABLE = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")
_DEFAULT_FILE = "requirements.txt"

Note = tuple[int, str]


def assume_unset_args(
    dockerfile: Dockerfile, context: ContextFiles | None
) -> tuple[Dockerfile, list[Note]]:
    """The Dockerfile with a value assumed for each argument an install reads as its
    dependency file, and (line, message) notes for every unset argument a COPY/ADD names."""
    if not any(
        item.keyword in ("COPY", "ADD") and "$" in item.text for item in dockerfile.instructions
    ):
        return dockerfile, []
    notes: list[Note] = []
    values: dict[int, dict[str, str]] = {}  # id(ARG instruction) -> name -> assumed value
    for item in dockerfile.instructions:
        if item.keyword not in ("COPY", "ADD") or item.flag("from") or "$" not in item.text:
            continue
        env = environment_at(dockerfile, item)
        names = {
            match.group(1)
            for word in item.arguments[:-1]
            for match in _VARIABLE.finditer(word)
            if match.group(1) not in env
        }
        for name in sorted(names):
            declaration = _declaration(dockerfile, item, name)
            where = (
                f"{name} has no default here (line {declaration.line})"
                if declaration is not None
                else f"{name} is not declared with ARG"
            )
            install = _install_reading(dockerfile, item, name)
            if install is not None and declaration is not None:
                value = _requirement_file(context)
                values.setdefault(id(declaration), {})[name] = value
                notes.append(
                    (
                        item.line,
                        f"{where}: the build needs --build-arg {name}=<file>, since line "
                        f"{install.line} reads it as its dependency file (without one, line "
                        f"{item.line} copies the whole context and the install fails). "
                        f"Assumed: {name} names that file alone (such as {value}), and the "
                        "grade is for that build.",
                    )
                )
            else:
                notes.append(
                    (
                        item.line,
                        f"{where}: the checker takes it as empty, as BuildKit does without "
                        f"--build-arg {name}=..., so line {item.line} copies "
                        f"{_what(item)}. A value given at build time may change the grade.",
                    )
                )
    if not values:
        return dockerfile, notes
    return _with_defaults(dockerfile, values), notes


def _declaration(dockerfile: Dockerfile, item: Instruction, name: str) -> Instruction | None:
    """The ARG that declares ``name`` for ``item`` without a value (its stage, else global)."""
    found = None
    for other in dockerfile.stages[item.stage].instructions:
        if other.line >= item.line:
            break
        if other.keyword == "ARG" and name in other.arguments:
            found = other
    if found is not None:
        for glob in dockerfile.global_args:
            if name in glob.arguments:
                return glob  # a bare stage ARG takes the global one's (missing) value
        return found
    return None


def _install_reading(dockerfile: Dockerfile, item: Instruction, name: str) -> Instruction | None:
    """A later RUN of the stage whose install reads a file named by ``$name``."""
    for other in dockerfile.stages[item.stage].instructions:
        if other.line <= item.line or other.keyword != "RUN":
            continue
        for install in installs_in(dockerfile, other):
            for path in install.manifests:
                if any(match.group(1) == name for match in _VARIABLE.finditer(path)):
                    return other
    return None


def _requirement_file(context: ContextFiles | None) -> str:
    if context is None or context.root is None or context.exists(_DEFAULT_FILE):
        return _DEFAULT_FILE
    found = sorted(
        path
        for path in context.files(2000)
        if "/" not in path and path.endswith(".txt") and "requirement" in path.lower()
    )
    return found[0] if found else _DEFAULT_FILE


def _what(item: Instruction) -> str:
    sources = [word for word in item.resolved_arguments[:-1]]
    if not sources or any(source.strip("./") == "" for source in sources):
        return "the whole context"
    return " ".join(sources)


def _with_defaults(dockerfile: Dockerfile, values: dict[int, dict[str, str]]) -> Dockerfile:
    """``dockerfile`` as if each ARG in ``values`` had the default given there, with the
    COPY/ADD/WORKDIR expansions worked out again."""

    def with_value(item: Instruction) -> Instruction:
        assumed = values.get(id(item))
        if not assumed:
            return item
        words = tuple(
            f"{word}={assumed[word]}" if word in assumed else word for word in item.arguments
        )
        return dataclasses.replace(item, arguments=words)

    global_args = tuple(with_value(item) for item in dockerfile.global_args)
    members = [[with_value(item) for item in stage.instructions] for stage in dockerfile.stages]
    stage_of: dict[str, int] = {}
    for stage in dockerfile.stages:
        if stage.name:
            stage_of.setdefault(stage.name, stage.index)
        stage_of.setdefault(str(stage.index), stage.index)
    expanded = expanded_arguments(
        global_args,
        [(stage.base, items) for stage, items in zip(dockerfile.stages, members, strict=True)],
        stage_of,
        dockerfile.escape,
    )
    members = [
        [
            dataclasses.replace(item, expanded=expanded[item.index])
            if item.index in expanded
            else item
            for item in items
        ]
        for items in members
    ]
    stages = tuple(
        Stage(stage.index, stage.base, stage.name, stage.line, tuple(items))
        for stage, items in zip(dockerfile.stages, members, strict=True)
    )
    by_line = {(item.line, item.keyword): item for items in members for item in items}
    by_line.update({(item.line, item.keyword): item for item in global_args})
    instructions = tuple(
        by_line.get((item.line, item.keyword), item) for item in dockerfile.instructions
    )
    return dataclasses.replace(
        dockerfile, instructions=instructions, stages=stages, global_args=global_args
    )
