"""Batch grading: one row per submission, broken files included."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from checker.cli import main
from checker.grading.batch import find_submissions, grade_folder, rows_to_csv

GOOD = (
    "FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt .\n"
    "RUN pip install --no-cache-dir -r requirements.txt\nCOPY . .\n"
)
BAD = "FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n"


def _submissions(root: Path) -> Path:
    (root / "alice").mkdir(parents=True)
    (root / "alice" / "Dockerfile").write_text(GOOD)
    (root / "alice" / ".dockerignore").write_text(".git\n")
    (root / "alice" / "app.py").write_text("")
    (root / "alice" / "requirements.txt").write_text("six\n")  # the file the install reads
    (root / "bob").mkdir()
    (root / "bob" / "Dockerfile").write_text(BAD)
    (root / "carol.Dockerfile").write_bytes(b"FROM python\n\xff\xfe broken\n")
    (root / "dave").mkdir()
    (root / "dave" / "Dockerfile").write_bytes(b"\x00\x01\x02")
    (root / "notes.txt").write_text("not a submission")
    (root / "empty_folder").mkdir()
    return root


def test_submissions_are_folders_with_a_dockerfile_or_dockerfile_files(tmp_path: Path) -> None:
    root = _submissions(tmp_path / "class")
    names = [name for name, _, _ in find_submissions(root)]
    assert names == ["alice", "bob", "carol.Dockerfile", "dave"]


def test_every_submission_gets_a_row_and_errors_do_not_stop_the_batch(tmp_path: Path) -> None:
    rows = grade_folder(_submissions(tmp_path / "class"))
    by_name = {row["submission"]: row for row in rows}
    assert by_name["alice"]["grading_status"] == "graded"
    assert by_name["alice"]["dependency_cache"] == "kept"
    assert by_name["alice"]["passed"] is True
    assert by_name["bob"]["dependency_cache"] == "reinstalled"
    assert by_name["bob"]["LC002"] == 1
    assert "LC002" in by_name["bob"]["rules"].split(";")
    assert by_name["carol.Dockerfile"]["grading_status"].startswith("error: line 2")
    assert by_name["dave"]["grading_status"].startswith("error:")


def test_csv_rows_have_one_line_per_entry(tmp_path: Path) -> None:
    rows = grade_folder(_submissions(tmp_path / "class"))
    parsed = list(csv.DictReader(io.StringIO(rows_to_csv(rows))))
    assert len(parsed) == 6  # four submissions, and a row saying why the others are not
    assert parsed[0]["grading_status"] == "graded"
    by_name = {row["submission"]: row["grading_status"] for row in parsed}
    assert by_name["notes.txt"] == "skipped: not named like a Dockerfile"
    assert by_name["empty_folder"] == "skipped: a folder without a Dockerfile"


def test_batch_cli_writes_the_table_to_a_file(tmp_path: Path) -> None:
    root = _submissions(tmp_path / "class")
    out = tmp_path / "grades.json"
    assert main(["batch", str(root), "--format", "json", "--out", str(out)]) == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [row["submission"] for row in rows] == [
        "alice",
        "bob",
        "carol.Dockerfile",
        "dave",
        "empty_folder",
        "notes.txt",
    ]


def test_batch_cli_exits_2_on_a_missing_directory(tmp_path: Path, capsys) -> None:
    assert main(["batch", str(tmp_path / "missing")]) == 2
    assert "not a directory" in capsys.readouterr().err


def test_summary_counts_verdicts_rules_and_errors(tmp_path: Path) -> None:
    from checker.grading.batch import summarize

    summary = summarize(grade_folder(_submissions(tmp_path / "class")))
    assert summary["grading_status"] == {"graded": 2, "error": 2, "timeout": 0, "skipped": 2}
    assert summary["dependency_cache"] == {"kept": 1, "reinstalled": 1}
    assert summary["rules"]["LC002"] == 1
    assert summary["rules"]["LC001"] == 0


def test_a_submissions_linked_dockerfile_is_followed_inside_its_folder_only(
    tmp_path: Path,
) -> None:
    root = tmp_path / "class"
    (root / "erin").mkdir(parents=True)
    (root / "erin" / "Dockerfile.prod").write_text(BAD)
    (root / "erin" / "Dockerfile").symlink_to("Dockerfile.prod")  # as the docker CLI follows
    (root / "frank").mkdir()
    (root / "frank" / "Dockerfile").symlink_to("../erin/Dockerfile.prod")
    (root / "Dockerfile.gina").symlink_to("erin/Dockerfile.prod")  # an entry: never followed
    status = {row["submission"]: row for row in grade_folder(root, timeout=30)}
    assert (status["erin"]["grading_status"], status["erin"]["dependency_cache"]) == (
        "graded",
        "reinstalled",
    )
    assert (
        "is a link to ../erin/Dockerfile.prod, outside its folder and the build context"
        in (status["frank"]["grading_status"])
    )
    assert status["Dockerfile.gina"]["grading_status"] == (
        "error: a symbolic link to erin/Dockerfile.prod (links are not followed)"
    )
