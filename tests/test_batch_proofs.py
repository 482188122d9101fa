"""``batch DIR --prove --engine URL ...``: proofs spread over engines, every row accounted for.

The engine tests prove a small class on the real engine addressed twice (two socket paths
to one engine) plus one address where nothing answers, and across two engines: the second is
``CHECKER_SECOND_ENGINE`` when set (a URL), else one the test starts on this machine, lesson
10's throwaway engine (:class:`checker.lessons.ci_runner.Runner`: its own dockerd, data root,
socket and bridge, the base image loaded, all deleted after; it needs Linux, root and
``dockerd``, and the test skips saying which is missing). An engine that dies half-way cannot
be produced on demand, so the hand-over is tested with a runner that answers as verify does
when its engine goes away (its JSON error of kind ``engine``).
"""

from __future__ import annotations

import csv
import io
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from checker.cli import main
from checker.grading.batch import ROW_FIELDS, find_submissions, grade_folder, write_rows
from checker.verify.across_engines import (
    NOT_PROVEN,
    PROOF_FIELDS,
    ProofRun,
    iter_proofs,
    prove_rows,
)

BASE = "python:3.11-slim"
GOOD = (
    f"FROM {BASE}\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n"
    'COPY . .\nCMD ["python", "app.py"]\n'
)
BAD = (
    f"FROM {BASE}\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n"
    'CMD ["python", "app.py"]\n'
)
ENGINE_GONE = {
    "status": "error",
    "summary": "could not verify: no Docker engine answers (connection refused)",
    "error": {"kind": "engine", "message": "no Docker engine answers (connection refused)"},
}

# What verify answered when its engine was stopped in the middle of a build (seen on this
# machine: the dockerd's socket vanished, docker-py raised ConnectionError).
ENGINE_DIED = {
    "status": "error",
    "summary": "checker bug: ConnectionError: ('Connection aborted.', FileNotFoundError(2, "
    "'No such file or directory'))",
    "error": {
        "kind": "internal",
        "message": "ConnectionError: ('Connection aborted.', FileNotFoundError(2, "
        "'No such file or directory'))",
    },
}


def make_class(root: Path, count: int = 4) -> Path:
    for index in range(count):
        folder = root / f"student{index}"
        folder.mkdir(parents=True)
        (folder / "Dockerfile").write_text(BAD if index % 2 else GOOD, encoding="utf-8")
        (folder / "requirements.txt").write_text("idna\n", encoding="utf-8")
        (folder / "app.py").write_text(f"print('hello {index}')\n", encoding="utf-8")
    (root / "broken.Dockerfile").write_text("FROM python\nFOO bar\n", encoding="utf-8")
    return root


def _agreed(engine: str, dockerfile: Path, context: Path | None) -> dict:
    return {"status": "agreed", "summary": f"agreed on {engine}"}


@pytest.mark.parametrize("answer", [ENGINE_GONE, ENGINE_DIED], ids=["engine", "mid-build"])
def test_an_engine_that_stops_answering_hands_its_work_to_the_others(
    tmp_path: Path, answer: dict
) -> None:
    root = make_class(tmp_path, count=6)
    rows = grade_folder(root)
    alive = {"tcp://a:2375": True, "tcp://b:2375": True}
    a_started = threading.Event()

    def runner(engine: str, dockerfile: Path, context: Path | None) -> dict:
        if engine == "tcp://a:2375":
            a_started.set()
            alive[engine] = False  # a dies during its first proof
            return answer
        a_started.wait(10)  # let a take its first submission before b drains the queue
        return _agreed(engine, dockerfile, context)

    def probe(engine: str) -> tuple[str | None, str | None]:
        return (None, engine) if alive[engine] else ("ConnectionError: refused", None)

    run = prove_rows(rows, find_submissions(root), list(alive), runner, probe)
    graded = [row for row in rows if row["grading_status"] == "graded"]
    assert len(graded) == 6
    assert all(row["proof"] == "agreed" and row["engine"] == "tcp://b:2375" for row in graded)
    broken = next(row for row in rows if row["submission"] == "broken.Dockerfile")
    assert (broken["proof"], broken["engine"]) == ("", "")  # not graded, nothing to prove
    assert run.proved == {"tcp://b:2375": 6}
    assert run.lost["tcp://a:2375"].startswith("stopped answering: ConnectionError")
    assert "engine tcp://a:2375 dropped: stopped answering" in run.summary()
    assert run.complete


