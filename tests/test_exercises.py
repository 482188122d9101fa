"""Lesson 8's exercises: every model answer passes with the proof, typical mistakes do not,
and each mistake's finding names the line to look at."""

from __future__ import annotations

import textwrap

import pytest

from checker.lessons import exercises
from checker.lessons.exercises import EXERCISES, check, hint, solution


def test_there_are_at_least_six_exercises_each_on_a_project_of_its_own():
    assert len(EXERCISES) >= 6
    assert len({exercise.project for exercise in EXERCISES.values()}) == len(EXERCISES)


@pytest.mark.parametrize("name", sorted(EXERCISES))
def test_no_hint_gives_away_a_line_of_the_solution(name: str):
    exercise = EXERCISES[name]
    lines = [line.strip() for line in textwrap.dedent(exercise.solution).splitlines()]
    for text in exercise.hints:
        for line in lines:
            if len(line) > 12:
                assert line not in text, f"hint of {name!r} holds solution line {line!r}"


def test_the_solution_is_held_back_until_the_exercise_was_tried(capsys, monkeypatch):
    monkeypatch.setattr(exercises, "_tried", set())
    solution("order")
    assert "Try it first" in capsys.readouterr().out
    check("order", "FROM python:3.11-slim\nCOPY . .\n", prove=False)
    solution("order")
    assert "COPY requirements.txt" in capsys.readouterr().out
    solution("lock", force=True)
    assert "uv sync --locked" in capsys.readouterr().out


def test_hints_go_up_to_the_last_and_stop_there(capsys):
    hint("order", 99)
    assert capsys.readouterr().out.startswith("hint 3 of 3")


@pytest.mark.docker
@pytest.mark.parametrize("name", sorted(EXERCISES))
def test_every_model_solution_passes_with_the_proof(name: str):
    result = check(name, EXERCISES[name].solution)
    assert result.proof is not None
    assert result.passed, result.text()


def _lines(result) -> set[int]:
    return {finding.line for finding in result.all_findings()}


@pytest.mark.docker
def test_an_answer_that_installs_nothing_fails_at_the_final_from_and_the_cmd():
    result = check(
        "order",
        """
        FROM python:3.11-slim
        WORKDIR /app
        COPY . .
        CMD ["python", "app.py"]
        """,
    )
    assert not result.passed
    assert {1, 4} <= _lines(result), result.text()
    assert "No module named" in result.text()


@pytest.mark.docker
def test_a_dependency_stage_the_final_image_never_copies_fails_at_its_install():
    result = check(
        "multi-stage",
        """
        FROM python:3.11-slim AS deps
        RUN python -m venv /venv
        COPY requirements/ /tmp/requirements/
        RUN /venv/bin/pip install --no-cache-dir -r /tmp/requirements/prod.txt

        FROM python:3.11-slim
        WORKDIR /app
        COPY app.py .
        CMD ["python", "app.py"]
        """,
    )
    assert not result.passed
    assert {4, 9} <= _lines(result), result.text()
    assert "LC010" in result.text()
    # Said once: the grade's LC010, not also a finding of the proof's own.
    assert len([f for f in result.all_findings() if f.line == 4]) == 1, result.text()


@pytest.mark.docker
def test_an_install_missing_its_included_requirements_file_fails_at_the_install():
    result = check(
        "multi-stage",
        """
        FROM python:3.11-slim AS deps
        RUN python -m venv /venv
        COPY requirements/prod.txt /tmp/prod.txt
        RUN /venv/bin/pip install --no-cache-dir -r /tmp/prod.txt

        FROM python:3.11-slim
        COPY --from=deps /venv /venv
        ENV PATH=/venv/bin:$PATH
        WORKDIR /app
        COPY app.py .
        CMD ["python", "app.py"]
        """,
    )
    assert not result.passed
    assert 4 in _lines(result), result.text()
    assert "the build failed" in result.text()


@pytest.mark.docker
def test_an_arg_before_the_install_reruns_it_for_every_new_version():
    result = check(
        "build-arg",
        """
        FROM python:3.11-slim
        ARG VERSION=dev
        ENV APP_VERSION=$VERSION
        WORKDIR /app
        COPY requirements.txt .
        RUN pip install --no-cache-dir -r requirements.txt
        COPY . .
        CMD ["python", "app.py"]
        """,
    )
    assert not result.passed
    assert 6 in _lines(result), result.text()


