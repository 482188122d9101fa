"""For instructors: a folder of submissions as one table, and a chart of the common mistakes.

Why here and not in :mod:`checker.grading.batch`: batch gives plain rows for csv/JSON; a
notebook wants the same rows as a short table a room can read and the rule counts as a
chart, both stable from run to run (no paths, no timings)."""

from __future__ import annotations

import html
import textwrap
from typing import Any, NamedTuple

from checker.rules import RULES

COLUMNS = ("submission", "status", "passed", "score", "dependency cache", "rules")


def _status(row: dict) -> str:
    """The row's status, whole where it fits a room's screen (an error names its line and
    the fix), else cut at a word."""
    return textwrap.shorten(str(row["grading_status"]), 80, placeholder=" ...")


class SubmissionTable:
    """One line per submission: status, pass, score, verdict and the rules that fired."""

    def __init__(self, rows: list[dict]) -> None:
        self.rows = [
            (
                str(row["submission"]),
                _status(row),
                "yes" if row["passed"] else "no",
                str(row["score"]),
                str(row["dependency_cache"] or "-"),
                str(row["rules"] or "-").replace(";", " "),
            )
            for row in rows
        ]

    def __repr__(self) -> str:
        lines = [COLUMNS, *self.rows]
        widths = [max(len(line[i]) for line in lines) for i in range(len(COLUMNS))]
        return "\n".join(
            "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(line)).rstrip()
            for line in lines
        )

    def _repr_html_(self) -> str:
        cell = "padding:2px 8px;text-align:left;font-family:monospace"
        head = "".join(f'<th style="{cell}">{name}</th>' for name in COLUMNS)
        body = "".join(
            "<tr>"
            + "".join(f'<td style="{cell}">{html.escape(value)}</td>' for value in line)
            + "</tr>"
            for line in self.rows
        )
        return (
            f'<table style="border-collapse:collapse"><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table>"
        )


# Most serious first: an error costs a reinstall, a warning may, info never touches the cache.
SEVERITY_ORDER = ("error", "warning", "info")
SEVERITY_COLOURS = {"error": "#e57373", "warning": "#ffb74d", "info": "#b0bec5"}


class Mistake(NamedTuple):
    """One rule that fired in a class: how serious it is and in how many submissions."""

    rule: str
    name: str
    severity: str
    count: int


def rule_names() -> dict[str, str]:
    """Rule id -> short name (``LC002`` -> ``install-after-broad-copy``)."""
    return {rule.id: rule.name for rule in RULES}


def rule_severities() -> dict[str, str]:
    """Rule id -> severity (``LC007`` -> ``info``)."""
    return {rule.id: rule.severity for rule in RULES}


def _rank(severity: str) -> int:
    return SEVERITY_ORDER.index(severity) if severity in SEVERITY_ORDER else len(SEVERITY_ORDER)


def common_mistakes(summary: dict[str, dict[str, int]]) -> list[Mistake]:
    """Every rule that fired, errors first, then warnings, then info; most frequent first within.

    Why severity before count: an info-level rule (``LC007``, the pip cache left in the image)
    fires in many submissions but never costs a reinstall; ranked by count alone it would top
    a list of the mistakes that matter for the layer cache.
    """
    names, severities = rule_names(), rule_severities()
    mistakes = [
        Mistake(rule, names.get(rule, ""), severities.get(rule, ""), n)
        for rule, n in summary["rules"].items()
        if n
    ]
    return sorted(mistakes, key=lambda item: (_rank(item.severity), -item.count, item.rule))


def plot_mistakes(summary: dict[str, dict[str, int]]) -> Any:
    """Two bar charts: submissions per rule that fired (coloured by severity, most serious at
    the top), and per dependency-cache verdict."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    mistakes = common_mistakes(summary)[::-1]  # barh draws the first item at the bottom
    verdicts = sorted(summary["dependency_cache"].items())
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 3.5))
    left.barh(
        [f"{m.rule} {m.name} ({m.severity})" for m in mistakes],
        [m.count for m in mistakes],
        color=[SEVERITY_COLOURS.get(m.severity, "#cccccc") for m in mistakes],
    )
    left.set_xlabel("submissions")
    left.set_title("rules that fired, by severity")
    shown = [s for s in SEVERITY_ORDER if any(m.severity == s for m in mistakes)]
    left.legend(
        handles=[Patch(color=SEVERITY_COLOURS[s], label=s) for s in shown],
        loc="upper right",
        fontsize=8,
    )
    right.bar([name for name, _ in verdicts], [n for _, n in verdicts], color="#90caf9")
    right.set_title("dependency cache after a code change")
    right.tick_params(axis="x", labelrotation=15)
    figure.tight_layout()
    plt.close(figure)
    return figure