def test_when_every_engine_is_lost_the_rest_are_marked_not_proven(tmp_path: Path) -> None:
    root = make_class(tmp_path, count=3)
    rows = grade_folder(root)
    alive = {"tcp://a:2375", "tcp://b:2375"}

    def runner(engine: str, dockerfile: Path, context: Path | None) -> dict:
        alive.discard(engine)  # each engine dies during its first proof
        return ENGINE_GONE

    def probe(engine: str) -> tuple[str | None, str | None]:
        return (None, engine) if engine in alive else ("ConnectionError: refused", None)

    run = prove_rows(rows, find_submissions(root), sorted(alive), runner, probe)
    graded = [row for row in rows if row["grading_status"] == "graded"]
    assert [row["proof"] for row in graded] == [NOT_PROVEN] * 3
    assert set(run.lost) == {"tcp://a:2375", "tcp://b:2375"}
    assert "3 submission(s) not proven" in run.summary()
    assert not run.complete


def test_an_engine_error_on_a_live_engine_is_the_submissions_result(tmp_path: Path) -> None:
    root = make_class(tmp_path, count=1)
    rows = grade_folder(root)
    run = prove_rows(
        rows,
        find_submissions(root),
        ["tcp://a:2375"],
        lambda *args: ENGINE_GONE,
        lambda engine: (None, "one-engine-id"),
    )
    row = rows[1] if rows[0]["submission"] == "broken.Dockerfile" else rows[0]
    assert (row["proof"], row["engine"]) == ("error", "tcp://a:2375")
    assert run.lost == {}


