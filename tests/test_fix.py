"""``grade --fix`` writes the suggested Dockerfile in place; ``grade --diff`` only shows it."""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path

import pytest

from checker.__main__ import main
from checker.grading import grade

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
