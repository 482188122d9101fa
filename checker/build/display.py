"""Show a build to a learner: live while it runs, then a colour-coded table of its steps.

This is the presentation layer: it consumes events and records and knows nothing of how they
were parsed. In a notebook the live lines share one output, rewritten as lines come and
emptied when the build ends, so a stored notebook shows each build once, as its table: nbval
(which tests the notebooks) compares the output as first displayed, and the stored one as
last updated, and both are the same empty output. The final table has an HTML form and a
``text/plain`` form; both are the same for the same build except for seconds and ids, and both
carry the words ``cached``/``ran`` so that a text comparison checks them.
"""

from __future__ import annotations

import html
import sys
from collections.abc import Callable
from typing import TextIO

from .events import BuildEvent, BuildFailed, OutputLine, StepDone, StepStarted
from .records import BuildResult, Outcome, StepRecord

# Background colours of the outcome cells: green from the cache, orange ran again.
COLOURS: dict[str, str] = {
    "cached": "#c8e6c9",
    "ran": "#ffd8a8",
    "base": "#e0e0e0",
    "failed": "#ffcdd2",
    "unfinished": "#fff3cd",
}
# Output lines shown live per step; every line is kept in the step's record.
LIVE_OUTPUT_LINES = 3


def in_notebook() -> bool:
    """True inside a Jupyter kernel (where rich outputs are shown)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and "IPKernelApp" in getattr(shell, "config", {})


def shown_steps(result: BuildResult) -> list[StepRecord]:
    """The steps a learner is shown: their own, in order (not the runner's LABEL steps)."""
    return result.learner_steps


def format_seconds(seconds: float) -> str:
    return f"{seconds:.2f}"


class Line:
    """One live line with a plain and an HTML form (a notebook shows the HTML)."""

    def __init__(self, text: str, outcome: Outcome | None = None) -> None:
        self.text = text
        self.outcome = outcome

    def __repr__(self) -> str:
        return self.text

    def _repr_html_(self) -> str:
        style = "font-family:monospace;white-space:pre;margin:0"
        if self.outcome:
            style += f";background:{COLOURS[self.outcome]}"
        return f'<div style="{style}">{html.escape(self.text)}</div>'


class LiveView:
    """A listener that shows each step as it starts and ends, and a few of its output lines.

    ``emit`` receives each :class:`Line`; by default lines are printed in a terminal and
    displayed (appended) in a notebook. ``hidden_steps`` are step numbers from which on steps
    are not shown (the classic builder's LABEL steps for the project label).
    """

    def __init__(
        self,
        emit: Callable[[Line], None] | None = None,
        output_lines: int = LIVE_OUTPUT_LINES,
        hide_label_steps: int = 0,
    ) -> None:
        self._emit = emit or default_emitter()
        self._output_lines = output_lines
        self._hide = hide_label_steps
        self._shown: dict[str, int] = {}
        self._hidden: set[str] = set()

    def __call__(self, event: BuildEvent, record: StepRecord | None) -> None:
        if isinstance(event, StepStarted):
            total = event.total - self._hide if event.total is not None else None
            runner_label = event.instruction.upper().startswith("LABEL ")
            if total is not None and self._hide and event.number > total and runner_label:
                self._hidden.add(event.key)
                return
            counter = f"{event.number}/{total}" if total is not None else str(event.number)
            stage = f"{event.stage} " if event.stage else ""
            self._shown[event.key] = 0
            self._emit(Line(f"[{stage}{counter}] {event.instruction}"))
        elif isinstance(event, OutputLine) and event.key in self._shown:
            self._shown[event.key] += 1
            if self._shown[event.key] <= self._output_lines:
                self._emit(Line(f"    {event.text}"))
        elif isinstance(event, StepDone) and record is not None and event.key in self._shown:
            self._emit(Line(self._summary(record), record.outcome))
        elif isinstance(event, BuildFailed):
            if record is not None and event.key in self._shown:
                self._emit(Line(self._summary(record), "failed"))
            else:
                self._emit(Line(f"  -> build failed: {event.message}", "failed"))

    def _summary(self, record: StepRecord) -> str:
        more = self._shown.get(record.key, 0) - self._output_lines
        extra = f" ({more} more output lines in the record)" if more > 0 else ""
        return f"  -> {record.outcome} {format_seconds(record.seconds)} s{extra}"


class Lines:
    """Live lines shown as one output (plain and HTML, like :class:`Line`)."""

    def __init__(self, lines: list[Line]) -> None:
        self.lines = list(lines)

    def __repr__(self) -> str:
        return "\n".join(line.text for line in self.lines)

    def _repr_html_(self) -> str:
        return "".join(line._repr_html_() for line in self.lines)


class NotebookLive:
    """The live lines of one build in a single notebook output, emptied by :meth:`clear`.

    Why one rewritten output and not an output per line: a stored notebook would show every
    build twice, as lines and as the table. The output starts empty and ends empty, so what a
    notebook keeps and what nbval sees when it reruns it are the same.
    """

    def __init__(self) -> None:
        from IPython.display import display

        self._lines: list[Line] = []
        self._handle = display(Lines([]), display_id=True)

    def __call__(self, line: Line) -> None:
        self._lines.append(line)
        if self._handle is not None:
            self._handle.update(Lines(self._lines))

    def clear(self) -> None:
        """Empty the output (the build's table follows as an output of its own)."""
        if self._handle is not None:
            self._handle.update(Lines([]))


def default_emitter(stream: TextIO | None = None) -> Callable[[Line], None]:
    """Where live lines go: one rewritten output in a notebook, ``print`` elsewhere."""
    if in_notebook():
        return NotebookLive()
    out = stream or sys.stdout
    return lambda line: print(line.text, file=out, flush=True)


def end_live(emit: Callable[[Line], None] | None) -> None:
    """Empty a notebook's live output once its build is over (nothing to do in a terminal)."""
    if isinstance(emit, NotebookLive):
        emit.clear()


class BuildTable:
    """The steps of one build as a table: step, instruction, cache or ran, seconds."""

    def __init__(self, result: BuildResult, title: str | None = None) -> None:
        self.result = result
        self.title = title

    def rows(self) -> list[tuple[str, str, str, str]]:
        return [
            (step.label, step.instruction, step.outcome, format_seconds(step.seconds))
            for step in shown_steps(self.result)
        ]

    def summary(self) -> str:
        steps = shown_steps(self.result)
        cached = sum(step.outcome == "cached" for step in steps)
        ran = sum(step.outcome == "ran" for step in steps)
        state = "" if self.result.succeeded else " FAILED"
        return (
            f"{self.result.builder} build{state}: {cached} cached, {ran} ran, "
            f"{format_seconds(self.result.seconds)} s in total"
        )

    def __repr__(self) -> str:
        header = ("step", "instruction", "cache", "seconds")
        rows = [header, *self.rows()]
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        lines = [self.title] if self.title else []
        for step, instruction, outcome, seconds in rows:
            lines.append(
                # Seconds last and unpadded, so only the number varies between runs.
                f"{step:<{widths[0]}}  {instruction:<{widths[1]}}  {outcome:<{widths[2]}}  "
                f"{seconds}"
            )
        lines.append(self.summary())
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        cell = "padding:2px 8px;text-align:left;font-family:monospace"
        parts = ['<table style="border-collapse:collapse">']
        if self.title:
            parts.append(f"<caption>{html.escape(self.title)}</caption>")
        parts.append(
            "<thead><tr>"
            + "".join(
                f'<th style="{cell}">{name}</th>'
                for name in ("step", "instruction", "cache", "seconds")
            )
            + "</tr></thead><tbody>"
        )
        for step, instruction, outcome, seconds in self.rows():
            colour = COLOURS.get(outcome, "")
            parts.append(
                "<tr>"
                f'<td style="{cell}">{html.escape(step)}</td>'
                f'<td style="{cell}">{html.escape(instruction)}</td>'
                f'<td style="{cell};background:{colour}">{outcome}</td>'
                f'<td style="{cell};text-align:right">{seconds}</td>'
                "</tr>"
            )
        parts.append(f"</tbody></table><p>{html.escape(self.summary())}</p>")
        return "".join(parts)


def show(result: BuildResult, title: str | None = None, stream: TextIO | None = None) -> BuildTable:
    """Show the table of a build: displayed in a notebook, printed in a terminal."""
    table = BuildTable(result, title)
    if in_notebook():
        from IPython.display import display

        display(table)
    else:
        print(repr(table), file=stream or sys.stdout, flush=True)
    return table
