"""The cache model predicts, step by step, what Docker takes from its cache."""

from __future__ import annotations

from pathlib import Path

from checker.cache import (
    CACHED,
    REBUILT,
    SKIPPED,
    ContextFiles,
    format_table,
    predict,
    source_matches,
)
from checker.dockerfile import parse

LESSON_GOOD = """FROM python:3.11-slim
WORKDIR /srv
COPY requirements.txt /srv/requirements.txt
RUN pip install -r requirements.txt
ADD . /srv
CMD ["python","run.py"]
"""


def statuses(text: str, changed=(), context=None, **options) -> list[tuple[int, str]]:
    prediction = predict(parse(text), changed, context, **options)
    return [(step.instruction.line, step.status) for step in prediction.steps]


def test_a_code_change_rebuilds_from_the_broad_copy_on() -> None:
    assert statuses(LESSON_GOOD, ["run.py"]) == [
        (1, CACHED),
        (2, CACHED),
        (3, CACHED),
        (4, CACHED),
        (5, REBUILT),
        (6, REBUILT),
    ]


def test_a_requirements_change_rebuilds_the_install() -> None:
    result = dict(statuses(LESSON_GOOD, ["requirements.txt"]))
    assert result[3] == REBUILT and result[4] == REBUILT


def test_nothing_changed_means_everything_cached() -> None:
    assert all(status == CACHED for _, status in statuses(LESSON_GOOD, []))


def test_source_patterns_follow_copy_semantics() -> None:
    assert source_matches(".", "src/app.py")
    assert source_matches("./", "app.py")
    assert source_matches("requirements.txt", "requirements.txt")
    assert not source_matches("requirements.txt", "app.py")
    assert source_matches("src", "src/pkg/mod.py")
    assert source_matches("src/", "src/pkg/mod.py")
    assert not source_matches("src", "srcfoo/x.py")
    assert source_matches("requirements*.txt", "requirements-dev.txt")
    assert not source_matches("*.txt", "docs/a.txt")  # * never crosses /
    assert source_matches("src/*.py", "src/app.py")
    assert not source_matches("src/*.py", "src/pkg/app.py")
    assert source_matches("src/*", "src/pkg/app.py")  # a matched directory copies its contents


def test_dockerignored_file_does_not_bust_the_copy(tmp_path: Path) -> None:
    (tmp_path / ".dockerignore").write_text("docs/\n*.md\n!KEEP.md\n**/*.log\n")
    context = ContextFiles.from_dir(tmp_path)
    text = "FROM python\nCOPY . /app\nRUN echo done\n"
    for ignored in ("docs/index.rst", "README.md", "a/b/c/debug.log"):
        assert dict(statuses(text, [ignored], context))[2] == CACHED, ignored
    assert dict(statuses(text, ["KEEP.md"], context))[2] == REBUILT
    assert dict(statuses(text, ["app.py"], context))[2] == REBUILT


def test_ignored_file_is_named_in_the_reason(tmp_path: Path) -> None:
    (tmp_path / ".dockerignore").write_text("*.md\n")
    prediction = predict(
        parse("FROM python\nCOPY . .\n"), ["README.md"], ContextFiles.from_dir(tmp_path)
    )
    assert ".dockerignore" in prediction.steps[1].reason


def test_dockerfile_specific_ignore_file_takes_precedence(tmp_path: Path) -> None:
    (tmp_path / ".dockerignore").write_text("")
    (tmp_path / "dev.Dockerfile.dockerignore").write_text("*.py\n")
    context = ContextFiles.from_dir(tmp_path, str(tmp_path / "dev.Dockerfile"))
    assert context.is_ignored("app.py")


def test_context_files_lists_what_is_sent(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "mod.py").write_text("")
    (tmp_path / "secret.env").write_text("")
    (tmp_path / ".dockerignore").write_text("*.env\n")
    files = ContextFiles.from_dir(tmp_path).files()
    assert "pkg/mod.py" in files
    assert "secret.env" not in files


def test_bind_mount_from_context_reruns_the_run_when_its_file_changes() -> None:
    text = (
        "FROM python\n"
        "RUN --mount=type=bind,source=requirements.txt,target=/r.txt pip install -r /r.txt\n"
        "COPY . .\n"
    )
    assert dict(statuses(text, ["requirements.txt"]))[2] == REBUILT
    assert dict(statuses(text, ["app.py"]))[2] == CACHED


