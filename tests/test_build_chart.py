"""The step-seconds chart: readable size, cached steps visible and named, a legend."""

from __future__ import annotations

from test_build_display import events, run

from checker.build.compare import plot_step_seconds
from checker.build.step_chart import MAX_WIDTH, bar_text, short_step


def builds(count: int) -> list:
    """Alternating cold and warm builds; the warm ones' cached steps took no time."""
    results = [run(events(run_cached=index % 2 == 1)) for index in range(count)]
    for result in results:
        for step in result.steps:
            if step.outcome == "cached":
                step.seconds = 0.0
    return results


def test_width_stays_readable_with_many_builds():
    figure = plot_step_seconds(builds(6), [f"build {n}" for n in range(6)])
    assert figure.get_figwidth() <= MAX_WIDTH
    assert len(figure.axes) == 6


def test_cached_steps_get_a_visible_bar_and_the_word_cached():
    figure = plot_step_seconds(builds(2), ["cold", "warm"])
    warm = figure.axes[1]
    assert all(bar.get_width() > 0 for bar in warm.patches)
    assert "cached" in [text.get_text().strip() for text in warm.texts]


def test_legend_names_the_outcomes():
    figure = plot_step_seconds(builds(2), ["cold", "warm"])
    names = [text.get_text() for legend in figure.legends for text in legend.get_texts()]
    assert any(name.startswith("cached") for name in names)
    assert "ran" in names


def test_labels_are_short_and_missing_steps_are_named():
    assert len(short_step("RUN pip install --no-cache-dir -r requirements.txt")) == 30
    assert bar_text(None) == "not in this build"
