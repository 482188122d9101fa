"""What learners see: the live lines and the final table (text and HTML), and comparisons.

The table must be the same for the same build except for seconds and ids, because nbval
compares notebook outputs; the words cached/ran must be in both forms.
"""

from __future__ import annotations

import io
import re

import matplotlib

matplotlib.use("Agg")

from checker.build.compare import compare, plot_step_seconds
from checker.build.display import BuildTable, Line, LiveView, show
from checker.build.events import (
    BuildFailed,
    BuildSucceeded,
    CacheHit,
    OutputLine,
    StepDone,
    StepStarted,
)
from checker.build.records import BuildResult, Recorder

LABELS = {"org.layer-cache-workshop.project": "docker-layer-cache-workshop"}


def events(run_cached: bool, pip_lines: int = 5) -> list:
    out: list = [
        StepStarted("1", 1, "FROM python:3.11-slim", 4),
        StepDone("1", "40479d8f9b6a"),
        StepStarted("2", 2, "RUN pip install -r requirements.txt", 4),
    ]
    if run_cached:
        out += [CacheHit("2"), StepDone("2", "d4de392848fb")]
    else:
        out += [OutputLine("2", f"Collecting package{i}") for i in range(pip_lines)]
        out += [StepDone("2", "d4de392848fb")]
    out += [
        StepStarted("3", 3, "ADD . /srv", 4),
        StepDone("3", "60e824a461ec"),
        StepStarted(
            "4", 4, "LABEL org.layer-cache-workshop.project=docker-layer-cache-workshop", 4
        ),
        StepDone("4", "a399fcc1c787"),
        BuildSucceeded("sha256:a399fcc1c787"),
    ]
    return out


def run(evts: list, clock_step: float = 1.0, live: LiveView | None = None) -> BuildResult:
    ticks = iter(i * clock_step for i in range(10_000))
    recorder = Recorder(clock=ticks.__next__)
    for event in evts:
        record = recorder.handle(event)
        if live:
            live(event, record)
    return recorder.finish("classic", added_labels=LABELS)


def without_numbers(text: str) -> str:
    return re.sub(r"\d+\.\d+", "N", text)


def test_table_text_has_the_outcome_words_and_hides_the_runner_label_step():
    text = repr(BuildTable(run(events(run_cached=True))))
    assert "cached" in text and "ran" in text
    assert "LABEL" not in text
    lines = text.splitlines()
    assert lines[0].split() == ["step", "instruction", "cache", "seconds"]
    assert lines[2].split()[:2] == ["2", "RUN"] and "cached" in lines[2]
    assert "ran" in lines[3]
    assert "1 cached, 1 ran" in lines[-1]


def test_table_is_deterministic_except_for_seconds():
    slow = BuildTable(run(events(run_cached=False), clock_step=3.7))
    fast = BuildTable(run(events(run_cached=False), clock_step=0.01))
    assert without_numbers(repr(slow)) == without_numbers(repr(fast))
    assert without_numbers(slow._repr_html_()) == without_numbers(fast._repr_html_())


def test_table_html_colours_cached_green_and_ran_orange():
    html = BuildTable(run(events(run_cached=True)))._repr_html_()
    assert 'background:#c8e6c9">cached<' in html
    assert 'background:#ffd8a8">ran<' in html
    assert "LABEL" not in html


def test_html_escapes_instructions():
    evts = [StepStarted("1", 1, "RUN echo '<b>'", 1), StepDone("1", "abc")]
    html = BuildTable(run(evts))._repr_html_()
    assert "<b>" not in html and "&lt;b&gt;" in html


def test_live_view_appends_lines_limits_output_and_hides_the_label_step():
    lines: list[Line] = []
    live = LiveView(lines.append, output_lines=2, hide_label_steps=1)
    run(events(run_cached=False, pip_lines=5), live=live)
    texts = [line.text for line in lines]
    assert texts[0] == "[1/3] FROM python:3.11-slim"
    assert "[2/3] RUN pip install -r requirements.txt" in texts
    assert texts.count("    Collecting package0") == 1
    assert "    Collecting package2" not in texts
    assert any("ran" in t and "3 more output lines" in t for t in texts)
    assert not any("LABEL" in t for t in texts)
    assert "[3/3] ADD . /srv" in texts


def test_live_view_shows_a_failure():
    lines: list[Line] = []
    live = LiveView(lines.append)
    evts = [
        StepStarted("2", 2, "RUN false", 2),
        OutputLine("2", "oops"),
        BuildFailed("returned a non-zero code: 1", "2"),
    ]
    run(evts, live=live)
    assert lines[-1].outcome == "failed" and "failed" in lines[-1].text
    assert "background:#ffcdd2" in lines[-1]._repr_html_()


def test_show_prints_the_table_in_a_terminal():
    out = io.StringIO()
    show(run(events(run_cached=True)), title="after changing run.py", stream=out)
    text = out.getvalue()
    assert text.startswith("after changing run.py\n") and "cached" in text


def test_compare_lines_up_builds_by_instruction():
    first = run(events(run_cached=False))
    second = run(events(run_cached=True))
    table = compare([first, second], ["cold", "after run.py change"])
    text = repr(table)
    assert text.splitlines()[0].split() == [
        "instruction",
        "cold",
        "after",
        "run.py",
        "change",
        "seconds",
    ]
    row = next(line for line in text.splitlines() if line.startswith("RUN pip"))
    assert row.split()[-5:-3] == ["ran", "cached"]
    assert "LABEL" not in text and "cached" in table._repr_html_()


def test_compare_text_is_deterministic_except_for_seconds():
    slow = [run(events(run_cached=False), clock_step=13.7), run(events(run_cached=True), 9.1)]
    fast = [run(events(run_cached=False), clock_step=0.01), run(events(run_cached=True), 0.2)]
    labels = ["cold", "warm"]
    assert without_numbers(repr(compare(slow, labels))) == without_numbers(
        repr(compare(fast, labels))
    )


def test_compare_matches_moved_instructions_and_buildkit_from_lines():
    moved = [
        StepStarted("1", 1, "FROM docker.io/library/python:3.11-slim", 3),
        StepDone("1"),
        StepStarted("2", 2, "ADD . /srv", 3),
        StepDone("2"),
        StepStarted("3", 3, "RUN pip install -r requirements.txt", 3),
        StepDone("3"),
    ]
    rows = compare([run(events(run_cached=True)), run(moved)], ["before", "moved"]).rows()
    titles = [title for title, _ in rows]
    assert titles == ["FROM python:3.11-slim", "RUN pip install -r requirements.txt", "ADD . /srv"]
    assert all(steps[1] is not None for _, steps in rows)


def test_plot_step_seconds_returns_a_figure():
    figure = plot_step_seconds(
        [run(events(run_cached=False)), run(events(run_cached=True))], ["cold", "warm"]
    )
    assert [len(ax.patches) for ax in figure.axes] == [3, 3]  # one panel per build


def test_json_presentation_round_trips_through_json():
    import json

    from checker.build.jsonlog import event_json_line, result_to_dict

    result = run(events(run_cached=True))
    data = json.loads(json.dumps(result_to_dict(result)))
    assert [s["outcome"] for s in data["steps"]] == ["base", "cached", "ran", "ran"]
    assert data["steps"][-1]["added_by_runner"] is True
    line = json.loads(event_json_line(CacheHit("2")))
    assert line == {"event": "CacheHit", "key": "2"}
