"""Structured fixes: moves, inserts and replacements of parsed instructions, then rendered.

A fix never rewrites the Dockerfile as a string. It names parsed instructions ("move the
RUN on line 5 before the ADD on line 4", "insert ``COPY requirements.txt ./`` before line
4") and :func:`render` applies the edits to the source lines, carrying each instruction's
comment lines along with it, so the learner's own text, comments and spacing survive.
"""

from __future__ import annotations

from dataclasses import dataclass

from checker.dockerfile.model import Dockerfile, Instruction


@dataclass(frozen=True)
class Move:
    """Move ``instruction`` (with the comment lines just above it) before ``before``."""

    instruction: Instruction
    before: Instruction


@dataclass(frozen=True)
class Insert:
    """Insert new Dockerfile ``text`` before ``before``."""

    text: str
    before: Instruction


@dataclass(frozen=True)
class Replace:
    """Replace ``instruction``'s lines with ``text``."""

    instruction: Instruction
    text: str


Edit = Move | Insert | Replace


@dataclass(frozen=True)
class FixPlan:
    """A rule's exact fix: the edits, and the fixed lines a finding shows the learner."""

    kind: str  # move | insert-copy | bind | project | pyproject | extras
    edits: tuple[Edit, ...]
    lines: str


@dataclass(eq=False)  # blocks are compared by identity
class _Block:
    key: object
    lines: list[str]
    before: _Block | None = None  # the neighbours in the rendered order
    after: _Block | None = None


def render(dockerfile: Dockerfile, text: str, edits: list[Edit]) -> str:
    """Apply the edits to the source text and return the new Dockerfile text.

    The blocks form a doubly linked list, so each move or insert costs the same however
    long the file: rendering is linear in the instructions plus the edits."""
    source = text.splitlines()
    blocks, tail = _blocks(dockerfile, source)
    by_key = {id(block.key): block for block in blocks}
    for edit in edits:
        if isinstance(edit, Replace):
            block = by_key[id(edit.instruction)]
            block.lines = [*_leading(block.lines), *edit.text.splitlines()]
    head = _Block(object(), [])  # sentinel before the first block
    previous = head
    for block in blocks:
        previous.after, block.before = block, previous
        previous = block
    for edit in edits:
        if isinstance(edit, Move):
            moving = by_key[id(edit.instruction)]
            target = by_key[id(edit.before)]
            if moving is target:
                raise ValueError(f"cannot move line {edit.instruction.line} before itself")
            _unlink(moving)
            _link_before(moving, target)
        elif isinstance(edit, Insert):
            _link_before(_Block(object(), edit.text.splitlines()), by_key[id(edit.before)])
    lines: list[str] = []
    block = head.after
    while block is not None:
        lines.extend(block.lines)
        block = block.after
    return "\n".join(lines + tail) + "\n"


def _unlink(block: _Block) -> None:
    if block.before is not None:
        block.before.after = block.after
    if block.after is not None:
        block.after.before = block.before
    block.before = block.after = None


def _link_before(block: _Block, target: _Block) -> None:
    previous = target.before
    block.before, block.after = previous, target
    target.before = block
    if previous is not None:
        previous.after = block


def _blocks(dockerfile: Dockerfile, source: list[str]) -> tuple[list[_Block], list[str]]:
    """Split the source into one block per instruction: its comment lines above, then its
    own lines (heredoc bodies included). Blank lines stay with the instruction below."""
    blocks: list[_Block] = []
    position = 0
    for instruction in dockerfile.instructions:
        start = instruction.line - 1
        end = instruction.end_line
        blocks.append(_Block(instruction, source[position:end]))
        position = max(end, start)
    return blocks, source[position:]


def _leading(lines: list[str]) -> list[str]:
    """The comment and blank lines at the top of a block."""
    leading = []
    for line in lines:
        if not _is_comment_or_blank(line):
            break
        leading.append(line)
    return leading


def _is_comment_or_blank(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


def with_flags(instruction: Instruction, flags: list[str], text: str | None = None) -> str:
    """Render an instruction with new flags (``--mount=...``) and optionally new text."""
    body = instruction.text if text is None else text
    words = [instruction.keyword, *flags, body]
    rendered = " ".join(word for word in words if word)
    for heredoc in instruction.heredocs:
        rendered += "\n" + heredoc.content.rstrip("\n") + "\n" + heredoc.name
    return rendered


def flag_text(name: str, value: str | None) -> str:
    return f"--{name}" if value is None else f"--{name}={value}"
