"""grade(): the lesson's two Dockerfiles, the report's fields, suggestions and ignores."""

from __future__ import annotations

from pathlib import Path

import checker
from checker.grading.grade import grade
from checker.grading.report import Report

GOOD = """FROM python:3.11-slim
WORKDIR /srv
COPY requirements.txt /srv/requirements.txt
RUN pip install -r requirements.txt
ADD . /srv
CMD ["python","run.py"]
"""

BAD = """FROM python:3.11-slim
WORKDIR /srv
COPY requirements.txt /srv/requirements.txt
ADD . /srv
RUN pip install -r requirements.txt
CMD ["python","run.py"]
"""


def test_lesson_good_dockerfile_keeps_the_install_and_passes() -> None:
    report = grade(GOOD)
    assert report.error is None
    assert report.dependency_cache == "kept"
    assert report.passed
    assert report.suggested_dockerfile is None


def test_lesson_bad_dockerfile_reinstalls_with_a_finding_on_the_add_line() -> None:
    report = grade(BAD)
    assert report.dependency_cache == "reinstalled"
    assert not report.passed
    lc001 = [finding for finding in report.findings if finding.rule == "LC001"]
    assert len(lc001) == 1
    assert (lc001[0].line, lc001[0].end_line) == (4, 4)
    assert lc001[0].severity == "error"
    assert "line 5" in lc001[0].message
    assert "RUN pip install -r requirements.txt\nADD . /srv" in lc001[0].fix


def test_lesson_bad_dockerfile_gets_the_good_one_as_suggestion() -> None:
    report = grade(BAD)
    assert report.suggested_dockerfile == GOOD
    assert grade(report.suggested_dockerfile).dependency_cache == "kept"


def test_grade_reads_a_path_and_keeps_it_in_the_report(tmp_path: Path) -> None:
    path = tmp_path / "Dockerfile"
    path.write_text(BAD, encoding="utf-8")
    by_path = grade(path)
    by_str = grade(str(path))
    by_dir = grade(tmp_path)
    assert by_path.path == str(path)
    assert by_str.dependency_cache == by_dir.dependency_cache == "reinstalled"


def test_checker_grade_is_the_lazy_alias() -> None:
    assert checker.grade is grade


def test_insert_copy_fix_puts_the_manifest_copy_before_the_broad_copy() -> None:
    report = grade(
        "FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n"
    )
    assert report.suggested_dockerfile == (
        "FROM python:3.12\nWORKDIR /app\nCOPY requirements.txt ./\n"
        "RUN pip install -r requirements.txt\nCOPY . .\n"
    )


def test_comments_move_with_the_instruction_they_describe() -> None:
    text = (
        "FROM python:3.12\nWORKDIR /app\nCOPY requirements.txt .\nCOPY . .\n"
        "# the dependencies\nRUN pip install -r requirements.txt\nCMD python app.py\n"
    )
    suggestion = grade(text).suggested_dockerfile
    assert suggestion is not None
    assert "# the dependencies\nRUN pip install -r requirements.txt\nCOPY . ." in suggestion


def test_bind_mount_of_everything_is_fixed_by_binding_the_manifest() -> None:
    text = (
        "FROM python:3.12\n"
        "RUN --mount=type=bind,source=.,target=/src pip install -r /src/requirements.txt\n"
        "COPY . /app\n"
    )
    suggestion = grade(text).suggested_dockerfile
    assert suggestion is not None
    assert "--mount=type=bind,source=requirements.txt,target=/src/requirements.txt" in suggestion


def test_inline_ignore_on_the_line_before_or_at_the_end_silences_a_rule() -> None:
    before = BAD.replace("ADD . /srv\n", "# checker ignore=LC001\nADD . /srv\n")
    at_end = BAD.replace("ADD . /srv\n", "ADD . /srv # checker ignore=LC007, LC001\n")
    for text in (before, at_end):
        report = grade(text)
        assert "LC001" not in {finding.rule for finding in report.findings}
        assert report.dependency_cache == "reinstalled"  # the verdict is not silenced


def test_ignore_for_another_rule_keeps_the_finding() -> None:
    text = BAD.replace("ADD . /srv\n", "# checker ignore=LC002\nADD . /srv\n")
    assert "LC001" in {finding.rule for finding in grade(text).findings}


def test_scores_order_good_above_cached_rerun_above_reinstall() -> None:
    cached = (
        "FROM python:3.12\nCOPY . .\n"
        "RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt\n"
    )
    good, partial, bad = grade(GOOD), grade(cached), grade(BAD)
    assert partial.dependency_cache == "reinstalled-with-cache"
    assert good.score > partial.score > bad.score
    assert 0 <= bad.score <= 100


def test_report_json_dict_has_the_documented_keys() -> None:
    data = grade(BAD).as_dict()
    assert list(data) == [
        "path",
        "passed",
        "score",
        "dependency_cache",
        "findings",
        "suggested_dockerfile",
    ]
    assert set(data["findings"][0]) == {"rule", "line", "end_line", "severity", "message", "fix"}


def test_html_rendering_is_self_contained_and_deterministic() -> None:
    report = grade(BAD)
    first, second = report._repr_html_(), grade(BAD)._repr_html_()
    assert first == second
    assert "<script" not in first
    assert "<style>" in first
    assert "lc-hit" in first  # the finding's line is highlighted
    assert "ADD . /srv" in first


def test_text_rendering_names_verdict_rule_and_fix() -> None:
    text = grade(BAD).to_text()
    assert "reinstalled" in text
    assert "LC001" in text
    assert "fix:" in text