@pytest.mark.docker
def test_a_dockerignore_that_leaves_git_in_reruns_the_copy():
    result = check("dockerignore", "notebooks/\ndata/\n")
    assert not result.passed
    assert 5 in _lines(result), result.text()


@pytest.mark.docker
def test_without_a_cache_mount_adding_a_package_downloads_everything_again():
    result = check(
        "add-package",
        """
        FROM python:3.11-slim
        WORKDIR /app
        COPY requirements.txt .
        RUN pip install --no-cache-dir -r requirements.txt
        COPY . .
        CMD ["python", "app.py"]
        """,
    )
    assert not result.passed
    assert 4 in _lines(result), result.text()
    assert "downloaded" in result.text()


@pytest.mark.docker
def test_a_uv_sync_that_relocks_a_stale_lock_fails_at_the_install():
    result = check(
        "lock",
        """
        FROM python:3.11-slim
        RUN pip install --no-cache-dir uv==0.13.9
        ENV UV_LINK_MODE=copy
        WORKDIR /app
        COPY pyproject.toml uv.lock ./
        RUN --mount=type=cache,target=/root/.cache/uv uv sync --no-install-project --no-dev
        COPY . .
        RUN --mount=type=cache,target=/root/.cache/uv uv sync --no-dev --no-editable
        ENV PATH="/app/.venv/bin:$PATH"
        CMD ["python", "-m", "greet.app"]
        """,
    )
    assert not result.passed
    assert [f.line for f in result.proof.findings] == [6], result.text()
    assert "locked again inside the image" in result.text()
    # The same answer with --locked stops at the stale lock and passes.
    locked = check("lock", EXERCISES["lock"].solution)
    assert locked.passed, locked.text()
    assert "stale lock" in locked.text()


# Wrong answers the static grade must fail without building (prove=False), each at its line,
# and correct variants it must pass: the grade reads what is in the image at each step.


def _static(name: str, answer: str):
    result = check(name, answer, prove=False)
    assert result.proof is None
    return result


def test_an_install_before_anything_is_copied_fails_at_the_install():
    result = _static(
        "order",
        """
        FROM python:3.11-slim
        WORKDIR /app
        RUN pip install --no-cache-dir -r requirements.txt
        COPY . .
        CMD ["python", "app.py"]
        """,
    )
    assert not result.passed
    assert 3 in _lines(result), result.text()
    assert "/app/requirements.txt" in result.text()


def test_a_requirements_file_copied_elsewhere_than_the_install_reads_fails():
    result = _static(
        "order",
        """
        FROM python:3.11-slim
        WORKDIR /app
        COPY requirements.txt /tmp/
        RUN pip install --no-cache-dir -r requirements.txt
        COPY . .
        CMD ["python", "app.py"]
        """,
    )
    assert not result.passed
    assert 4 in _lines(result), result.text()


def test_an_included_requirements_file_left_out_of_the_stage_fails_at_the_install():
    result = _static(
        "multi-stage",
        """
        FROM python:3.11-slim AS deps
        RUN python -m venv /venv
        COPY requirements/prod.txt /tmp/requirements/
        RUN /venv/bin/pip install --no-cache-dir -r /tmp/requirements/prod.txt

        FROM python:3.11-slim
        COPY --from=deps /venv /venv
        ENV PATH=/venv/bin:$PATH
        WORKDIR /app
        COPY app.py .
        CMD ["python", "app.py"]
        """,
    )
    assert not result.passed
    assert 4 in _lines(result), result.text()
    assert "base.txt" in result.text()


def test_a_project_installed_from_its_pyproject_alone_fails_at_the_install():
    result = _static(
        "project",
        """
        FROM python:3.11-slim
        WORKDIR /app
        COPY requirements.txt .
        RUN pip install --no-cache-dir -r requirements.txt
        COPY pyproject.toml .
        RUN pip install --no-cache-dir --no-deps .
        CMD ["shop"]
        """,
    )
    assert not result.passed
    assert 6 in _lines(result), result.text()
    assert "src/shop" in result.text()


