"""Installs hidden in a script: ``RUN ./install.sh``, ``python tools/pip_install.py``,
``make install``.

A RUN that runs a script from the build context installs whatever the script installs. With
the script's text (a build context was given), the script is read: shell through the same
parser as a RUN, a Makefile target's recipe line by line, a Python script for the pip, uv or
Poetry commands it spells out. Without it, a script whose name says it installs
(``install``, ``deps``, ``requirements``, ``venv``, ``bootstrap``...) is assumed to install
dependencies, and the finding says that this is an assumption.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from checker.dockerfile.model import Instruction
from checker.shell.commands import once_per_grade
from checker.shell.installs import find_installs_in_commands
from checker.shell.record import DependencyInstall
from checker.shell.script import shell_commands
from checker.shell.sources import run_commands

_SHELLS = frozenset(("sh", "bash", "dash", "ash", "zsh", "source", "."))
_PYTHONS = re.compile(r"^python(\d+(\.\d+)*)?$")
_INSTALL_NAMES = re.compile(
    r"install|deps|depend|requirement|bootstrap|venv|pip|packages|provision|setup[-_]env",
    re.IGNORECASE,
)
_MAKE_TARGETS = frozenset(
    ("install", "deps", "dependencies", "requirements", "venv", "setup", "bootstrap", "init",
     "dev", "install-deps", "install-dev", "develop", "env")
)  # fmt: skip
_REQUIREMENT_LITERAL = re.compile(r"""["']([\w./-]*requirements[\w./-]*\.(?:txt|in))["']""")
_PYTHON_INSTALL = re.compile(
    r"""["']?(pip|uv|poetry|pipenv|pdm)["']?\s*,?\s*["']?(install|sync)\b"""
)


@dataclass(frozen=True)
class ScriptRun:
    """A command of a RUN that runs a script or a make target from the image."""

    kind: str  # "shell", "python" or "make"
    script: str  # the script's path as the RUN names it ("Makefile" for make)
    target: str | None  # the make target, or None
    cwd: str | None  # a ``cd`` before it in the RUN


def script_runs(instruction: Instruction) -> list[ScriptRun]:
    """The scripts a RUN runs: ``./x.sh``, ``bash x.sh``, ``python tools/x.py``, ``make T``
    (once per RUN and grade: the fix planner asks per part of a long ``&&`` list)."""
    return list(
        once_per_grade("script_runs", instruction, lambda: tuple(_script_runs(instruction)))
    )


def _script_runs(instruction: Instruction) -> list[ScriptRun]:
    found = []
    for run in run_commands(instruction):
        argv = run.command.argv
        if not argv:
            continue
        name = posixpath.basename(argv[0])
        cwd = run.command.cwd
        if name == "make":
            targets = [word for word in argv[1:] if not word.startswith("-") and "=" not in word]
            found.append(ScriptRun("make", "Makefile", targets[0] if targets else None, cwd))
        elif name in _SHELLS and len(argv) > 1 and not argv[1].startswith("-"):
            found.append(ScriptRun("shell", argv[1], None, cwd))
        elif _PYTHONS.match(name) and len(argv) > 1 and argv[1].endswith(".py"):
            found.append(ScriptRun("python", argv[1], None, cwd))
        elif ("/" in argv[0] and argv[0].endswith((".sh", ".bash"))) or (
            argv[0].startswith("./") and "." not in posixpath.basename(argv[0])
        ):
            found.append(ScriptRun("shell", argv[0], None, cwd))
    return found


def named_like_an_install(script: ScriptRun) -> bool:
    """Without the script's text: does its name (or make target) say it installs?"""
    if script.kind == "make":
        return script.target is None or script.target in _MAKE_TARGETS
    return bool(_INSTALL_NAMES.search(posixpath.basename(script.script)))


def installs_in_script(
    script: ScriptRun,
    text: str,
    env: Mapping[str, str],
    read: Callable[[str], str | None] | None = None,
) -> list[DependencyInstall]:
    """The installs a script's text runs (shell, a Makefile target's recipe, or Python)."""
    if script.kind == "python":
        return _python_installs(script, text)
    if script.kind == "make":
        text = "\n".join(_recipe(text, script.target))
    return list(find_installs_in_commands(shell_commands(text), env))


def _recipe(makefile: str, target: str | None, depth: int = 0) -> list[str]:
    """The recipe lines of a make target (the first target when None), with the recipes of
    the targets it depends on first; ``@`` and ``-`` prefixes dropped."""
    rules: dict[str, tuple[list[str], list[str]]] = {}
    order: list[str] = []
    current: list[str] | None = None
    for line in makefile.splitlines():
        if line.startswith("\t") and current is not None:
            current.append(line.strip().lstrip("@-+").strip())
            continue
        match = re.match(r"^([A-Za-z0-9_.\-/ ]+?)\s*:(?!=)\s*(.*)$", line)
        if match:
            names = match.group(1).split()
            prerequisites = match.group(2).split("#", 1)[0].split()
            current = []
            for name in names:
                rules[name] = (prerequisites, current)
                if not name.startswith("."):
                    order.append(name)
        elif line.strip() and not line.startswith("#"):
            current = None
    name = target or (order[0] if order else None)
    if name is None or name not in rules or depth > 4:
        return []
    prerequisites, lines = rules[name]
    found: list[str] = []
    for prerequisite in prerequisites:
        found.extend(_recipe(makefile, prerequisite, depth + 1))
    return [*found, *(line.replace("$(MAKE)", "make") for line in lines)]


def _python_installs(script: ScriptRun, text: str) -> list[DependencyInstall]:
    """A Python script that spells out ``pip install`` (``subprocess.run([... "pip",
    "install", "-r", "requirements.txt"])``): one install reading the requirement files it
    names."""
    spelled = _PYTHON_INSTALL.search(text)
    if spelled is None:
        return []
    files = tuple(dict.fromkeys(_REQUIREMENT_LITERAL.findall(text)))
    return [
        DependencyInstall(
            tool="script",
            action=f"{spelled.group(1)} {spelled.group(2)}",  # as the code spells it
            argv=("python", script.script),
            reads=files,
            installs_project=False,
            editable=False,
            no_deps=False,
            named_packages=() if files else ("(named in the script)",),
            keeps_download_cache=False,
            command_index=0,
            line=0,
            requirement_files=files,
            cwd=script.cwd,
        )
    ]


def assumed_install(script: ScriptRun) -> DependencyInstall:
    """The stand-in for an install whose script could not be read."""
    return DependencyInstall(
        tool="script",
        action="assumed",
        argv=(script.script,) if script.kind != "make" else ("make", script.target or ""),
        reads=(),
        installs_project=False,
        editable=False,
        no_deps=False,
        named_packages=("(unknown: the script was not read)",),
        keeps_download_cache=False,
        command_index=0,
        line=0,
        cwd=script.cwd,
        # The script is the one input known: it must be in the image before the RUN.
        manifest_files=(script.script,) if script.kind != "make" else ("Makefile",),
    )


def located(installs: list[DependencyInstall], script: ScriptRun) -> list[DependencyInstall]:
    """The script's installs, marked as run through it (``via`` the script)."""
    return [replace(item, tool=item.tool, source=f"script:{script.script}") for item in installs]