def _written(stream: io.StringIO, submission: str, seconds: float = 10) -> bool:
    """Whether ``submission``'s row reaches ``stream`` within ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if f"\n{submission}," in stream.getvalue():
            return True
        time.sleep(0.01)
    return False


def test_proven_rows_are_written_as_each_proof_finishes(tmp_path: Path) -> None:
    """Issue 13: ``batch --prove`` wrote nothing until every proof was done, so a crash
    lost them all. Each proof here (the runner stands in for verify) waits to see the
    rows before it in the output: rows with nothing to prove at once, then each proven
    row as its proof ends."""
    root = make_class(tmp_path, count=3)
    rows = grade_folder(root)
    stream = io.StringIO()
    seen: list[str] = []

    def runner(engine: str, dockerfile: Path, context: Path | None) -> dict:
        assert context is not None
        if not seen:
            assert _written(stream, "broken.Dockerfile"), "ungraded row not written first"
        else:
            assert _written(stream, seen[-1]), f"{seen[-1]}'s row not written after its proof"
        seen.append(context.name)
        return _agreed(engine, dockerfile, context)

    run = ProofRun(rows)
    proven = iter_proofs(
        run, find_submissions(root), ["tcp://a:2375"], runner, lambda e: (None, "id")
    )
    assert write_rows(proven, stream, "csv", (*ROW_FIELDS, *PROOF_FIELDS)) == 4
    assert seen == ["student0", "student1", "student2"]
    written = list(csv.DictReader(io.StringIO(stream.getvalue())))
    assert [row["submission"] for row in written] == [
        "broken.Dockerfile",
        "student0",
        "student1",
        "student2",
    ]
    assert [row["proof"] for row in written] == ["", "agreed", "agreed", "agreed"]
    assert run.proved == {"tcp://a:2375": 3} and run.complete


def test_a_runner_that_raises_leaves_an_error_row_not_a_lost_one(tmp_path: Path) -> None:
    root = make_class(tmp_path, count=2)
    rows = grade_folder(root)

    def runner(engine: str, dockerfile: Path, context: Path | None) -> dict:
        if context is not None and context.name == "student0":
            raise RuntimeError("boom")
        return _agreed(engine, dockerfile, context)

    run = ProofRun(rows)
    written = list(
        iter_proofs(run, find_submissions(root), ["tcp://a:2375"], runner, lambda e: (None, "i"))
    )
    assert len(written) == len(rows) == 3
    proofs = {row["submission"]: (row["proof"], row["proof_summary"]) for row in written}
    assert proofs["student0"] == ("error", "the proof failed: RuntimeError: boom")
    assert proofs["student1"][0] == "agreed"


def test_engine_flags_need_prove(tmp_path: Path, capsys) -> None:
    make_class(tmp_path, count=1)
    assert main(["batch", str(tmp_path), "--engine", "tcp://a:2375"]) == 2
    assert "--engine and --proof-timeout go with --prove" in capsys.readouterr().err


@pytest.mark.docker
def test_a_class_is_proven_and_every_row_accounted_for(tmp_path: Path, engine, capsys) -> None:
    """The real engine under two addresses (counted once, not raced against itself) and an
    address where nothing answers (named, its share done by the others)."""
    root = make_class(tmp_path / "class", count=3)
    out = tmp_path / "grades.csv"
    first, second = "unix:///var/run/docker.sock", "unix:///run/docker.sock"
    dead = f"unix://{tmp_path}/nobody.sock"
    engines = ["--engine", dead, "--engine", first, "--engine", second]
    code = main(
        ["batch", str(root), "--prove", "--out", str(out), "--proof-timeout", "300", *engines]
    )
    err = capsys.readouterr().err
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert len(rows) == 4, rows
    graded = [row for row in rows if row["grading_status"] == "graded"]
    assert len(graded) == 3
    assert all(row["proof"] == "agreed" for row in graded), [r["proof_summary"] for r in graded]
    assert {row["engine"] for row in graded} == {first}
    assert f"engine {dead} dropped: does not answer" in err
    assert f"engine {second} dropped: the same engine as {first}" in err
    assert f"proofs per engine: {first}: 3" in err
    assert code == 0, err


@pytest.fixture
def second_engine(engine) -> Iterator[str]:
    """A second engine's URL: ``CHECKER_SECOND_ENGINE``, else a throwaway engine started
    here for the test (lesson 10's cold runner) and deleted after it."""
    given = os.environ.get("CHECKER_SECOND_ENGINE")
    if given:
        yield given
        return
    from checker.lessons.ci_runner import Runner, unavailable

    reason = unavailable()
    if reason:
        pytest.skip(f"no second engine: {reason} (or set CHECKER_SECOND_ENGINE to one's URL)")
    with Runner() as runner:  # its bridge takes a /24 no route of this machine uses
        yield runner.host


@pytest.mark.docker
def test_a_class_is_proven_across_two_engines(
    tmp_path: Path, engine, second_engine: str, capsys
) -> None:
    root = make_class(tmp_path / "class", count=4)
    out = tmp_path / "grades.csv"
    first = os.environ.get("DOCKER_HOST") or "unix:///var/run/docker.sock"
    engines = ["--engine", first, "--engine", second_engine]
    code = main(
        ["batch", str(root), "--prove", "--out", str(out), "--proof-timeout", "300", *engines]
    )
    err = capsys.readouterr().err
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    graded = [row for row in rows if row["grading_status"] == "graded"]
    assert len(graded) == 4
    assert all(row["proof"] == "agreed" for row in graded), [r["proof_summary"] for r in graded]
    # Each engine took a submission at the start, so both proved some.
    assert {row["engine"] for row in graded} == {first, second_engine}
    assert "dropped" not in err
    assert code == 0, err