def test_error_report_is_a_report_not_an_exception() -> None:
    report = grade("FROM python:3.12\nRUN pip install flask\nFOO bar\n")
    assert isinstance(report, Report)
    assert report.error is not None and "line 3" in report.error
    assert not report.passed and report.score == 0 and report.dependency_cache is None


def test_a_context_supplies_the_application_file_and_dockerignore(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("flask\n")
    (tmp_path / "run.py").write_text("print('hi')\n")
    (tmp_path / "Dockerfile").write_text(BAD)
    report = grade(tmp_path / "Dockerfile", tmp_path)
    rules = {finding.rule for finding in report.findings}
    assert "LC004" in rules  # no .dockerignore, and ADD . copies everything
    lc001 = next(finding for finding in report.findings if finding.rule == "LC001")
    assert "run.py" in lc001.message
    (tmp_path / ".dockerignore").write_text(".git\n")
    assert "LC004" not in {
        finding.rule for finding in grade(tmp_path / "Dockerfile", tmp_path).findings
    }


def test_only_python_files_that_dockerignore_excludes_means_nothing_reinstalls(
    tmp_path: Path,
) -> None:
    (tmp_path / "requirements.txt").write_text("flask\n")
    (tmp_path / "notes.py").write_text("x = 1\n")
    (tmp_path / ".dockerignore").write_text("*.py\n")
    text = "FROM python:3.12\nCOPY . .\nRUN pip install --no-cache-dir -r requirements.txt\n"
    report = grade(text, tmp_path)
    assert report.dependency_cache == "kept"


def test_project_install_with_requirements_in_context_gets_a_pip_suggestion(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("flask\n")
    (tmp_path / "app.py").write_text("")
    (tmp_path / ".dockerignore").write_text(".git\n")
    text = "FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install --no-cache-dir .\n"
    report = grade(text, tmp_path)
    assert report.dependency_cache == "reinstalled"
    assert report.suggested_dockerfile is not None
    # The dependency install keeps the learner's --no-cache-dir.
    expected = (
        "COPY requirements.txt ./\nRUN pip install --no-cache-dir -r requirements.txt\nCOPY . ."
    )
    assert expected in (report.suggested_dockerfile)
    assert grade(report.suggested_dockerfile, tmp_path).dependency_cache == "kept"


def test_suggestion_resolves_absolute_manifest_paths_against_workdir() -> None:
    text = (
        "FROM python:3.12\nWORKDIR /app\nCOPY . .\n"
        "RUN pip install --no-cache-dir -r /app/requirements.txt\n"
    )
    suggestion = grade(text).suggested_dockerfile
    assert suggestion is not None
    assert (
        "COPY requirements.txt ./\nRUN pip install --no-cache-dir -r /app/requirements.txt\n"
        in (suggestion)
    )


def test_classic_builder_builds_unused_stages_and_buildkit_skips_them() -> None:
    text = (
        "FROM python:3.12 AS experiment\nCOPY . .\nRUN pip install -r requirements.txt\n"
        "FROM python:3.12\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n"
        "COPY . .\n"
    )
    assert grade(text).dependency_cache == "kept"
    classic = grade(text, builder="classic")
    assert classic.dependency_cache == "reinstalled"
    assert "LC002" in {finding.rule for finding in classic.findings}


def test_copy_all_then_bind_all_is_fixed_by_binding_the_manifest_above_the_copy() -> None:
    text = (
        "FROM python:3.12\nWORKDIR /code\nCOPY . .\n"
        "RUN --mount=type=bind,source=.,target=/tmp/src pip install -r /tmp/src/requirements.txt\n"
    )
    assert grade(text).suggested_dockerfile == (
        "FROM python:3.12\nWORKDIR /code\n"
        "RUN --mount=type=bind,source=requirements.txt,target=/tmp/src/requirements.txt"
        " pip install -r /tmp/src/requirements.txt\nCOPY . .\n"
    )


def test_suggestion_keeps_the_workdir_and_setup_steps_between_copy_and_install_above_it() -> None:
    # The install once moved above the WORKDIR (pip then ran in / and found no
    # requirements.txt) and above ENV/RUN steps it relied on.
    text = (
        "FROM python:3.11-slim\nCOPY . /app\nWORKDIR /app\n"
        "RUN apt-get update && apt-get install -y gcc\nENV PIP_INDEX_URL=http://i/simple\n"
        "RUN pip install --no-cache-dir -r requirements.txt\n"
    )
    report = grade(text)
    assert report.suggested_dockerfile == (
        "FROM python:3.11-slim\nWORKDIR /app\n"
        "RUN apt-get update && apt-get install -y gcc\nENV PIP_INDEX_URL=http://i/simple\n"
        "COPY requirements.txt /app/\nRUN pip install --no-cache-dir -r requirements.txt\n"
        "COPY . /app\n"
    )
    fix = next(f.fix for f in report.findings if f.rule == "LC002")
    assert fix.startswith("WORKDIR /app\nRUN apt-get")


def test_no_suggestion_when_the_reorder_would_change_the_copy_or_the_manifest() -> None:
    relative = "FROM a\nCOPY . .\nWORKDIR /app\nRUN pip install -r requirements.txt\n"
    generated = (
        "FROM a\nWORKDIR /app\nCOPY . .\nRUN python gen.py > requirements.txt\n"
        "RUN pip install -r requirements.txt\n"
    )
    for text in (relative, generated):
        report = grade(text)
        assert report.dependency_cache == "reinstalled"
        assert report.suggested_dockerfile is None
