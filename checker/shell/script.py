"""Walk a shell script into the commands it runs, with the state that reaches each one.

Besides unwrapping (``sh -c``, ``env``, ``sudo``), the walk follows the two pieces of
state that decide what an install reads and whether it caches: the working directory
(``cd app && poetry install``) and exported variables (``export PIP_NO_CACHE_DIR=1``).
Control flow is ignored: every command is listed once, in source order, as if each ran.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from functools import lru_cache

from checker.shell.commands import (
    CACHED_TEXTS,
    RawCommand,
    bashlex_commands,
    compound_allowed,
    raw_commands,
)
from checker.shell.wrappers import is_assignment, program, unwrap

_MAX_DEPTH = 4  # sh -c 'sh -c "..."' nests; deeper is treated as an opaque command


@dataclass(frozen=True)
class ShellCommand:
    """One command a script runs, after unwrapping, with the state in force for it."""

    argv: tuple[str, ...]
    index: int  # position among all commands of the script (nested ``sh -c`` flattened)
    line_offset: int  # 0-based line of the command within the script text
    env: tuple[tuple[str, str], ...] = ()  # exports and prefixes in force, in order set
    cwd: str | None = None  # the directory of the last ``cd`` before it, if any
    via: tuple[str, ...] = ()  # wrappers removed: "sudo", "env", "sh -c", ...
    offset: int = 0  # character offset in the top-level script (of the ``sh -c`` if nested)

    @property
    def program(self) -> str:
        """argv[0] without its directory: ``/opt/venv/bin/pip`` -> ``pip``."""
        return program(self.argv[0]) if self.argv else ""

    def getenv(self, name: str) -> str | None:
        """The last value the script gave ``name`` before this command, or None."""
        for key, value in reversed(self.env):
            if key == name:
                return value
        return None


def commands(text: str) -> list[tuple[str, ...]]:
    """The argv of every simple command in a shell script, wrappers removed, in order."""
    return [command.argv for command in shell_commands(text)]


def shell_commands(text: str) -> tuple[ShellCommand, ...]:
    """Every command of a shell script with its index, line, environment and directory
    (compound shell past the grade's budget split crudely: see ``commands``)."""
    return _shell_commands_cached(text, compound_allowed(text))


def argv_commands(argv: tuple[str, ...]) -> tuple[ShellCommand, ...]:
    """The commands an exec-form argv runs: itself, or the script of ``sh -c``."""
    walker = _Walker(compound_allowed("\0".join(argv)))
    walker.add(tuple(argv), 0, 0, (), 0)
    return tuple(walker.found)


def heredoc_shell_commands(
    text: str, bodies: tuple[tuple[str, str], ...]
) -> tuple[ShellCommand, ...]:
    """Commands of shell text that opens heredocs, given (terminator, body) of each.

    Docker hands the shell the text followed by every body and its terminator, so a body is
    data for its command (``cat <<EOF > file``), not commands. bashlex reads that script;
    when it cannot, the text alone is split (bodies are then ignored, never run).
    """
    script = text + "\n"
    for name, body in bodies:
        body = body.replace("\r\n", "\n")
        script += body + ("\n" if body and not body.endswith("\n") else "") + name + "\n"
    return _heredoc_shell_commands_cached(text, script, compound_allowed(script))


@lru_cache(maxsize=1024)
def _heredoc_shell_commands_cached(
    text: str, script: str, compound: bool
) -> tuple[ShellCommand, ...]:
    raw = bashlex_commands(script, compound)
    if raw is None:
        return _shell_commands_cached(text, compound)
    walker = _Walker(compound)
    walker.script(script, 0, None, (), 0, raw)
    return tuple(walker.found)


@lru_cache(maxsize=CACHED_TEXTS)
def _shell_commands_cached(text: str, compound: bool) -> tuple[ShellCommand, ...]:
    walker = _Walker(compound)
    walker.script(text, 0, None, (), 0)
    return tuple(walker.found)


class _Walker:
    """Accumulates ShellCommands; env and cwd flow forward through one script."""

    def __init__(self, compound: bool = True) -> None:
        self.compound = compound  # nested ``sh -c`` scripts are read as their parent is
        self.found: list[ShellCommand] = []
        self.env: list[tuple[str, str]] = []  # exported: what child processes see
        self.variables: dict[str, str] = {}  # set without export: the shell's own
        self.cwd: str | None = None

    def script(
        self,
        text: str,
        line_offset: int,
        offset: int | None,
        via: tuple[str, ...],
        depth: int,
        parsed: tuple[RawCommand, ...] | None = None,
    ) -> None:
        """Add the commands of ``text``; nested scripts pass the offset of their ``sh -c``."""
        counted, newlines = 0, 0
        for raw in raw_commands(text, self.compound) if parsed is None else parsed:
            if raw.offset > counted:  # offsets only grow: count each newline once
                newlines += text.count("\n", counted, raw.offset)
                counted = raw.offset
            lines = line_offset + newlines
            self.add(raw.argv, lines, raw.offset if offset is None else offset, via, depth)

    def add(
        self,
        argv: tuple[str, ...],
        line_offset: int,
        offset: int,
        via: tuple[str, ...],
        depth: int,
    ) -> None:
        unwrapped = unwrap(argv)
        if unwrapped.script is not None and depth < _MAX_DEPTH:
            saved_env, saved_cwd = list(self.env), self.cwd
            self.env.extend(unwrapped.env)
            self.script(unwrapped.script, line_offset, offset, via + unwrapped.via, depth + 1)
            self.env, self.cwd = saved_env, saved_cwd  # a child shell changes nothing here
            return
        words = unwrapped.argv if unwrapped.script is None else argv
        if not words:
            # a bare `A=1` sets a shell variable, which programs only see once exported
            self.variables.update(unwrapped.env)
            return
        name = program(words[0])
        if name == "cd" and not unwrapped.via:
            self.cwd = _change_directory(self.cwd, words[1:])
        elif name == "export" and not unwrapped.via:
            self.env.extend(_exports(words[1:], self.variables))
        elif name == "unset":
            names = set(words[1:])
            self.env = [(key, value) for key, value in self.env if key not in names]
        self.found.append(
            ShellCommand(
                argv=words,
                index=len(self.found),
                line_offset=line_offset,
                env=(*self.env, *unwrapped.env),
                cwd=self.cwd,
                via=via + unwrapped.via,
                offset=offset,
            )
        )


def _change_directory(current: str | None, arguments: tuple[str, ...]) -> str | None:
    targets = [word for word in arguments if not word.startswith("-")]
    if not targets:
        return None  # `cd` alone goes home; treat as unknown
    target = targets[0]
    if target.startswith("/") or current is None:
        return posixpath.normpath(target)
    return posixpath.normpath(posixpath.join(current, target))


def _exports(arguments: tuple[str, ...], variables: dict[str, str]) -> list[tuple[str, str]]:
    """``export A=1 B``: A with its value, B with the value the shell gave it earlier."""
    exported = []
    for word in arguments:
        if is_assignment(word):
            name, _, value = word.partition("=")
            exported.append((name, value))
        elif word in variables:
            exported.append((word, variables[word]))
    return exported
