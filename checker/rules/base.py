"""The shape every rule shares: an ID, a name, a severity, and a check over the analysis.

A rule's class docstring is its documentation (what it finds, why it costs a reinstall, an
**Anti-pattern** and a **Best practice** block), in the manner of sqlfluff's rules, so the
docs and the check cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, ClassVar

from checker.dockerfile.model import Instruction
from checker.grading.findings import Finding
from checker.rules.analysis import Analysis

if TYPE_CHECKING:  # the fix planner loads when a fix is planned
    from checker.rules.edits import FixPlan


class Rule:
    """Base class: subclasses set the metadata and implement :meth:`check`."""

    id: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[str]

    def check(self, analysis: Analysis) -> Iterator[Finding]:
        raise NotImplementedError

    def finding(
        self,
        instruction: Instruction,
        message: str,
        fix: str,
        end: Instruction | None = None,
        plan: FixPlan | None = None,
    ) -> Finding:
        """A finding anchored on ``instruction`` (through ``end`` when given), carrying the
        edits of ``plan`` when the fix it shows is an exact one."""
        last = end if end is not None and end.end_line >= instruction.line else instruction
        return Finding(
            rule=self.id,
            name=self.name,
            line=instruction.line,
            end_line=last.end_line,
            severity=self.severity,
            message=message,
            fix=fix,
            edits=plan.edits if plan is not None else (),
        )

    def notes_by_line(
        self, notes: Iterable[tuple[int, str]], joiner: str = " ", shown: int | None = None
    ) -> Iterator[Finding]:
        """One finding per line for rules that collect (line, message) notes: each message
        once, in the order noted, at most ``shown`` of them (then "and N more")."""
        by_line: dict[int, list[str]] = {}
        for line, message in notes:
            messages = by_line.setdefault(line, [])
            if message not in messages:
                messages.append(message)
        for line, messages in sorted(by_line.items()):
            listed = messages if shown is None else messages[:shown]
            if shown is not None and len(messages) > shown:
                listed = [*listed, f"and {len(messages) - shown} more"]
            yield Finding(
                rule=self.id,
                name=self.name,
                line=line,
                end_line=line,
                severity=self.severity,
                message=joiner.join(listed),
                fix="",
            )


def describe(instruction: Instruction) -> str:
    """``line 4 (ADD . /srv)`` for messages."""
    text = " ".join(instruction.original.split("\n", 1)[0].split())
    if len(text) > 60:
        text = text[:57] + "..."
    return f"line {instruction.line} ({text})"
