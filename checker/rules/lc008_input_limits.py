"""LC008: part of the input was beyond the grader's limits, so the grade did not see it."""

from __future__ import annotations

from collections.abc import Iterator

from checker.grading.findings import Finding
from checker.rules.analysis import Analysis
from checker.rules.base import Rule
from checker.shell.commands import MAX_COMPOUND_TEXT, past_compound_budget
from checker.shell.installs import MAX_RUN_TEXT

_SHOWN = 5  # notes shown per line; the rest are counted


class InputLimits(Rule):
    """Part of the Dockerfile or its build context was too large or too odd to evaluate.

    The grader reads untrusted submissions, so it bounds what it evaluates: a variable whose
    value would pass 64 KiB (``ENV A=$A$A`` doubles it on every line), compound shell
    (``if``, ``for``, ``$(...)``) past the first 16 KiB of it, a ``.dockerignore`` with too
    many lines, a file the Dockerfile's install reads that is a link out of the
    context, a FIFO or device, or too large. Such a value or file is treated as unknown and
    the grade says so here: the verdict may differ from Docker's for that part. Docker
    itself never reads through a link out of the context either.

    **Anti-pattern**

    .. code-block:: dockerfile

        ENV A=a
        ENV A=$A$A$A$A$A$A$A$A
        ENV A=$A$A$A$A$A$A$A$A
        ENV A=$A$A$A$A$A$A$A$A
        ENV A=$A$A$A$A$A$A$A$A
        ENV A=$A$A$A$A$A$A$A$A
        ENV A=$A$A$A$A$A$A$A$A
        WORKDIR $A

    **Best practice**

    .. code-block:: dockerfile

        ENV APP=/app
        WORKDIR $APP
    """

    id = "LC008"
    name = "beyond-grader-limits"
    severity = "warning"

    def check(self, analysis: Analysis) -> Iterator[Finding]:
        notes = list(analysis.dockerfile.limits)
        notes.extend(
            (
                item.line,
                f"this RUN is longer than {MAX_RUN_TEXT:,} characters: the grader does not "
                "read it for installs",
            )
            for item in analysis.dockerfile.instructions
            if item.keyword == "RUN" and len(item.text) > MAX_RUN_TEXT
        )
        past = [
            item.line
            for item in analysis.dockerfile.instructions
            if past_compound_budget((item.trigger or item).text)
        ]
        if past:
            more = f" (and {len(past) - 1} later RUNs)" if len(past) > 1 else ""
            notes.append(
                (
                    past[0],
                    f"this RUN{more} comes after the first {MAX_COMPOUND_TEXT:,} characters of "
                    "compound shell (if, for, $(...)) in the file, which is all the grader "
                    "parses fully: its commands were split more simply, and one inside "
                    "$(...), a function or a quoted script may be missed",
                )
            )
        context = analysis.context
        if context is not None and context.limits:
            first = analysis.dockerfile.instructions[0].line
            notes.extend((first, message) for message in context.limits)
        yield from self.notes_by_line(notes, "; ", _SHOWN)
