"""Builds side by side, for lessons that change one thing and rebuild.

Steps are lined up by position among the learner's steps (step 1 with step 1...), and each
build's cell names its own instruction, so a reordered Dockerfile still reads correctly.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from .display import COLOURS, format_seconds, shown_steps
from .records import BuildResult


class Comparison:
    """A table: one row per step, per build its outcome and seconds."""

    def __init__(self, results: Sequence[BuildResult], labels: Sequence[str]) -> None:
        if len(results) != len(labels):
            raise ValueError(f"{len(results)} builds but {len(labels)} labels")
        self.results = list(results)
        self.labels = list(labels)

    def rows(self) -> list[tuple[str, list[tuple[str, str, str] | None]]]:
        """(step number, per build (instruction, outcome, seconds) or None where it has no step)."""
        steps = [shown_steps(result) for result in self.results]
        depth = max((len(s) for s in steps), default=0)
        rows: list[tuple[str, list[tuple[str, str, str] | None]]] = []
        for index in range(depth):
            cells: list[tuple[str, str, str] | None] = []
            for build_steps in steps:
                if index < len(build_steps):
                    step = build_steps[index]
                    cells.append((step.instruction, step.outcome, format_seconds(step.seconds)))
                else:
                    cells.append(None)
            rows.append((str(index + 1), cells))
        return rows

    def __repr__(self) -> str:
        lines = ["step  " + "  |  ".join(self.labels)]
        for number, cells in self.rows():
            parts = []
            for cell in cells:
                parts.append("-" if cell is None else f"{cell[0]}: {cell[1]} {cell[2]} s")
            lines.append(f"{number:<4}  " + "  |  ".join(parts))
        totals = [f"{format_seconds(result.seconds)} s" for result in self.results]
        lines.append("total " + "  |  ".join(totals))
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        cell = "padding:2px 8px;text-align:left;font-family:monospace"
        head = "".join(
            f'<th style="{cell}" colspan="3">{html.escape(label)}</th>' for label in self.labels
        )
        parts = [
            '<table style="border-collapse:collapse">',
            f'<thead><tr><th style="{cell}">step</th>{head}</tr></thead><tbody>',
        ]
        for number, cells in self.rows():
            parts.append(f'<tr><td style="{cell}">{number}</td>')
            for entry in cells:
                if entry is None:
                    parts.append(f'<td style="{cell}" colspan="3">-</td>')
                    continue
                instruction, outcome, seconds = entry
                parts.append(
                    f'<td style="{cell}">{html.escape(instruction)}</td>'
                    f'<td style="{cell};background:{COLOURS.get(outcome, "")}">{outcome}</td>'
                    f'<td style="{cell};text-align:right">{seconds}</td>'
                )
            parts.append("</tr>")
        totals = "".join(
            f'<td style="{cell};text-align:right" colspan="3">{format_seconds(r.seconds)} s</td>'
            for r in self.results
        )
        parts.append(f'<tr><td style="{cell}">total</td>{totals}</tr></tbody></table>')
        return "".join(parts)


def compare(results: Sequence[BuildResult], labels: Sequence[str]) -> Comparison:
    """A side-by-side table of builds; shown by the notebook as the cell's value."""
    return Comparison(results, labels)


def plot_step_seconds(results: Sequence[BuildResult], labels: Sequence[str], ax: Any = None) -> Any:
    """A grouped bar chart of each step's seconds per build, bars coloured by outcome.

    Returns the matplotlib ``Figure`` (the Agg backend is fine: nothing needs a display).
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    comparison = Comparison(results, labels)
    rows = comparison.rows()
    if ax is None:
        figure, ax = plt.subplots(figsize=(max(6.0, 1.2 * len(rows) * len(results)), 3.5))
    else:
        figure = ax.figure
    width = 0.8 / max(1, len(results))
    for build_index, label in enumerate(labels):
        xs, heights, colours = [], [], []
        for row_index, (_, cells) in enumerate(rows):
            entry = cells[build_index]
            if entry is None:
                continue
            xs.append(row_index + build_index * width)
            heights.append(float(entry[2]))
            colours.append(COLOURS.get(entry[1], "#cccccc"))
        bars = ax.bar(xs, heights, width=width, color=colours, edgecolor="#555555")
        ax.bar_label(bars, labels=[label] * len(xs), fontsize=7, rotation=90, padding=2)
    ax.set_xticks([i + width * (len(results) - 1) / 2 for i in range(len(rows))])
    ax.set_xticklabels([f"step {number}" for number, _ in rows])
    ax.set_ylabel("seconds")
    legend = [Patch(color=COLOURS[name], label=name) for name in ("cached", "ran", "base")]
    ax.legend(handles=legend, loc="upper right")
    figure.tight_layout()
    return figure
