"""LC005's fix for ``pip install .`` / ``-e .``: it must build with the files the context has.

Without a requirements.txt the fix copies pyproject.toml alone and installs the
``[project]`` dependencies it lists (read with tomllib) before the source arrives; the
poetry and uv hints copy their manifests before their dependency-only install.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.grading.grade import grade
from checker.verify.proof import verify

BASE = "python:3.11-slim"
EDITABLE = f"FROM {BASE}\nWORKDIR /app\nCOPY . .\nRUN pip install --no-cache-dir -e .\n"
PYPROJECT = """\
[build-system]
requires = ["setuptools>=64"]
build-backend = "setuptools.build_meta"

[project]
name = "demo"
version = "0.1.0"
dependencies = ["idna"]

[project.optional-dependencies]
dev = ["six"]

[tool.setuptools.packages.find]
where = ["src"]
"""


def make_project(root: Path, dockerfile: str = EDITABLE, pyproject: str = PYPROJECT) -> Path:
    (root / "src" / "demo").mkdir(parents=True)
    (root / "src" / "demo" / "__init__.py").write_text("VALUE = 1\n")
    (root / "pyproject.toml").write_text(pyproject)
    (root / "Dockerfile").write_text(dockerfile)
    (root / ".dockerignore").write_text(".git\n__pycache__/\n*.egg-info/\n")
    return root


def lc005(report: object) -> object:
    return next(f for f in report.findings if f.rule == "LC005")  # type: ignore[attr-defined]


def test_pyproject_only_copies_pyproject_and_installs_its_dependencies(tmp_path: Path) -> None:
    context = make_project(tmp_path)
    report = grade(EDITABLE, context)
    finding = lc005(report)
    lines = finding.fix.splitlines()  # type: ignore[attr-defined]
    assert lines[0] == "COPY pyproject.toml ./"
    assert (
        "tomllib" in lines[1] and "pip install --no-cache-dir -r /tmp/requirements.txt" in lines[1]
    )
    assert "requirements.txt" not in lines[0]
    assert lines[2:] == ["COPY . .", "RUN pip install --no-cache-dir --no-deps -e ."]
    assert "tomllib" in finding.message  # type: ignore[attr-defined]
    again = grade(report.suggested_dockerfile, context)
    assert again.dependency_cache == "kept" and again.passed, again


def test_extras_are_installed_with_the_dependencies(tmp_path: Path) -> None:
    text = EDITABLE.replace("-e .", '-e ".[dev]"')
    context = make_project(tmp_path, text)
    fix = lc005(grade(text, context)).fix  # type: ignore[attr-defined]
    assert "optional-dependencies" in fix and "'dev'" in fix


def test_a_requirements_file_in_the_context_is_copied_and_used(tmp_path: Path) -> None:
    context = make_project(tmp_path)
    (context / "requirements.txt").write_text("idna\n")
    fix = lc005(grade(EDITABLE, context)).fix  # type: ignore[attr-defined]
    assert fix.splitlines()[:2] == [
        "COPY requirements.txt ./",
        "RUN pip install --no-cache-dir -r requirements.txt",
    ]


def test_dynamic_setuptools_dependencies_copy_their_files(tmp_path: Path) -> None:
    pyproject = PYPROJECT.replace('dependencies = ["idna"]', 'dynamic = ["dependencies"]')
    pyproject += '\n[tool.setuptools.dynamic]\ndependencies = {file = ["deps.in"]}\n'
    context = make_project(tmp_path, pyproject=pyproject)
    (context / "deps.in").write_text("idna\n")
    fix = lc005(grade(EDITABLE, context)).fix  # type: ignore[attr-defined]
    assert fix.splitlines()[:2] == ["COPY deps.in ./", "RUN pip install --no-cache-dir -r deps.in"]


def test_without_pyproject_there_is_no_fix_that_cannot_build(tmp_path: Path) -> None:
    (tmp_path / "setup.py").write_text("from setuptools import setup\nsetup(name='x')\n")
    (tmp_path / "app.py").write_text("print(1)\n")
    report = grade(EDITABLE, tmp_path)
    finding = lc005(report)
    # Not the pyproject.toml fix (there is none): list the dependencies in a file.
    assert finding.fix.splitlines()[0] == "COPY requirements.txt ./"  # type: ignore[attr-defined]
    assert "list them in a requirements.txt" in finding.message  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("install", "copy", "dependencies"),
    [
        (
            "poetry install",
            "COPY pyproject.toml poetry.lock* ./",
            "RUN poetry install --no-root",
        ),
        (
            "uv sync --locked",
            "COPY pyproject.toml uv.lock* ./",
            "RUN uv sync --locked --no-install-project",
        ),
    ],
)
def test_poetry_and_uv_hints_copy_their_manifests(
    install: str, copy: str, dependencies: str
) -> None:
    # Two sources in the broad copy: no exact fix, so the hint is shown.
    text = f"FROM {BASE}\nWORKDIR /app\nCOPY pyproject.toml src/ ./\nRUN {install}\n"
    fix = lc005(grade(text)).fix.splitlines()  # type: ignore[attr-defined]
    assert fix[:2] == [copy, dependencies]


@pytest.mark.docker
def test_pyproject_fix_builds_and_keeps_the_dependency_install(
    tmp_path: Path, docker_engine: None
) -> None:
    context = make_project(tmp_path / "project")
    suggested = grade(EDITABLE, context).suggested_dockerfile
    assert suggested is not None
    (context / "Dockerfile").write_text(suggested)
    report = verify(context / "Dockerfile", context, changed="src/demo/__init__.py", timeout=300)
    assert report.error is None, report.error
    assert report.exit_code == 0 and report.status == "agreed", report.summary()
    dependencies = next(step for step in report.steps if "tomllib" in step.instruction)
    assert (dependencies.predicted, dependencies.actual) == ("cached", "cached")
    project = next(step for step in report.steps if step.instruction.endswith("-e ."))
    assert (project.predicted, project.actual) == ("rebuilt", "ran")
