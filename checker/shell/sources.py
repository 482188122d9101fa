"""Find the commands a RUN instruction executes, wherever they are written.

A RUN runs its shell-form text, or its exec-form argv, or, with heredocs, a script body:
``RUN <<EOF`` runs the body with the default shell, ``RUN bash <<EOF`` feeds it to bash.
Each command is located on a source line so a report can point at it.
"""

from __future__ import annotations

from dataclasses import dataclass

from checker.dockerfile.model import Heredoc, Instruction
from checker.shell.commands import once_per_grade
from checker.shell.script import (
    ShellCommand,
    argv_commands,
    heredoc_shell_commands,
    shell_commands,
)
from checker.shell.wrappers import SHELLS, program

_OPERATORS = frozenset(("&&", "||", ";", "|", "&", "|&"))


@dataclass(frozen=True)
class RunCommand:
    """A command of a RUN instruction, located in the Dockerfile."""

    command: ShellCommand
    index: int  # position among all commands of the instruction
    line: int  # 1-based Dockerfile line (best effort inside continuation lines)
    source: str  # "shell" (shell-form text), "exec" (JSON form) or "heredoc"


def run_commands(instruction: Instruction) -> tuple[RunCommand, ...]:
    """Every command a RUN (or an ONBUILD RUN trigger) executes, in source order.

    Within a grade, worked out once per RUN: the rules ask for the same RUN's commands
    once per install they look at."""
    return once_per_grade("run_commands", instruction, lambda: _run_commands(instruction))


def _run_commands(instruction: Instruction) -> tuple[RunCommand, ...]:
    target = instruction.trigger or instruction
    if target.keyword != "RUN":
        return ()
    located: list[tuple[ShellCommand, int, str]] = []
    if target.json_form:
        for command in argv_commands(target.arguments):
            located.append((command, instruction.line, "exec"))
    else:
        scripts = _heredoc_scripts(target)
        if not target.heredocs:
            for command in shell_commands(target.text):
                located.append((command, target.line_at(command.offset), "shell"))
        elif not _only_heredoc_words(target):
            bodies = tuple((doc.name, _body_text(doc)) for doc in target.heredocs)
            for command in heredoc_shell_commands(target.text, bodies):
                located.append((command, target.line_at(command.offset), "shell"))
        for first_line, body in scripts:
            for command in shell_commands(body):
                located.append((command, first_line + command.line_offset, "heredoc"))
    return tuple(
        RunCommand(command, index, line, source)
        for index, (command, line, source) in enumerate(located)
    )


def _only_heredoc_words(instruction: Instruction) -> bool:
    """``RUN <<EOF`` (nothing else on the line): Docker runs the body as the script."""
    names = {f"<<{doc.name}" for doc in instruction.heredocs}
    names |= {f"<<-{doc.name}" for doc in instruction.heredocs}
    words = [word.strip("'\"") for word in instruction.text.split()]
    return all(word.replace("'", "").replace('"', "") in names for word in words)


def _heredoc_scripts(instruction: Instruction) -> list[tuple[int, str]]:
    """(first body line, script text) for each heredoc that a shell will run."""
    if not instruction.heredocs:
        return []
    starts = _body_lines(instruction)
    only = _only_heredoc_words(instruction)
    consumers = _consumers(instruction.text)
    scripts = []
    for doc, start in zip(instruction.heredocs, starts, strict=True):
        body = _body_text(doc)
        if only:
            runs_as_shell = not body.startswith("#!") or _shebang_is_shell(body)
        else:
            runs_as_shell = program(consumers.get(doc.name, "")) in SHELLS
        if runs_as_shell:
            scripts.append((start, body))
    return scripts


def _body_text(doc: Heredoc) -> str:
    text = doc.content.replace("\r\n", "\n")
    if doc.strip_tabs:
        text = "\n".join(line.lstrip("\t") for line in text.split("\n"))
    return text


def _shebang_is_shell(body: str) -> bool:
    first = body.split("\n", 1)[0][2:].split()
    if not first:
        return True
    name = program(first[0])
    if name == "env" and len(first) > 1:
        name = program(first[1])
    return name in SHELLS


def _body_lines(instruction: Instruction) -> list[int]:
    """The Dockerfile line on which each heredoc body starts."""
    sizes = [
        doc.content.count("\n") + (0 if doc.content.endswith("\n") else 1)
        for doc in instruction.heredocs
    ]
    sizes = [
        size if doc.content else 0 for size, doc in zip(sizes, instruction.heredocs, strict=True)
    ]
    total = sum(size + 1 for size in sizes)  # each body plus its terminator line
    line = instruction.end_line - total + 1
    starts = []
    for size in sizes:
        starts.append(line)
        line += size + 1
    return starts


def _consumers(text: str) -> dict[str, str]:
    """For each ``<<NAME`` word, the program that reads the body as its input.

    That is the first word of the command the heredoc belongs to (``<<EOF bash`` and
    ``bash <<EOF`` alike), or, when that command is ``cat`` piped into another
    (``cat <<EOF | sh``), the program it is piped into.
    """
    found: dict[str, str] = {}
    first: str | None = None
    pending: list[str] = []  # heredocs of the current command
    after_pipe: list[str] = []  # heredocs of a `cat` whose output feeds the next command

    def finish() -> None:
        for name in pending:
            found[name] = first or ""

    for word in text.split():
        if word in _OPERATORS:
            finish()
            after_pipe = pending if word in ("|", "|&") and first == "cat" else []
            first, pending = None, []
            continue
        bare = word.lstrip("0123456789")
        if bare.startswith("<<"):
            pending.append(bare[2:].lstrip("-").replace("'", "").replace('"', ""))
            continue
        if first is None:
            first = word
            for name in after_pipe:
                found[name] = word
            after_pipe = []
    finish()
    return found
