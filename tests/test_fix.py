"""``grade --fix`` writes the suggested Dockerfile in place; ``grade --diff`` only shows it."""

from __future__ import annotations

import contextlib
import json
import shutil
from pathlib import Path

import pytest

from checker.cli import main
from checker.grading.grade import grade

CASES = Path(__file__).resolve().parent / "grading_cases"
LESSON_BAD = CASES / "lesson_bad.Dockerfile"  # notebook 05's project, install after ADD .
MULTI_STAGE = CASES / "builder_copies_all_first.Dockerfile"  # COPY . . before pip wheel


def _copy(source: Path, folder: Path, name: str = "Dockerfile") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    shutil.copy2(source, target)
    return target


def test_fix_rewrites_the_lessons_bad_dockerfile_into_one_that_keeps_the_install(
    tmp_path: Path, capsys
) -> None:
    path = _copy(LESSON_BAD, tmp_path)
    before = grade(path)
    assert before.dependency_cache == "reinstalled"

    assert main(["grade", str(path), "--fix"]) == 0
    out = capsys.readouterr().out
    assert f"fixed {path} (dependency cache: reinstalled -> kept" in out
    assert 'line 6 moved to line 5, now above "ADD . /srv": RUN pip install' in out
    assert path.read_text(encoding="utf-8") == before.suggested_dockerfile
    after = grade(path)
    assert (after.dependency_cache, after.passed) == ("kept", True)
    assert "LC001" not in {finding.rule for finding in after.findings}

    # A second run has nothing left to do and leaves the file alone.
    fixed = path.read_bytes()
    assert main(["grade", str(path), "--fix"]) == 0
    assert capsys.readouterr().out == f"{path}: nothing to fix\n"
    assert path.read_bytes() == fixed


def test_fix_reorders_a_multi_stage_builder(tmp_path: Path, capsys) -> None:
    path = _copy(MULTI_STAGE, tmp_path)
    assert main(["grade", str(path), "--fix"]) == 0
    out = capsys.readouterr().out
    assert "line 4 added: COPY requirements.txt ./" in out
    after = grade(path)
    assert after.dependency_cache == "kept"
    lines = path.read_text(encoding="utf-8").splitlines()
    builder = lines[: lines.index("FROM python:3.12-slim")]
    assert builder.index("COPY requirements.txt ./") < builder.index("COPY . .")
    assert builder.index("RUN pip wheel --no-cache-dir -r requirements.txt -w /wheels") < (
        builder.index("COPY . .")
    )
    # The final stage was right already and is untouched.
    assert lines[-3:] == [
        "COPY --from=builder /wheels /wheels",
        "RUN pip install --no-cache-dir /wheels/*",
        "COPY . /app",
    ]


@pytest.mark.parametrize("case", [LESSON_BAD, MULTI_STAGE], ids=["lesson", "multi-stage"])
def test_diff_prints_the_fix_and_writes_nothing(tmp_path: Path, capsys, case: Path) -> None:
    path = _copy(case, tmp_path)
    original = path.read_bytes()
    suggestion = grade(path).suggested_dockerfile
    assert main(["grade", str(path), "--diff"]) == 1  # it still fails as it stands
    diff = capsys.readouterr().out
    assert path.read_bytes() == original
    assert diff.startswith(f"--- {path}\n+++ {path}\n@@ ")
    # Applying the hunks by hand gives the suggestion: the diff is the whole change.
    assert _apply(original.decode(), diff) == suggestion


def _apply(text: str, diff: str) -> str:
    """A minimal unified-diff applier (one file, hunks in order), to check the diff."""
    source = text.splitlines(keepends=True)
    result: list[str] = []
    position = 0
    for line in diff.splitlines(keepends=True)[2:]:
        if line.startswith("@@"):
            start = int(line.split()[1].split(",")[0].lstrip("-"))
            result.extend(source[position : start - 1])
            position = start - 1
        elif line.startswith(" "):
            assert source[position] == line[1:]
            result.append(line[1:])
            position += 1
        elif line.startswith("-"):
            assert source[position] == line[1:]
            position += 1
        elif line.startswith("+"):
            result.append(line[1:])
    result.extend(source[position:])
    return "".join(result)


