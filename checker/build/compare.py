"""Builds side by side, for lessons that change one thing and rebuild.

Rows are instructions, not step numbers: a lesson that moves ``ADD . /srv`` above the install
compares the same instruction across builds, and a classic build (which lists ``CMD`` as a step)
lines up with a BuildKit build (which does not). Rows follow the first build's order; an
instruction only a later build has comes right after that build's previous instruction. The
same instruction twice in one Dockerfile is matched by occurrence. ``FROM`` lines are compared
without BuildKit's ``docker.io/library/`` prefix.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from typing import Any

from .display import COLOURS, format_seconds, shown_steps
from .records import BuildResult, StepRecord

_REGISTRY_PREFIX = re.compile(r"^(FROM\s+)docker\.io/(?:library/)?", re.IGNORECASE)

RowKey = tuple[str, int]


def normalised(step: StepRecord) -> str:
    return _REGISTRY_PREFIX.sub(r"\1", step.instruction)


def keyed_steps(result: BuildResult) -> dict[RowKey, StepRecord]:
    keyed: dict[RowKey, StepRecord] = {}
    seen: dict[str, int] = {}
    for step in shown_steps(result):
        text = normalised(step)
        seen[text] = seen.get(text, 0) + 1
        keyed[(text, seen[text])] = step
    return keyed


def row_keys(builds: Sequence[dict[RowKey, StepRecord]]) -> list[RowKey]:
    rows: list[RowKey] = []
    for steps in builds:
        previous: RowKey | None = None
        for key in steps:
            if key not in rows:
                at = rows.index(previous) + 1 if previous is not None else 0
                rows.insert(at, key)
            previous = key
    return rows


class Comparison:
    """A table: one row per instruction, per build its outcome and seconds."""

    def __init__(self, results: Sequence[BuildResult], labels: Sequence[str]) -> None:
        if len(results) != len(labels):
            raise ValueError(f"{len(results)} builds but {len(labels)} labels")
        self.results = list(results)
        self.labels = list(labels)

    def rows(self) -> list[tuple[str, list[StepRecord | None]]]:
        """(instruction, per build its step or None where the build has no such step)."""
        builds = [keyed_steps(result) for result in self.results]
        return [(key[0], [steps.get(key) for steps in builds]) for key in row_keys(builds)]

    def __repr__(self) -> str:
        """Outcomes in aligned columns, then the seconds unpadded at the end of each line.

        Only the numbers change between runs, and nothing is aligned after them, so a notebook
        test that masks numbers sees the same text every time.
        """
        rows = self.rows()
        table = [["instruction", *self.labels, "seconds"]]
        for text, steps in rows:
            outcomes = [step.outcome if step else "-" for step in steps]
            seconds = " / ".join(format_seconds(step.seconds) if step else "-" for step in steps)
            table.append([text, *outcomes, seconds])
        totals = " / ".join(format_seconds(result.seconds) for result in self.results)
        table.append(["total", *([""] * len(self.results)), totals])
        widths = [max(len(row[column]) for row in table) for column in range(len(table[0]))]
        widths[-1] = 0
        return "\n".join(_aligned(row, widths) for row in table)

    def _repr_html_(self) -> str:
        cell = "padding:2px 8px;text-align:left;font-family:monospace"
        head = "".join(f'<th style="{cell}">{html.escape(label)}</th>' for label in self.labels)
        parts = [
            '<table style="border-collapse:collapse">',
            f'<thead><tr><th style="{cell}">instruction</th>{head}</tr></thead><tbody>',
        ]
        for text, steps in self.rows():
            parts.append(f'<tr><td style="{cell}">{html.escape(text)}</td>')
            for step in steps:
                colour = COLOURS.get(step.outcome, "") if step else ""
                parts.append(f'<td style="{cell};background:{colour}">{_cell(step)}</td>')
            parts.append("</tr>")
        totals = "".join(
            f'<td style="{cell}">{format_seconds(result.seconds)} s</td>' for result in self.results
        )
        parts.append(f'<tr><td style="{cell}">total</td>{totals}</tr></tbody></table>')
        return "".join(parts)


def _aligned(cells: list[str], widths: list[int]) -> str:
    return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()


def _cell(step: StepRecord | None) -> str:
    return "-" if step is None else f"{step.outcome} {format_seconds(step.seconds)}"


def compare(results: Sequence[BuildResult], labels: Sequence[str]) -> Comparison:
    """A side-by-side table of builds; a notebook shows it as the cell's value."""
    return Comparison(results, labels)


def plot_step_seconds(results: Sequence[BuildResult], labels: Sequence[str]) -> Any:
    """A chart of each instruction's seconds per build: one panel per build, cached steps shown.

    Drawn by :mod:`.step_chart` (imported here so matplotlib loads only when a chart is asked
    for); returns the matplotlib ``Figure``.
    """
    from .step_chart import plot_step_seconds as draw

    return draw(results, labels)
