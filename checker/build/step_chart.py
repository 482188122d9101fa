"""A chart of step seconds per build that reads at a glance, cached steps included.

Why small multiples (one panel per build, one horizontal bar per step): a single grouped bar
chart grew one bar per step *and* build, so four builds of seven steps made a figure thirty
inches wide with rotated labels nobody could read. Horizontal bars keep the instruction text
horizontal, and panels side by side keep each build's story in one column.

Why cached steps get a stub and a word: a cached step takes no time, so its true bar has zero
length and its colour (the whole point of the chart) never shows. Each cached or base step gets
a short bar of fixed length and is labelled ``cached`` / ``base``; steps that ran are labelled
with their seconds, and every panel's title gives the build's total.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import Any

from .compare import Comparison
from .display import COLOURS
from .records import BuildResult, StepRecord

# Inches: the step labels' column, each build's panel, the widest figure (about 1000 px).
LABEL_WIDTH = 2.4
PANEL_WIDTH = 2.0
MAX_WIDTH = 10.0
# Inches per step row, and for titles and legend.
ROW_HEIGHT = 0.36
FRAME_HEIGHT = 1.5
# A stub bar's length as a share of the longest bar, so cached steps stay visible.
STUB_SHARE = 0.04
STEP_LABEL_CHARS = 30
TITLE_CHARS = 26
EDGE = "#555555"
LEGEND_TEXT = {
    "cached": "cached (reused, no time)",
    "ran": "ran",
    "base": "base image",
}


def short_step(text: str, limit: int = STEP_LABEL_CHARS) -> str:
    """An instruction cut to ``limit`` characters, so the label column stays narrow."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def bar_text(step: StepRecord | None) -> str:
    """What is written at the end of a bar: the outcome for free steps, else the seconds."""
    if step is None:
        return "not in this build"
    if step.outcome in ("cached", "base"):
        return step.outcome
    if step.outcome == "ran":
        return f"{step.seconds:.1f} s"
    return f"{step.outcome} {step.seconds:.1f} s"


def bar_length(step: StepRecord, stub: float) -> float:
    """A step's bar: its seconds, but never shorter than the stub (zero would not show)."""
    return max(step.seconds, stub)


def figure_size(builds: int, rows: int) -> tuple[float, float]:
    """Width grows with the builds up to :data:`MAX_WIDTH`; height with the steps."""
    width = min(MAX_WIDTH, LABEL_WIDTH + PANEL_WIDTH * max(1, builds))
    return width, FRAME_HEIGHT + ROW_HEIGHT * max(1, rows)


def plot_step_seconds(results: Sequence[BuildResult], labels: Sequence[str]) -> Any:
    """One panel per build, one horizontal bar per instruction, coloured by outcome.

    Rows line up across panels (see :class:`~checker.build.compare.Comparison`). Returns the
    matplotlib ``Figure``.
    """
    import matplotlib.pyplot as plt

    rows = Comparison(results, labels).rows()
    figure, axes = plt.subplots(
        1,
        max(1, len(results)),
        sharey=True,
        sharex=True,
        figsize=figure_size(len(results), len(rows)),
        squeeze=False,
    )
    longest = max((step.seconds for _, steps in rows for step in steps if step), default=0.0)
    scale = longest or 1.0
    for index, (ax, label, result) in enumerate(zip(axes[0], labels, results, strict=True)):
        _draw_panel(ax, [steps[index] for _, steps in rows], scale)
        title = textwrap.fill(label, TITLE_CHARS)
        ax.set_title(f"{title}\n{result.seconds:.1f} s in total", fontsize=9)
    first = axes[0][0]
    first.set_yticks(range(len(rows)))
    first.set_yticklabels([short_step(text) for text, _ in rows], fontsize=8)
    first.set_ylim(len(rows) - 0.5, -0.5)  # the first step at the top
    first.set_xlim(0, scale * 1.6)  # room for the text after the longest bar
    _legend(figure, [step for _, steps in rows for step in steps if step])
    bottom = 0.3 / figure.get_figheight()
    figure.tight_layout(rect=(0, bottom, 1, 1))
    return figure


def _draw_panel(ax: Any, steps: list[StepRecord | None], scale: float) -> None:
    """The bars of one build, each with its text; a missing step gets text only."""
    stub = scale * STUB_SHARE
    for row, step in enumerate(steps):
        if step is None:
            ax.text(0, row, " " + bar_text(step), va="center", fontsize=7, color="#888888")
            continue
        length = bar_length(step, stub)
        colour = COLOURS.get(step.outcome, "#cccccc")
        ax.barh(row, length, height=0.7, color=colour, edgecolor=EDGE, linewidth=0.8)
        ax.text(length, row, " " + bar_text(step), va="center", fontsize=7)
    ax.set_xlabel("seconds", fontsize=8)
    ax.tick_params(axis="x", labelsize=7)
    ax.grid(axis="x", color="#eeeeee")
    ax.set_axisbelow(True)


def _legend(figure: Any, steps: list[StepRecord]) -> None:
    """Outcomes as coloured boxes below the panels, the ones that occur plus cached and ran."""
    from matplotlib.patches import Patch

    shown = ["cached", "ran", "base"]
    shown += [step.outcome for step in steps if step.outcome not in shown]
    names = list(dict.fromkeys(shown))
    handles = [
        Patch(
            facecolor=COLOURS.get(name, "#cccccc"),
            edgecolor=EDGE,
            label=LEGEND_TEXT.get(name, name),
        )
        for name in names
    ]
    figure.legend(handles=handles, loc="lower center", ncol=len(handles), fontsize=8, frameon=False)
