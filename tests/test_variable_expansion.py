"""ENV/ARG variables in COPY/ADD/WORKDIR and install paths, expanded as Docker does.

Unit tests grade the Dockerfiles; the engine tests (marked ``docker``) build the suggested
Dockerfile twice on the real engine to prove it builds and keeps the install cached.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.cache import REBUILT, predict
from checker.dockerfile import parse
from checker.dockerfile.variables import environment_at, expand, try_expand
from checker.grading.grade import grade
from checker.verify.proof import verify

BASE = "python:3.11-slim"
ARG_REQ = (
    f"FROM {BASE}\nARG REQ=requirements.txt\nWORKDIR /app\nCOPY ${{REQ}} ./\n"
    "RUN pip install --no-cache-dir -r ${REQ}\nCOPY . .\n"
)
ENV_APP = (
    f"FROM {BASE}\nENV APP=/app\nWORKDIR $APP\nCOPY . $APP\n"
    "RUN pip install --no-cache-dir -r $APP/requirements.txt\n"
)


def make_context(root: Path, dockerfile: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "Dockerfile").write_text(dockerfile)
    (root / "requirements.txt").write_text("idna\n")
    (root / "app.py").write_text("print('hello')\n")
    (root / ".dockerignore").write_text(".git\n__pycache__/\n")
    return root


# --------------------------------------------------------------------------------------
# The expansion itself


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("$A", "a"),
        ("${A}/x", "a/x"),
        ("${NOPE}", ""),
        ("${NOPE:-dflt}", "dflt"),
        ("${EMPTY:-dflt}", "dflt"),
        ("${EMPTY-dflt}", ""),
        ("${A:+alt}", "alt"),
        ("${NOPE:+alt}", ""),
        ("${EMPTY+alt}", "alt"),
        ("${NOPE:-${A}}", "a"),
        ("'$A'", "$A"),
        ('"$A b"', "a b"),
        ("\\$A", "$A"),
        ("${FILE%.txt}.in", "req.in"),
        ("${FILE#r}", "eq.txt"),
        ("plain", "plain"),
    ],
)
def test_expand_follows_dockers_rules(word: str, expected: str) -> None:
    env = {"A": "a", "EMPTY": "", "FILE": "req.txt"}
    assert expand(word, env) == expected


def test_try_expand_leaves_unknown_variables_to_the_shell() -> None:
    assert try_expand("$APP/requirements.txt", {"APP": "/app"}) == "/app/requirements.txt"
    assert try_expand("$HOME/requirements.txt", {}) is None


def test_values_are_scoped_to_the_stage_and_to_the_instruction() -> None:
    dockerfile = parse(
        "ARG GLOBAL=/g\nARG UNUSED=/u\n"
        f"FROM {BASE} AS base\nARG GLOBAL\nENV DIR=${{GLOBAL}}/src\nARG LOCAL=local\n"
        "COPY $UNUSED $DIR/ ${LOCAL} /dest/\n"
        "ENV DIR=/later\n"
        "WORKDIR $DIR\n"
        "FROM base\nCOPY $DIR $LOCAL $GLOBAL ./\n"
    )
    first, second = (item for item in dockerfile.instructions if item.keyword == "COPY")
    # A global ARG is seen only where the stage re-declares it; ENV values expand ARGs.
    assert first.resolved_arguments == ("", "/g/src/", "local", "/dest/")
    assert first.arguments[0] == "$UNUSED"  # the text as written is kept
    workdir = next(item for item in dockerfile.instructions if item.keyword == "WORKDIR")
    assert workdir.resolved_arguments == ("/later",)
    # A child stage inherits ENV, not ARG.
    assert second.resolved_arguments == ("/later", "", "", "./")
    assert environment_at(dockerfile, second) == {"DIR": "/later"}


def test_a_copy_source_named_by_a_variable_is_matched_expanded() -> None:
    dockerfile = parse(f"FROM {BASE}\nARG SRC=src\nCOPY ${{SRC:-lib}} ./src\nRUN echo\n")
    prediction = predict(dockerfile, ["src/app.py"])
    copy = next(item for item in dockerfile.instructions if item.keyword == "COPY")
    assert prediction.status_of(copy) == REBUILT
    assert predict(dockerfile, ["lib/app.py"]).status_of(copy) != REBUILT


def test_workdir_from_env_resolves_copy_destinations_for_copy_from() -> None:
    dockerfile = parse(
        f"FROM {BASE} AS build\nENV OUT=/wheels\nWORKDIR /src\nCOPY . .\n"
        "RUN pip wheel -r requirements.txt -w /wheels\nCOPY docs/ $OUT/docs/\n"
        f"FROM {BASE}\nCOPY --from=build /wheels/*.whl /tmp/\nRUN pip install /tmp/*.whl\n"
    )
    copy = next(item for item in dockerfile.instructions if item.flag("from") == "build")
    # Only docs/ changed: the rebuilt COPY writes /wheels/docs, under /wheels.
    assert predict(dockerfile, ["docs/index.md"]).status_of(copy) == REBUILT


# --------------------------------------------------------------------------------------
# Grading


def test_arg_named_requirements_copied_alone_are_kept(tmp_path: Path) -> None:
    report = grade(ARG_REQ)
    assert report.dependency_cache == "kept" and report.passed
    assert not [f for f in report.findings if f.rule in ("LC002", "LC003")]
    context = make_context(tmp_path / "ctx", ARG_REQ)
    report = grade(ARG_REQ, context)
    assert report.dependency_cache == "kept" and report.passed


def test_env_named_destination_gets_a_fix_that_keeps_the_learners_variable(
    tmp_path: Path,
) -> None:
    context = make_context(tmp_path / "ctx", ENV_APP)
    for where in (None, context):
        report = grade(ENV_APP, where)
        assert report.dependency_cache == "reinstalled"
        lc003 = next(f for f in report.findings if f.rule == "LC003")
        assert lc003.fix.splitlines()[0] == "COPY requirements.txt $APP/"
        assert "$APP/$APP" not in (report.suggested_dockerfile or "")
        assert "requirements.txt reaches the image" in lc003.message
        again = grade(report.suggested_dockerfile, where)
        assert again.dependency_cache == "kept", again


def test_a_variable_the_dockerfile_does_not_set_is_left_as_written() -> None:
    text = f"FROM {BASE}\nCOPY . .\nRUN pip install -r $HOME/requirements.txt\n"
    report = grade(text)
    assert report.dependency_cache == "reinstalled"
    assert any("$HOME/requirements.txt" in f.message for f in report.findings)


# --------------------------------------------------------------------------------------
# The real engine


def _install_step(report: object) -> object:
    return next(
        step
        for step in report.steps  # type: ignore[attr-defined]
        if step.instruction.startswith("RUN pip install")
    )


@pytest.mark.docker
def test_env_fix_builds_and_keeps_the_install(tmp_path: Path, docker_engine: None) -> None:
    context = make_context(tmp_path / "env", ENV_APP)
    suggested = grade(ENV_APP, context).suggested_dockerfile
    assert suggested is not None
    (context / "Dockerfile").write_text(suggested)
    report = verify(context / "Dockerfile", context, timeout=300)
    assert report.error is None, report.error
    assert report.exit_code == 0 and report.status == "agreed", report.summary()
    install = _install_step(report)
    assert (install.predicted, install.actual) == ("cached", "cached")  # type: ignore[attr-defined]


@pytest.mark.docker
def test_arg_named_requirements_build_and_keep_the_install(
    tmp_path: Path, docker_engine: None
) -> None:
    context = make_context(tmp_path / "arg", ARG_REQ)
    report = verify(context / "Dockerfile", context, timeout=300)
    assert report.error is None, report.error
    assert report.exit_code == 0 and report.status == "agreed", report.summary()
    install = _install_step(report)
    assert (install.predicted, install.actual) == ("cached", "cached")  # type: ignore[attr-defined]
