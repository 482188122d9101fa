"""The parsers, on every form of builder output we know (recorded or hand-written streams).

A failure here means a learner would see a wrong step list: a cached step shown as ran, a step
missing, or output attached to the wrong step.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from checker.build.buildkit_rawjson import BuildKitRawJsonParser, parse_buildkit_rawjson
from checker.build.buildkit_stream import parse_buildkit_plain
from checker.build.classic_stream import ClassicStreamParser, parse_classic_stream
from checker.build.events import (
    BuildFailed,
    BuildSucceeded,
    CacheHit,
    OutputLine,
    StepDone,
    StepStarted,
    Tagged,
)
from checker.build.records import Recorder

STREAMS = Path(__file__).parent / "build_streams"


def classic(name: str) -> list:
    lines = (STREAMS / name).read_text().splitlines()
    return parse_classic_stream(json.loads(line) for line in lines if line.strip())


def buildkit(name: str, exit_code: int = 0) -> list:
    return parse_buildkit_plain((STREAMS / name).read_text().splitlines(), exit_code)


def record(events: list, builder: str = "classic", labels: dict | None = None):
    recorder = Recorder(clock=iter(range(10_000)).__next__)
    for event in events:
        recorder.handle(event)
    return recorder.finish(builder, added_labels=labels)  # type: ignore[arg-type]


def started(events: list) -> list[tuple[int, str]]:
    return [(e.number, e.instruction) for e in events if isinstance(e, StepStarted)]


def test_very_old_zero_based_steps_are_numbered_from_one():
    events = classic("classic_step0_hand.jsonl")
    assert started(events) == [(1, "FROM busybox"), (2, "RUN echo hi")]
    result = record(events)
    assert result.steps[1].output == ["hi"]
    assert result.steps[1].layer_id == "8f14e45fceea"
    assert result.image_id == "8f14e45fceea"


def test_steps_without_a_total_and_a_layer_line_before_any_step():
    events = classic("classic_step1_hand.jsonl")
    assert started(events) == [(1, "VOLUME /data"), (2, 'CMD ["/bin/sh"]')]
    result = record(events)
    assert [s.layer_id for s in result.steps] == ["713bca62012e", "032b8b2855fc"]
    assert [s.outcome for s in result.steps] == ["ran", "ran"]
    assert result.steps[0].total is None


def test_pre_25_stream_reports_cache_hits_and_the_runner_label_step():
    events = classic("classic_pre25_hand.jsonl")
    result = record(events, labels={"org.layer-cache-workshop.project": "x"})
    assert [s.outcome for s in result.steps] == ["base", "cached", "cached", "cached", "ran", "ran"]
    assert result.steps[-1].added_by_runner
    assert [s.number for s in result.learner_steps] == [1, 2, 3, 4, 5]
    assert result.step("RUN pip").outcome == "cached"
    assert result.step("ADD").outcome == "ran"
    assert result.step("ADD").layer_id == "60e824a461ec"
    # aux carries the full id and wins over "Successfully built"; reported once only.
    assert sum(isinstance(e, BuildSucceeded) for e in events) == 1
    assert result.image_id.startswith("sha256:a399fcc1c787")
    assert result.tags == ["hello:latest"]
    assert result.succeeded


def test_25_stream_removed_line_before_layer_and_lines_split_across_messages():
    events = classic("classic_v25_hand.jsonl")
    result = record(events)
    run = result.step("RUN pip install")
    assert run.output == [
        "Collecting requests",
        "100%",  # the carriage-return redraw keeps what was drawn last
        "Installing collected packages: requests",
        "Successfully installed requests-2.32.3",
    ]
    assert not any("intermediate container" in line for s in result.steps for line in s.output)
    assert [s.layer_id for s in result.steps] == [
        "40479d8f9b6a",
        "2e289631de88",
        "9b8f72a1e05d",
        "f5a651fd5908",
        "f5a651fd5909",
    ]
    assert [s.outcome for s in result.steps] == ["base", "ran", "ran", "ran", "ran"]


def test_carriage_returns_keep_the_last_drawn_text():
    parser = ClassicStreamParser()
    parser.feed({"stream": "Step 1/2 : RUN x\n"})
    events = parser.feed({"stream": "Downloading\r 10%\r100%\n"})
    assert events == [OutputLine("1", "100%")]


def test_failed_run_names_the_step_and_keeps_its_output():
    events = classic("classic_failed_hand.jsonl")
    failures = [e for e in events if isinstance(e, BuildFailed)]
    assert len(failures) == 1
    assert failures[0].key == "2"
    assert "returned a non-zero code: 3" in failures[0].message
    result = record(events)
    step = result.step("RUN echo")
    assert step.outcome == "failed"
    assert step.output == ["about to fail"]
    assert not result.succeeded


def test_error_without_error_detail_uses_the_deprecated_field():
    parser = ClassicStreamParser()
    events = parser.feed({"error": "something broke"})
    assert events == [BuildFailed("something broke", None)]


def test_a_last_line_without_newline_is_flushed_on_close():
    parser = ClassicStreamParser()
    parser.feed({"stream": "Step 1/1 : FROM x\n"})
    assert parser.feed({"stream": " ---> 0123456789ab"}) == []
    assert parser.close() == [StepDone("1", "0123456789ab")]


def test_tagged_line_is_an_event():
    parser = ClassicStreamParser()
    assert parser.feed({"stream": "Successfully tagged hello:1\n"}) == [Tagged("hello:1")]


def test_using_cache_is_a_cache_hit():
    parser = ClassicStreamParser()
    parser.feed({"stream": "Step 2/3 : RUN true\n"})
    assert parser.feed({"stream": " ---> Using cache\n"}) == [CacheHit("2")]


def test_buildkit_plain_steps_cache_and_output():
    events = buildkit("buildkit_plain_hand.txt")
    assert started(events) == [
        (1, "FROM docker.io/library/python:3.11-slim"),
        (2, "WORKDIR /srv"),
        (3, "COPY requirements.txt /srv/requirements.txt"),
        (4, "RUN pip install -r requirements.txt"),
        (5, "ADD . /srv"),
    ]
    result = record(events, builder="buildkit")
    assert [s.outcome for s in result.steps] == ["base", "cached", "cached", "ran", "ran"]
    run = result.step("RUN pip")
    assert run.output == [
        "Collecting requests",
        "Downloading requests.whl",
        "Successfully installed requests-2.32.3",
    ]
    assert run.reported_seconds == pytest.approx(1.2)
    assert all(s.total == 5 for s in result.steps)


def test_buildkit_internal_vertices_are_not_steps():
    events = buildkit("buildkit_plain_hand.txt")
    instructions = [e.instruction for e in events if isinstance(e, StepStarted)]
    assert not any("internal" in i or "exporting" in i for i in instructions)


def test_buildkit_error_names_the_step_and_the_summary_does_not_repeat_output():
    events = buildkit("buildkit_failed_hand.txt", exit_code=1)
    failures = [e for e in events if isinstance(e, BuildFailed)]
    assert len(failures) == 1 and failures[0].key == "5"
    result = record(events, builder="buildkit")
    step = result.step("RUN echo")
    assert step.outcome == "failed"
    assert step.output == ["about to fail"]


def test_buildkit_nonzero_exit_without_error_line_still_fails():
    events = parse_buildkit_plain(["failed to solve: dockerfile parse error line 3"], 1)
    failure = events[-1]
    assert isinstance(failure, BuildFailed) and failure.key is None
    assert "parse error" in failure.message


def test_buildkit_multistage_keeps_stage_names_and_numbers():
    events = buildkit("buildkit_multistage_hand.txt")
    steps = [(e.stage, e.number, e.total) for e in events if isinstance(e, StepStarted)]
    assert steps == [
        ("builder", 1, 3),
        ("stage-1", 1, 2),
        ("builder", 2, 3),
        ("builder", 3, 3),
        ("stage-1", 2, 2),
    ]
    result = record(events, builder="buildkit")
    assert result.step("RUN pip wheel").output == ["Saved /wheels/requests.whl"]
    assert result.step("RUN echo built").outcome == "cached"
    assert result.step("RUN pip wheel").label == "builder 2"


def test_buildkit_steps_are_put_in_dockerfile_order() -> None:
    """Cached BuildKit steps arrive in solver order; results list them as written."""
    from checker.build.records import StepRecord, in_dockerfile_order

    arrived = [
        StepRecord("a", 3, "RUN pip install -r requirements.txt", 5, "app"),
        StepRecord("b", 1, "FROM python:3.11-slim", 3, "deps"),
        StepRecord("c", 2, "COPY requirements.txt .", 5, "app"),
        StepRecord("d", 1, "FROM python:3.11-slim", 5, "app"),
        StepRecord("e", 2, "RUN pip wheel", 3, "deps"),
    ]
    ordered = in_dockerfile_order(arrived, ["deps", "app"])
    assert [(step.stage, step.number) for step in ordered] == [
        ("deps", 1), ("deps", 2), ("app", 1), ("app", 2), ("app", 3)
    ]  # fmt: skip
    single = [StepRecord("x", 4, "ADD . /srv"), StepRecord("y", 3, "RUN pip install")]
    assert [step.number for step in in_dockerfile_order(single, ["stage-0"])] == [3, 4]


def test_stages_sharing_a_base_image_each_get_their_from_step() -> None:
    """BuildKit reports a shared FROM once, under either stage; the table shows both."""
    from checker.build.records import StepRecord, in_dockerfile_order, with_every_base

    def arrived(first_from_stage: str) -> list[StepRecord]:
        return [
            StepRecord("f", 1, "FROM docker.io/library/python:3.11-slim", 4, first_from_stage,
                       done=True),
            StepRecord("b2", 2, "RUN python -m venv /venv", 4, "builder", cached=True, done=True),
            StepRecord("s2", 2, "COPY --from=builder /venv /venv", 3, "stage-1", done=True),
            StepRecord("u2", 2, "RUN true", 2, "unused", done=True),
        ]  # fmt: skip

    tables = []
    for first in ("builder", "stage-1"):
        steps = with_every_base(arrived(first), ["builder", "stage-1", "never-built"])
        ordered = in_dockerfile_order(steps, ["builder", "stage-1", "unused", "never-built"])
        tables.append([(step.stage, step.number, step.outcome) for step in ordered])
    assert tables[0] == tables[1]
    assert ("stage-1", 1, "base") in tables[0] and ("builder", 1, "base") in tables[0]
    assert not any(stage == "never-built" for stage, _, _ in tables[0])


def test_a_one_stage_build_has_no_stage_names() -> None:
    """BuildKit may print ``[stage-0 2/4]`` for a one-stage file; the table says ``2``."""
    from checker.build.records import StepRecord, without_stage_names

    arrived = [
        StepRecord("f", 1, "FROM python:3.11-slim", 4, "stage-0", done=True),
        StepRecord("r", 4, "RUN --mount=type=cache,target=/root/.cache/pip pip install", 4,
                   "stage-0", done=True),
        StepRecord("w", 2, "WORKDIR /app", 4, None, cached=True, done=True),
    ]  # fmt: skip
    steps = without_stage_names(arrived)
    assert [step.label for step in steps] == ["1", "4", "2"]
    assert [step.outcome for step in steps] == ["base", "ran", "cached"]
    assert steps[2] is arrived[2]


# --- BuildKit's --progress=rawjson (buildx 0.13 and newer) --------------------------------
# buildkit_{rebuild,failed,multistage}_{plain,rawjson}.txt are real recordings: the same build
# run twice on this project's engine (Docker 26.1.5, buildx 0.13.1, containerd store), once
# with each progress form, with the files changed between so both runs did the same work.
# "FROM ... [stage-0 1/7]" in them is real too: BuildKit names a vertex shared with another
# build on the same engine (the same base image) after the build that asked for it first.

RECORDED = {"buildkit_rebuild": 0, "buildkit_failed": 1, "buildkit_multistage": 0}


def buildkit_rawjson(name: str, exit_code: int = 0) -> list:
    return parse_buildkit_rawjson((STREAMS / name).read_text().splitlines(), exit_code)


def comparable(result) -> tuple[list[tuple], str | None]:
    """What a learner is shown of each step. Timings differ between two runs, and stdout and
    stderr lines of one step may interleave differently, so output is compared as a multiset."""
    steps = [
        (s.number, s.stage, s.instruction, s.total, s.outcome, sorted(s.output))
        for s in result.steps
    ]
    return steps, result.error


@pytest.mark.parametrize("name", sorted(RECORDED))
def test_rawjson_and_plain_recordings_of_the_same_build_give_the_same_records(name: str):
    exit_code = RECORDED[name]
    plain = record(buildkit(f"{name}_plain.txt", exit_code), "buildkit")
    structured = record(buildkit_rawjson(f"{name}_rawjson.txt", exit_code), "buildkit")
    assert comparable(structured) == comparable(plain)
    assert structured.steps, "no steps were read from the rawjson stream"


def test_rawjson_rebuild_after_a_code_change_keeps_the_install_cached():
    result = record(buildkit_rawjson("buildkit_rebuild_rawjson.txt"), "buildkit")
    assert [s.outcome for s in result.steps] == ["base", "cached", "cached", "cached", "ran"]
    assert result.step("RUN pip install").outcome == "cached"
    # BuildKit's own measure: completed - started of the vertex.
    assert result.step("ADD").reported_seconds is not None
    assert 0 < result.step("ADD").reported_seconds < 60


def test_rawjson_failure_names_the_step_and_keeps_its_output_from_both_streams():
    events = buildkit_rawjson("buildkit_failed_rawjson.txt", 1)
    result = record(events, "buildkit")
    assert result.step("RUN echo first").output == ["first line", "second line", "to stderr"]
    failed = result.step("RUN echo before failing")
    assert failed.outcome == "failed" and failed.output == ["before failing"]
    assert "exit code: 1" in (result.error or "")
    assert all(s.instruction != "RUN echo never" for s in result.steps)
    assert sum(isinstance(e, BuildFailed) for e in events) == 1


def test_rawjson_multistage_keeps_stage_names():
    result = record(buildkit_rawjson("buildkit_multistage_rawjson.txt"), "buildkit")
    # The stages run in parallel, so the order of arrival varies from run to run.
    assert sorted((s.stage, s.number) for s in result.steps if s.keyword != "FROM") == [
        ("builder", 2), ("builder", 3), ("builder", 4),
        ("stage-1", 2), ("stage-1", 3), ("stage-1", 4),
    ]  # fmt: skip


def _log(vertex: str, data: bytes, stream: int = 1) -> dict:
    return {"vertex": vertex, "stream": stream, "data": base64.b64encode(data).decode()}


def test_rawjson_log_chunks_split_inside_a_line_are_joined():
    parser = BuildKitRawJsonParser()
    step = {"digest": "sha256:aa", "name": "[2/2] RUN make", "started": "2026-12-02T15:00:00Z"}
    events = parser.feed_update({"vertexes": [step]})
    events += parser.feed_update({"logs": [_log("sha256:aa", b"comp")]})
    events += parser.feed_update({"logs": [_log("sha256:aa", b"iling\nlast without newline")]})
    done = {**step, "completed": "2026-12-02T15:00:01.500000123Z"}
    events += parser.feed_update({"vertexes": [done]})
    assert [e.text for e in events if isinstance(e, OutputLine)] == [
        "compiling",
        "last without newline",
    ]
    assert [e.reported_seconds for e in events if isinstance(e, StepDone)] == [1.5]


def test_rawjson_compact_objects_and_queued_vertices():
    """One object per line (as newer clients may print) parses too; a vertex that is only
    queued (no ``started``) is not a step yet, as in plain output."""
    parser = BuildKitRawJsonParser()
    queued = {"vertexes": [{"digest": "sha256:bb", "name": "[1/1] FROM x"}]}
    assert parser.feed_line(json.dumps(queued)) == []
    cached = {"digest": "sha256:bb", "name": "[1/1] FROM x", "started": "t", "cached": True,
              "completed": "t"}  # fmt: skip
    events = parser.feed_line(json.dumps({"vertexes": [cached]}))
    assert [type(e) for e in events] == [StepStarted, CacheHit, StepDone]


# buildkit_registry_import_rawjson.txt is a real recording too: a build on an empty engine that
# imported its cache from a registry (`--cache-from type=registry,...`) after app.py changed.
# BuildKit lists the imported install step as cached, then again, started and completed without
# `cached`, while it fetches the layer for the step above.


def _updates(name: str) -> list[dict]:
    text, decoder, updates, at = (STREAMS / name).read_text(), json.JSONDecoder(), [], 0
    while (start := text.find("{", at)) >= 0:
        update, at = decoder.raw_decode(text, start)
        updates.append(update)
    return updates


def test_rawjson_step_from_an_imported_cache_is_cached_though_listed_again_without_it():
    result = record(buildkit_rawjson("buildkit_registry_import_rawjson.txt"), "buildkit")
    assert [s.outcome for s in result.steps] == ["base", "cached", "cached", "cached", "ran"]


def test_rawjson_cached_listing_after_a_plain_completion_still_makes_the_step_cached():
    """Under load the fetch listing (no `cached`) can arrive before the cached one."""
    updates = _updates("buildkit_registry_import_rawjson.txt")
    install = [
        (index, vertex)
        for index, update in enumerate(updates)
        for vertex in update.get("vertexes") or []
        if "RUN pip install" in vertex.get("name", "")
    ]
    fetched = [
        vertex for _, vertex in install if vertex.get("completed") and not vertex.get("cached")
    ]
    assert fetched, "the recording lists the install again without `cached`"
    first = min(index for index, _ in install)
    reordered = [*updates[:first], {"vertexes": fetched}, *updates[first:]]
    parser = BuildKitRawJsonParser()
    events = [event for update in reordered for event in parser.feed_update(update)]
    result = record(events, "buildkit")
    assert result.step("RUN pip install").outcome == "cached"
    key = result.step("RUN pip install").key
    assert sum(isinstance(e, StepDone) and e.key == key for e in events) == 1


def test_rawjson_link_vertex_of_a_copy_link_is_not_a_step_of_its_own():
    """BuildKit lays a `COPY --link` layer onto the new layers below with a vertex of its own,
    "[5/6] LINK COPY --link app.py ./"; the copy itself can be cached meanwhile."""
    parser = BuildKitRawJsonParser()
    start, end = "2026-12-05T15:00:00Z", "2026-12-05T15:00:01Z"
    vertexes = [
        {"digest": "sha256:c", "name": "[5/6] COPY --link app.py ./", "started": start,
         "completed": end, "cached": True},
        {"digest": "sha256:l", "name": "[5/6] LINK COPY --link app.py ./", "started": start,
         "completed": end},
    ]  # fmt: skip
    result = record(parser.feed_update({"vertexes": vertexes}), "buildkit")
    assert [(s.instruction, s.outcome) for s in result.steps] == [
        ("COPY --link app.py ./", "cached")
    ]
