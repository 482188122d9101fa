"""grade() never raises and never hangs, whatever text it is given."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.grading.grade import grade
from checker.grading.report import Report

KEYWORDS = ["FROM", "RUN", "COPY", "ADD", "ARG", "ENV", "WORKDIR", "CMD", "ONBUILD", "LABEL"]
PIECES = [
    "python:3.12",
    "AS builder",
    "--from=builder",
    "--mount=type=bind,source=.,target=/src",
    "--mount=type=cache,target=/root/.cache/pip",
    "pip install -r requirements.txt",
    "poetry install",
    "uv sync",
    ". .",
    "requirements*.txt ./",
    "<<EOF",
    "\\",
    "${VERSION}",
    "'",
    '"',
    "# checker ignore=LC001",
    "&&",
    '["python"]',
]

dockerfile_like = st.lists(
    st.tuples(st.sampled_from(KEYWORDS), st.lists(st.sampled_from(PIECES), max_size=4)),
    max_size=12,
).map(lambda lines: "\n".join(" ".join([keyword, *rest]) for keyword, rest in lines))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_grade_never_raises_on_arbitrary_text(text: str) -> None:
    report = grade(text)
    assert isinstance(report, Report)
    assert report.error is not None or report.dependency_cache is not None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dockerfile_like)
def test_grade_never_raises_on_dockerfile_like_text(text: str) -> None:
    report = grade("FROM python:3.12\n" + text)
    assert isinstance(report, Report)
    if report.suggested_dockerfile is not None:
        assert grade(report.suggested_dockerfile).dependency_cache == "kept"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "empty"),
        (b"   \n\n# only a comment\n", "FROM"),
        (b"\x00\x01binary\x00", "binary"),
        (b"FROM python\nRUN echo \xff\xfe\n", "UTF-8"),
        (b"FROM python\nFROBNICATE x\n", "unknown instruction"),
        (b"FROM python\nRUN <<EOF\necho never closed\n", "unterminated heredoc"),
        (b"RUN pip install flask\n", "FROM"),
        (b"FROM python\n" + b"RUN echo x\n" * 200_000, "larger than"),
    ],
    ids=["empty", "comments-only", "binary", "non-utf8", "unknown", "heredoc", "no-from", "huge"],
)
def test_bad_input_gives_a_clear_error_report(
    tmp_path: Path, content: bytes, expected: str
) -> None:
    path = tmp_path / "Dockerfile"
    path.write_bytes(content)
    report = grade(path)
    assert report.error is not None
    assert expected.lower() in report.error.lower(), report.error
    assert not report.passed and report.score == 0


def test_very_long_run_instruction_is_graded() -> None:
    """Thousands of chained commands in one RUN (cost must stay linear in the text)."""
    text = "FROM python\nRUN " + " && ".join(["pip install -r r.txt"] * 5000) + "\n"
    report = grade(text)
    assert report.error is None
    assert report.dependency_cache == "kept"
