"""``python -m checker grade`` and ``explain``: output formats and exit codes."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from checker.cli import main

GOOD = (
    "FROM python:3.11-slim\nWORKDIR /srv\nCOPY requirements.txt /srv/requirements.txt\n"
    'RUN pip install --no-cache-dir -r requirements.txt\nADD . /srv\nCMD ["python","run.py"]\n'
)
BAD = (
    "FROM python:3.11-slim\nWORKDIR /srv\nCOPY requirements.txt /srv/requirements.txt\n"
    'ADD . /srv\nRUN pip install --no-cache-dir -r requirements.txt\nCMD ["python","run.py"]\n'
)


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    paths = {}
    for name, text in (("good", GOOD), ("bad", BAD), ("broken", "FROM python\nFOO bar\n")):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "Dockerfile").write_text(text, encoding="utf-8")
        paths[name] = folder / "Dockerfile"
    return paths


def test_grade_exits_0_when_all_pass(files, capsys) -> None:
    assert main(["grade", str(files["good"])]) == 0
    assert "PASSED" in capsys.readouterr().out


def test_grade_exits_1_when_one_fails(files, capsys) -> None:
    assert main(["grade", str(files["good"]), str(files["bad"])]) == 1
    out = capsys.readouterr().out
    assert "FAILED" in out and "LC001" in out


def test_grade_exits_2_with_one_line_on_stderr_for_unreadable_input(files, capsys) -> None:
    assert main(["grade", str(files["broken"])]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert "line 2" in err and "Traceback" not in err


def test_grade_exits_2_for_a_missing_file(tmp_path: Path, capsys) -> None:
    assert main(["grade", str(tmp_path / "nope")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_grade_accepts_a_directory_of_dockerfiles(files, capsys) -> None:
    root = files["good"].parent.parent
    assert main(["grade", "--format", "json", str(root / "good"), str(root / "bad")]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert [json.loads(line)["dependency_cache"] for line in lines] == ["kept", "reinstalled"]


def test_json_output_has_the_documented_shape(files, capsys) -> None:
    main(["grade", "--format", "json", str(files["bad"])])
    data = json.loads(capsys.readouterr().out)
    assert data["path"] == str(files["bad"])
    assert data["passed"] is False
    assert data["dependency_cache"] == "reinstalled"
    assert data["suggested_dockerfile"].count("\n") == GOOD.count("\n")
    assert {"rule", "line", "end_line", "severity", "message", "fix"} == set(data["findings"][0])


def test_csv_output_has_a_row_per_finding(files, capsys) -> None:
    main(["grade", "--format", "csv", str(files["good"]), str(files["bad"])])
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert rows[0]["path"] == str(files["good"]) and rows[0]["rule"] == ""
    assert any(row["rule"] == "LC001" and row["line"] == "4" for row in rows)


def test_sarif_output_is_minimal_valid_2_1_0(files, capsys) -> None:
    main(["grade", "--format", "sarif", str(files["bad"]), str(files["broken"])])
    log = json.loads(capsys.readouterr().out)
    assert log["version"] == "2.1.0"
    run = log["runs"][0]
    rule_ids = {rule["id"] for rule in run["tool"]["driver"]["rules"]}
    for result in run["results"]:
        assert result["ruleId"] in rule_ids
        assert result["level"] in ("error", "warning", "note")
        assert result["message"]["text"]
        region = result["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1
    assert {"LC001", "LC000"} <= {result["ruleId"] for result in run["results"]}


def test_grade_with_context_reports_missing_dockerignore(files, capsys) -> None:
    context = files["bad"].parent
    (context / "run.py").write_text("print('hi')\n")
    main(["grade", "--context", str(context), "--format", "json", str(files["bad"])])
    data = json.loads(capsys.readouterr().out)
    assert "LC004" in {finding["rule"] for finding in data["findings"]}


def test_explain_prints_the_step_table(files, capsys) -> None:
    assert main(["explain", str(files["good"]), "--changed", "run.py"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("step")
    install = next(line for line in out if "pip install" in line)
    add = next(line for line in out if "ADD . /srv" in line)
    assert " cached " in install and " rebuilt " in add


def test_explain_with_context_honours_dockerignore(files, capsys) -> None:
    context = files["good"].parent
    (context / ".dockerignore").write_text("*.md\n")
    main(["explain", str(files["good"]), "--context", str(context), "--changed", "README.md"])
    out = capsys.readouterr().out
    assert "rebuilt" not in out and ".dockerignore excludes it" in out


def test_explain_exits_2_on_a_broken_dockerfile(files, capsys) -> None:
    assert main(["explain", str(files["broken"]), "--changed", "x.py"]) == 2
    assert "line 2" in capsys.readouterr().err


def test_module_entry_point_runs_without_traceback(files) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "checker", "grade", str(files["broken"])],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_usage_errors_are_one_line_and_exit_2(capsys) -> None:
    with pytest.raises(SystemExit) as raised:
        main(["grade", "--format", "xml", "Dockerfile"])
    assert raised.value.code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "invalid choice" in err


def test_explain_accepts_changed_paths_named_from_outside_the_context(files, capsys) -> None:
    context = files["good"].parent
    (context / "run.py").write_text("print('hi')\n")
    main(
        [
            "explain",
            str(files["good"]),
            "--context",
            str(context),
            "--changed",
            str(context / "run.py"),
        ]
    )
    out = capsys.readouterr().out
    assert "run.py changed" in out