def test_an_answer_that_never_installs_the_project_fails_at_its_cmd():
    result = _static(
        "project",
        """
        FROM python:3.11-slim
        WORKDIR /app
        COPY requirements.txt .
        RUN pip install --no-cache-dir -r requirements.txt
        COPY . .
        CMD ["shop"]
        """,
    )
    assert not result.passed
    assert 6 in _lines(result), result.text()
    assert "installs the project itself" in result.text()


def test_a_cache_mount_in_roots_home_after_user_does_not_count_as_a_cache_mount():
    result = _static(
        "add-package",
        """
        FROM python:3.11-slim
        RUN useradd -m app
        USER app
        WORKDIR /home/app
        COPY requirements.txt .
        RUN --mount=type=cache,target=/root/.cache/pip pip install --user -r requirements.txt
        COPY . .
        CMD ["python", "app.py"]
        """,
    )
    assert not result.passed
    assert 6 in _lines(result), result.text()
    assert "/home/app/.cache/pip" in result.text()


def test_an_install_told_to_keep_no_cache_fails_the_cache_mount_exercise():
    result = _static(
        "add-package",
        """
        FROM python:3.11-slim
        WORKDIR /app
        COPY requirements.txt .
        RUN --mount=type=cache,target=/root/.cache/pip \\
            pip install --no-cache-dir -r requirements.txt
        COPY . .
        CMD ["python", "app.py"]
        """,
    )
    assert not result.passed
    assert 4 in _lines(result), result.text()


@pytest.mark.parametrize("name", sorted(EXERCISES))
def test_every_model_solution_passes_the_static_grade(name: str):
    result = _static(name, EXERCISES[name].solution)
    assert result.passed, result.text()


@pytest.mark.parametrize(
    ("name", "answer"),
    [
        (
            "order",
            """
            # syntax=docker/dockerfile:1
            FROM python:3.11-slim
            WORKDIR /app
            COPY --link requirements.txt .
            RUN <<EOF
            set -e
            pip install --no-cache-dir -r requirements.txt
            EOF
            COPY --link . .
            CMD ["python", "app.py"]
            """,
        ),
        (
            "order",
            """
            FROM python:3.11-slim
            ARG APP=/app
            ARG REQ=requirements.txt
            WORKDIR ${APP}
            COPY ${REQ} ${APP}/
            RUN pip install --no-cache-dir -r ${APP}/${REQ}
            COPY . ${APP}
            CMD ["python", "app.py"]
            """,
        ),
        (
            "order",
            """
            FROM python:3.11-slim AS build
            COPY requirements.txt .
            RUN pip install --no-cache-dir --user -r requirements.txt
            FROM python:3.11-slim
            COPY --from=build /root/.local /root/.local
            ENV PATH=/root/.local/bin:$PATH
            WORKDIR /app
            COPY . .
            CMD ["python", "app.py"]
            """,
        ),
        (
            "order",
            """
            FROM python:3.11-slim AS src
            WORKDIR /src
            COPY . .
            FROM python:3.11-slim
            WORKDIR /app
            COPY --from=src /src/requirements.txt .
            RUN pip install --no-cache-dir -r requirements.txt
            COPY --from=src /src .
            CMD ["python", "app.py"]
            """,
        ),
        (
            "order",
            """
            FROM python:3.11-slim
            WORKDIR /app
            RUN --mount=type=bind,source=requirements.txt,target=requirements.txt \\
                pip install --no-cache-dir -r requirements.txt
            COPY . .
            CMD ["python", "app.py"]
            """,
        ),
        (
            "multi-stage",
            """
            FROM python:3.11-slim AS deps
            RUN python -m venv /venv
            COPY requirements/base.txt requirements/prod.txt /tmp/req/
            RUN /venv/bin/pip install --no-cache-dir -r /tmp/req/prod.txt
            FROM python:3.11-slim
            COPY --from=deps /venv /venv
            ENV PATH=/venv/bin:$PATH
            WORKDIR /app
            COPY app.py .
            CMD ["python", "app.py"]
            """,
        ),
        (
            "project",
            """
            FROM python:3.11-slim
            WORKDIR /app
            COPY requirements.txt .
            RUN pip install --no-cache-dir -r requirements.txt
            COPY . .
            RUN pip install --no-cache-dir --no-deps .
            CMD ["shop"]
            """,
        ),
        (
            "add-package",
            """
            FROM python:3.11-slim
            RUN useradd -m app
            USER app
            WORKDIR /home/app
            COPY requirements.txt .
            RUN --mount=type=cache,target=/home/app/.cache/pip,uid=1000 \\
                pip install --user -r requirements.txt
            COPY . .
            CMD ["python", "app.py"]
            """,
        ),
    ],
)
def test_correct_variants_pass_the_static_grade(name: str, answer: str):
    result = _static(name, answer)
    assert result.passed, result.text()


