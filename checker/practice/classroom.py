"""For instructors: a folder of submissions as one table, and a chart of the common mistakes.

Why here and not in :mod:`checker.batch`: batch gives plain rows for csv/JSON; a notebook wants
the same rows as a short table a room can read and the rule counts as a chart, both stable
from run to run (no paths, no timings).
"""

from __future__ import annotations

import html
from typing import Any

from checker.rules import RULES

COLUMNS = ("submission", "status", "passed", "score", "dependency cache", "rules")


def _status(row: dict) -> str:
    status = str(row["grading_status"])
    return status if len(status) <= 60 else status[:57] + "..."


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


def rule_names() -> dict[str, str]:
    """Rule id -> short name (``LC002`` -> ``install-after-broad-copy``)."""
    return {rule.id: rule.name for rule in RULES}


def common_mistakes(summary: dict[str, dict[str, int]]) -> list[tuple[str, str, int]]:
    """(rule id, name, submissions) for every rule that fired, most frequent first."""
    names = rule_names()
    counts = [(rule, names.get(rule, ""), n) for rule, n in summary["rules"].items() if n]
    return sorted(counts, key=lambda item: (-item[2], item[0]))


def plot_mistakes(summary: dict[str, dict[str, int]]) -> Any:
    """Two bar charts: submissions per rule that fired, and per dependency-cache verdict."""
    import matplotlib.pyplot as plt

    mistakes = common_mistakes(summary)
    verdicts = sorted(summary["dependency_cache"].items())
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 3.5))
    left.barh(
        [f"{rule} {name}" for rule, name, _ in mistakes][::-1],
        [n for *_, n in mistakes][::-1],
        color="#ffab91",
    )
    left.set_xlabel("submissions")
    left.set_title("rules that fired")
    right.bar([name for name, _ in verdicts], [n for _, n in verdicts], color="#90caf9")
    right.set_title("dependency cache after a code change")
    right.tick_params(axis="x", labelrotation=15)
    figure.tight_layout()
    plt.close(figure)
    return figure