def test_cache_and_secret_mounts_do_not_join_the_key() -> None:
    text = (
        "FROM python\n"
        "RUN --mount=type=cache,target=/root/.cache/pip --mount=type=secret,id=tok pip install x\n"
    )
    assert dict(statuses(text, ["app.py"]))[2] == CACHED


def test_changed_build_arg_busts_the_first_run_after_its_declaration() -> None:
    text = "FROM python\nARG VERSION\nENV A=1\nRUN echo hi\nRUN echo again\n"
    result = dict(statuses(text, [], changed_args=["VERSION"]))
    assert result[3] == CACHED
    assert result[4] == REBUILT
    assert result[5] == REBUILT


def test_global_arg_is_out_of_scope_in_a_stage_unless_redeclared() -> None:
    text = "ARG VERSION\nFROM python\nRUN echo hi\n"
    assert dict(statuses(text, [], changed_args=["VERSION"]))[3] == CACHED
    redeclared = "ARG VERSION\nFROM python\nARG VERSION\nRUN echo hi\n"
    assert dict(statuses(redeclared, [], changed_args=["VERSION"]))[4] == REBUILT


def test_global_arg_used_in_from_rebuilds_the_stage() -> None:
    text = "ARG PY=3.12\nFROM python:${PY}\nRUN echo hi\n"
    result = dict(statuses(text, [], changed_args=["PY"]))
    assert result[2] == REBUILT and result[3] == REBUILT


def test_edited_line_rebuilds_it_and_what_follows() -> None:
    result = dict(statuses(LESSON_GOOD, [], edited_lines=[2]))
    assert result[1] == CACHED and result[2] == REBUILT and result[6] == REBUILT


def test_copy_from_a_rebuilt_stage_misses_only_when_the_copied_path_was_written() -> None:
    text = (
        "FROM python AS builder\n"
        "WORKDIR /build\n"
        "COPY requirements.txt .\n"
        "RUN pip wheel -r requirements.txt -w /wheels\n"
        "COPY . .\n"
        "FROM python\n"
        "COPY --from=builder /wheels /wheels\n"
        "COPY --from=builder /build /src\n"
    )
    result = dict(statuses(text, ["app.py"]))
    assert result[5] == REBUILT
    assert result[7] == CACHED  # /wheels is the same
    assert result[8] == REBUILT  # /build got the new code


def test_stage_built_from_a_rebuilt_stage_is_rebuilt() -> None:
    text = "FROM python AS base\nCOPY . .\nFROM base\nRUN echo hi\n"
    result = dict(statuses(text, ["app.py"]))
    assert result[3] == REBUILT and result[4] == REBUILT


def test_buildkit_skips_unused_stages_and_classic_builds_them() -> None:
    text = "FROM python AS unused\nCOPY . .\nFROM python\nRUN echo hi\n"
    assert dict(statuses(text, ["app.py"]))[2] == SKIPPED
    assert dict(statuses(text, ["app.py"], builder="classic"))[2] == REBUILT


def test_target_selects_the_stages_built() -> None:
    text = "FROM python AS first\nRUN echo 1\nFROM python AS second\nRUN echo 2\n"
    result = dict(statuses(text, [], target="first"))
    assert result[2] == CACHED and result[4] == SKIPPED


def test_copy_from_an_image_and_heredoc_copy_are_not_context_reads() -> None:
    text = (
        "FROM python\n"
        "COPY --from=ghcr.io/astral-sh/uv:latest /uv /bin/uv\n"
        "COPY <<EOF /etc/app.conf\nkey=value\nEOF\n"
        "RUN echo ok\n"
    )
    assert all(status == CACHED for _, status in statuses(text, ["uv", "EOF", "app.py"]))


def test_format_table_has_a_row_per_step_with_the_reason() -> None:
    table = format_table(predict(parse(LESSON_GOOD), ["run.py"]))
    lines = table.splitlines()
    assert lines[0].split()[:5] == ["step", "line", "instruction", "status", "why"]
    assert len(lines) == 7
    assert "run.py changed" in lines[5]


def test_prediction_renders_as_text_and_notebook_html() -> None:
    prediction = predict(parse(LESSON_GOOD), ["run.py"])
    assert str(prediction) == format_table(prediction)
    first, second = prediction._repr_html_(), predict(parse(LESSON_GOOD), ["run.py"])._repr_html_()
    assert first == second
    assert "<script" not in first and first.count("<tr") == 7