def test_diff_with_a_relative_path_uses_git_prefixes(tmp_path: Path, capsys, monkeypatch) -> None:
    _copy(LESSON_BAD, tmp_path)
    monkeypatch.chdir(tmp_path)
    main(["grade", "Dockerfile", "--diff"])
    assert capsys.readouterr().out.startswith("--- a/Dockerfile\n+++ b/Dockerfile\n")


def test_fix_leaves_good_and_unreadable_files_alone(tmp_path: Path, capsys) -> None:
    good = _copy(CASES / "lesson_good.Dockerfile", tmp_path / "good")
    broken = tmp_path / "broken" / "Dockerfile"
    broken.parent.mkdir()
    broken.write_text("FROM python\nFOO bar\n", encoding="utf-8")
    before = good.read_bytes(), broken.read_bytes()
    assert main(["grade", str(good), str(broken), "--fix"]) == 2
    captured = capsys.readouterr()
    assert f"{good}: nothing to fix" in captured.out
    assert f"{broken}: not fixed: line 2:" in captured.out
    assert f"checker: {broken}: line 2:" in captured.err
    assert (good.read_bytes(), broken.read_bytes()) == before


def test_fix_and_diff_together_are_a_usage_error(tmp_path: Path, capsys) -> None:
    path = _copy(LESSON_BAD, tmp_path)
    with pytest.raises(SystemExit) as stopped:
        main(["grade", str(path), "--fix", "--diff"])
    assert stopped.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err


@pytest.mark.docker
def test_the_fixed_lesson_dockerfile_builds_and_keeps_the_install_on_a_code_change(
    sample_context: Path, engine, capsys
) -> None:
    from checker.build import build

    dockerfile = _copy(LESSON_BAD, sample_context)
    assert main(["grade", str(dockerfile), "--context", str(sample_context), "--fix"]) == 0
    assert "fixed" in capsys.readouterr().out
    images = []
    try:
        first = build(sample_context, live=False, table=False)
        images.append(first.image_id)
        assert first.succeeded
        (sample_context / "run.py").write_text('print("Hello again")\n', encoding="utf-8")
        second = build(sample_context, live=False, table=False)
        images.append(second.image_id)
        assert second.step("RUN pip install").outcome == "cached"
        assert second.step("ADD . /srv").outcome == "ran"
    finally:
        for image in reversed(images):
            with contextlib.suppress(Exception):
                engine.remove_image(image, force=True)


def test_fix_keeps_crlf_line_ends_and_a_missing_final_newline(tmp_path: Path, capsys) -> None:
    path = _copy(CASES / "windows_line_endings.Dockerfile", tmp_path)
    assert not path.read_bytes().endswith(b"\n")
    assert main(["grade", str(path), "--no-config", "--diff"]) == 1
    diff = capsys.readouterr().out
    assert "\n+COPY requirements.txt ./\r\n" in diff  # only the real change, in CRLF
    assert "\n-FROM" not in diff

    assert main(["grade", str(path), "--no-config", "--fix"]) == 0
    fixed = path.read_bytes()
    assert fixed.count(b"\r\n") == fixed.count(b"\n") == 7  # 8 lines, CRLF; no newline added
    assert fixed.endswith(b'CMD ["python", "app.py"]')
    assert b"COPY requirements.txt ./\r\nRUN pip install" in fixed

    unix = tmp_path / "unix" / "Dockerfile"
    unix.parent.mkdir()
    unix.write_bytes(fixed.replace(b"\r\n", b"\n") + b"\n")  # LF, with a final newline
    before = unix.read_bytes()
    assert main(["grade", str(unix), "--no-config", "--fix"]) == 0
    assert "nothing to fix" in capsys.readouterr().out and unix.read_bytes() == before


