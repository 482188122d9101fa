"""``[tool.checker]`` / ``.checker.toml``: settings found upward from the Dockerfile change the
result, flags override them, and a mistake in the file is a clear exit 2."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from checker.cli import main

CASES = Path(__file__).resolve().parent / "grading_cases"
LESSON_GOOD = CASES / "lesson_good.Dockerfile"  # kept; one info finding (LC007)
LESSON_BAD = CASES / "lesson_bad.Dockerfile"  # reinstalled; LC001 error, LC007 info
VOLATILE = CASES / "volatile_arg.Dockerfile"  # kept; one warning (LC006)


def _place(case: Path, folder: Path, name: str = "Dockerfile") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy2(case, folder / name))


def _grade_json(capsys, *args: str) -> tuple[int, list[dict]]:
    code = main(["grade", *args, "--format", "json"])
    out = capsys.readouterr().out
    return code, [json.loads(line) for line in out.splitlines()]


def _rules(report: dict) -> list[str]:
    return [finding["rule"] for finding in report["findings"]]


def test_pyproject_ignore_drops_the_rule_and_recounts_the_score(tmp_path: Path, capsys) -> None:
    path = _place(LESSON_GOOD, tmp_path / "service")
    _, (plain,) = _grade_json(capsys, str(path))
    assert (_rules(plain), plain["score"]) == (["LC007"], 97)

    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.checker]\nignore = ["lc007"]\n', encoding="utf-8"
    )
    _, (configured,) = _grade_json(capsys, str(path))
    assert (_rules(configured), configured["score"]) == ([], 100)


def test_fail_on_warning_fails_a_kept_dockerfile_with_a_warning(tmp_path: Path, capsys) -> None:
    path = _place(VOLATILE, tmp_path)
    assert main(["grade", str(path)]) == 0
    (tmp_path / ".checker.toml").write_text('fail-on = "warning"\n', encoding="utf-8")
    assert main(["grade", str(path)]) == 1
    assert "FAILED" in capsys.readouterr().out
    # The flag overrides the file, both ways.
    assert main(["grade", str(path), "--fail-on", "error"]) == 0
    (tmp_path / ".checker.toml").write_text('fail-on = "error"\n', encoding="utf-8")
    assert main(["grade", str(_place(LESSON_GOOD, tmp_path / "good")), "--fail-on", "info"]) == 1


def test_ignoring_lc001_does_not_pass_a_reinstalling_dockerfile(tmp_path: Path, capsys) -> None:
    path = _place(LESSON_BAD, tmp_path)
    (tmp_path / ".checker.toml").write_text('ignore = ["LC001"]\n', encoding="utf-8")
    code, (report,) = _grade_json(capsys, str(path))
    assert code == 1
    assert (report["dependency_cache"], _rules(report)) == ("reinstalled", ["LC007"])


def test_per_path_ignores_match_relative_paths_and_bare_names(tmp_path: Path, capsys) -> None:
    legacy = _place(LESSON_BAD, tmp_path / "legacy" / "old")
    current = _place(LESSON_BAD, tmp_path / "current")
    named = _place(LESSON_GOOD, tmp_path / "current", "worker.Dockerfile")
    (tmp_path / ".checker.toml").write_text(
        '[per-path-ignores]\n"legacy/*" = ["LC001"]\n"worker.*" = ["LC007"]\n', encoding="utf-8"
    )
    _, reports = _grade_json(capsys, str(legacy), str(current), str(named))
    assert [_rules(report) for report in reports] == [["LC007"], ["LC001", "LC007"], []]


def test_format_default_from_the_config_and_the_flag_wins(tmp_path: Path, capsys) -> None:
    path = _place(LESSON_BAD, tmp_path)
    (tmp_path / ".checker.toml").write_text('format = "github"\n', encoding="utf-8")
    main(["grade", str(path)])
    assert capsys.readouterr().out.startswith("::error file=")
    main(["grade", str(path), "--format", "text"])
    assert capsys.readouterr().out.startswith(f"{path}: FAILED")


def test_the_nearest_file_wins_and_a_pyproject_without_the_table_is_passed_over(
    tmp_path: Path, capsys
) -> None:
    path = _place(LESSON_GOOD, tmp_path / "a" / "b")
    (tmp_path / ".checker.toml").write_text('ignore = ["LC007"]\n', encoding="utf-8")
    (tmp_path / "a" / "pyproject.toml").write_text(
        '[project]\nname = "x"\n[project.scripts]\nchecker = "x:main"\n[tool.ruff]\n',
        encoding="utf-8",
    )
    _, (report,) = _grade_json(capsys, str(path))
    assert _rules(report) == []  # the top .checker.toml applies
    # In one folder .checker.toml beats pyproject.toml.
    (tmp_path / "a" / "b" / "pyproject.toml").write_text(
        '[tool.checker]\nfail-on = "info"\n', encoding="utf-8"
    )
    (tmp_path / "a" / "b" / ".checker.toml").write_text("ignore = []\n", encoding="utf-8")
    code, (report,) = _grade_json(capsys, str(path))
    assert (code, _rules(report)) == (0, ["LC007"])
    # --no-config reads neither; --ignore replaces the config's list.
    code, (report,) = _grade_json(capsys, str(path), "--no-config")
    assert (code, _rules(report)) == (0, ["LC007"])
    _, (report,) = _grade_json(capsys, str(path), "--ignore", "LC007")
    assert _rules(report) == []


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        (
            "pyproject.toml",
            '[tool.checker]\nignores = ["LC007"]\n',
            "pyproject.toml: [tool.checker]: unknown key 'ignores' (known keys: ignore,",
        ),
        (".checker.toml", 'fail_on = "warning"\n', ".checker.toml: unknown key 'fail_on'"),
        (".checker.toml", 'ignore = ["LC999"]\n', ".checker.toml: ignore: unknown rule LC999"),
        (".checker.toml", 'ignore = "LC007"\n', ".checker.toml: ignore: must be a list"),
        (".checker.toml", 'fail-on = "fatal"\n', "fail-on = 'fatal'; use one of error, warning,"),
        (".checker.toml", 'format = "xml"\n', "format = 'xml'; use one of text,"),
        (".checker.toml", "ignore = [\n", ".checker.toml: not valid TOML:"),
    ],
)
def test_a_mistake_in_the_config_is_exit_2_naming_file_and_key(
    tmp_path: Path, capsys, name: str, text: str, expected: str
) -> None:
    path = _place(LESSON_GOOD, tmp_path)
    (tmp_path / name).write_text(text, encoding="utf-8")
    assert main(["grade", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"checker: {tmp_path / name}: ")
    assert expected in captured.err
    assert captured.err.count("\n") == 1


def test_an_unknown_rule_in_the_ignore_flag_is_exit_2(tmp_path: Path, capsys) -> None:
    path = _place(LESSON_GOOD, tmp_path)
    assert main(["grade", str(path), "--ignore", "LC007,LC042"]) == 2
    assert "--ignore LC007,LC042: unknown rule LC042" in capsys.readouterr().err
