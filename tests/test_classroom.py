"""The instructors' ranking of mistakes: severity first, so info never tops the list."""

from __future__ import annotations

from checker.lessons.classroom import common_mistakes, plot_mistakes


def summary() -> dict[str, dict[str, int]]:
    """LC007 (info) fired most often; LC003 (warning) and LC002 (error) less."""
    return {
        "rules": {"LC007": 4, "LC003": 3, "LC002": 1, "LC001": 0},
        "dependency_cache": {"kept": 2, "reinstalled": 2},
        "grading_status": {"graded": 4, "error": 0},
    }


def test_errors_come_before_warnings_before_info_whatever_the_counts():
    ranked = common_mistakes(summary())
    assert [(m.rule, m.severity) for m in ranked] == [
        ("LC002", "error"),
        ("LC003", "warning"),
        ("LC007", "info"),
    ]


def test_chart_names_each_rules_severity():
    figure = plot_mistakes(summary())
    labels = [label.get_text() for label in figure.axes[0].get_yticklabels()]
    assert labels[-1].endswith("(error)")  # barh: the last label is drawn at the top
    assert any(label.endswith("(info)") for label in labels)