def test_fix_as_json_prints_the_report_after_fixing_and_what_changed(
    tmp_path: Path, capsys
) -> None:
    path = _copy(LESSON_BAD, tmp_path)
    good = _copy(CASES / "lesson_good.Dockerfile", tmp_path / "good")
    assert main(["grade", str(path), str(good), "--no-config", "--fix", "--format", "json"]) == 0
    fixed, untouched = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert (fixed["path"], fixed["dependency_cache"], fixed["passed"]) == (str(path), "kept", True)
    assert fixed["fix"]["written"] is True and fixed["fix"]["file"] == str(path)
    assert fixed["fix"]["before"] == {"dependency_cache": "reinstalled", "score": 12}
    assert any(change.startswith("line 6 moved to line 5") for change in fixed["fix"]["changes"])
    assert untouched["fix"] == {
        "written": False,
        "file": str(good),
        "changes": [],
        "reason": "nothing to fix",
        "before": {"dependency_cache": "kept", "score": 97},
    }


@pytest.mark.parametrize(
    ("flags", "said"),
    [
        (["--fix", "--format", "github"], "--fix prints text or json, not --format github"),
        (["--diff", "--format", "json"], "--diff prints text, not --format json"),
    ],
)
def test_fix_and_diff_refuse_a_format_they_cannot_print(
    tmp_path: Path, capsys, flags: list[str], said: str
) -> None:
    path = _copy(LESSON_BAD, tmp_path)
    original = path.read_bytes()
    assert main(["grade", str(path), *flags]) == 2
    captured = capsys.readouterr()
    assert said in captured.err and captured.out == ""
    assert path.read_bytes() == original


def test_a_linked_dockerfile_is_graded_and_fixed_through_its_target(tmp_path: Path, capsys) -> None:
    target = _copy(LESSON_BAD, tmp_path, "Dockerfile.prod")
    link = tmp_path / "Dockerfile"
    link.symlink_to("Dockerfile.prod")
    report = grade(link)
    assert (report.error, report.path, report.dependency_cache) == (None, str(link), "reinstalled")

    assert main(["grade", str(link), "--no-config", "--fix"]) == 0
    out = capsys.readouterr().out
    assert f"fixed {target}, the file the link {link} points to" in out
    assert link.is_symlink() and grade(target).dependency_cache == "kept"


def test_a_dockerfile_linking_out_of_its_folder_broken_or_looping_is_refused_by_name(
    tmp_path: Path, capsys
) -> None:
    outside = _copy(LESSON_BAD, tmp_path / "elsewhere")
    folder = tmp_path / "service"
    folder.mkdir()
    for name, points_to in [
        ("Dockerfile", str(outside)),
        ("Dockerfile.broken", "missing"),
        ("Dockerfile.loop", "Dockerfile.loop"),
    ]:
        (folder / name).symlink_to(points_to)
    expected = {
        "Dockerfile": f"is a link to {outside}, outside its folder (not read",
        "Dockerfile.broken": "is a broken link to missing (not read)",
        "Dockerfile.loop": "is a link loop to Dockerfile.loop (not read)",
    }
    for name, said in expected.items():
        assert said in (grade(folder / name).error or ""), name
        assert main(["grade", str(folder / name), "--no-config", "--fix"]) == 2
        captured = capsys.readouterr()
        assert f"{folder / name}: not fixed: {folder / name} {said}" in captured.out
        assert "Too many levels" not in captured.out + captured.err
    assert outside.read_bytes() == LESSON_BAD.read_bytes()  # never written through the link
    # The build context widens where a link may point.
    assert grade(folder / "Dockerfile", tmp_path).error is None


def test_explain_follows_a_linked_dockerfile_as_grade_does(tmp_path: Path, capsys) -> None:
    _copy(LESSON_BAD, tmp_path, "Dockerfile.prod")
    (tmp_path / "Dockerfile").symlink_to("Dockerfile.prod")
    assert main(["explain", str(tmp_path / "Dockerfile"), "--changed", "run.py"]) == 0
    assert "RUN pip install" in capsys.readouterr().out