# Without builds (prove=False): answers whose dependency stage is built but whose packages never
# reach the final image's python must still fail, at a line.


def test_a_dependency_stage_reached_only_through_a_stamp_file_fails_at_its_install():
    result = check(
        "order",
        """
        FROM python:3.11-slim AS deps
        COPY requirements.txt .
        RUN pip install --no-cache-dir -r requirements.txt
        RUN echo ok > /stamp
        FROM python:3.11-slim
        WORKDIR /app
        COPY --from=deps /stamp /stamp
        COPY . .
        CMD ["python", "app.py"]
        """,
        prove=False,
    )
    assert not result.passed
    assert 3 in _lines(result), result.text()
    assert "copies only /stamp" in result.text()


def test_a_venv_copied_but_not_on_path_fails_at_its_copy():
    result = check(
        "multi-stage",
        """
        FROM python:3.11-slim AS deps
        RUN python -m venv /venv
        COPY requirements/ /tmp/requirements/
        RUN /venv/bin/pip install --no-cache-dir -r /tmp/requirements/prod.txt
        FROM python:3.11-slim
        COPY --from=deps /venv /venv
        WORKDIR /app
        COPY app.py .
        CMD ["python", "app.py"]
        """,
        prove=False,
    )
    assert not result.passed
    assert 6 in _lines(result), result.text()
    assert "/venv/bin on PATH" in result.text()


@pytest.mark.parametrize(
    "answer",
    [
        # the venv's python named by CMD instead of PATH
        """
        FROM python:3.11-slim AS deps
        RUN python -m venv /venv
        COPY requirements/ /tmp/requirements/
        RUN /venv/bin/pip install --no-cache-dir -r /tmp/requirements/prod.txt
        FROM python:3.11-slim
        COPY --from=deps /venv /venv
        WORKDIR /app
        COPY app.py .
        CMD ["/venv/bin/python", "app.py"]
        """,
        # the image's own environment, copied whole by its path
        """
        FROM python:3.11-slim AS deps
        COPY requirements/ /tmp/requirements/
        RUN pip install --no-cache-dir -r /tmp/requirements/prod.txt
        FROM python:3.11-slim
        COPY --from=deps /usr/local /usr/local
        WORKDIR /app
        COPY app.py .
        CMD ["python", "app.py"]
        """,
    ],
    ids=["cmd-runs-the-venv-python", "usr-local-copied"],
)
def test_an_environment_that_reaches_the_final_python_passes_without_builds(answer: str):
    result = check("multi-stage", answer, prove=False)
    assert result.passed, result.text()


def test_a_step_whose_text_stands_in_two_stages_is_placed_in_its_own(tmp_path):
    from checker.build.records import StepRecord
    from checker.dockerfile import parse_file
    from checker.lessons.exercise_proof import line_of

    path = tmp_path / "Dockerfile"
    path.write_text(
        "FROM python:3.11-slim AS deps\nRUN python -m venv /venv\n"
        "FROM python:3.11-slim AS test\nCOPY --from=deps /venv /venv\n"
        "FROM python:3.11-slim\nRUN useradd app\nCOPY --from=deps /venv /venv\n"
    )
    dockerfile = parse_file(path)
    copy = "COPY --from=deps /venv /venv"
    assert line_of(dockerfile, StepRecord("k", 2, copy, stage="stage-2")) == 7
    assert line_of(dockerfile, StepRecord("k", 2, copy, stage="test")) == 4
    assert line_of(dockerfile, StepRecord("k", 2, copy)) == 4
