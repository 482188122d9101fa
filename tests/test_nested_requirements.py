"""Requirement files that include others (``-r base.txt``, ``-c constraints.txt``).

With a context, the files an install reads include the nested ones (read from the
context, relative to the including file), so the fix copies them all and builds.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.cache import ContextFiles
from checker.grading.grade import grade
from checker.rules.requirement_files import includes, local_projects, nested_requirements
from checker.verify.proof import verify

BASE = "python:3.11-slim"
PROD = (
    f"FROM {BASE}\nWORKDIR /app\nCOPY . .\n"
    "RUN pip install --no-cache-dir -r requirements/prod.txt\n"
)


def make_context(root: Path, dockerfile: str = PROD) -> Path:
    (root / "requirements").mkdir(parents=True)
    (root / "requirements" / "prod.txt").write_text(
        "# production\n-r base.txt\n--constraint=constraints.txt\nidna\n"
    )
    (root / "requirements" / "base.txt").write_text("-c constraints.txt\ncertifi\n")
    (root / "requirements" / "constraints.txt").write_text("idna<4\n")
    (root / "app.py").write_text("print('hello')\n")
    (root / ".dockerignore").write_text(".git\n__pycache__/\n")
    (root / "Dockerfile").write_text(dockerfile)
    return root


def test_includes_reads_the_option_spellings() -> None:
    text = "-r a.txt\n--requirement b.txt\n-rc.txt\n--constraint=d.txt\n-c e.txt  # x\nidna\n"
    text += "-r https://example.invalid/r.txt\n# -r commented.txt\n-e .\n"
    assert includes(text) == ["a.txt", "b.txt", "c.txt", "d.txt", "e.txt"]


def test_nested_files_are_named_relative_to_the_including_file(tmp_path: Path) -> None:
    context = ContextFiles.from_dir(make_context(tmp_path))
    assert nested_requirements(context, ("requirements/prod.txt",)) == (
        "requirements/base.txt",
        "requirements/constraints.txt",
    )
    # An absolute path in the image maps to the context through the WORKDIR.
    assert nested_requirements(context, ("/app/requirements/prod.txt",), "/app") == (
        "/app/requirements/base.txt",
        "/app/requirements/constraints.txt",
    )
    assert nested_requirements(ContextFiles(), ("requirements/prod.txt",)) == ()


def test_the_fix_copies_the_whole_requirements_folder(tmp_path: Path) -> None:
    context = make_context(tmp_path)
    report = grade(PROD, context)
    assert report.dependency_cache == "reinstalled"
    lc003 = next(f for f in report.findings if f.rule == "LC003")
    assert lc003.fix.splitlines()[0] == "COPY requirements/ ./requirements/"
    assert "requirements/base.txt" in lc003.message
    again = grade(report.suggested_dockerfile, context)
    assert again.dependency_cache == "kept" and again.passed, again


def test_a_file_outside_the_folder_gets_its_own_copy(tmp_path: Path) -> None:
    context = make_context(tmp_path)
    (context / "requirements" / "base.txt").write_text("-r ../shared.txt\ncertifi\n")
    (context / "shared.txt").write_text("idna\n")
    (context / "notes.md").write_text("not a requirement file\n")
    (context / "requirements" / "README.md").write_text("docs\n")
    report = grade(PROD, context)
    fix = next(f for f in report.findings if f.rule == "LC003").fix.splitlines()
    assert fix[:2] == [
        "COPY requirements/prod.txt requirements/base.txt requirements/constraints.txt "
        "./requirements/",
        "COPY shared.txt ./",
    ]
    assert grade(report.suggested_dockerfile, context).dependency_cache == "kept"


def test_an_absolute_install_path_follows_the_nested_files(tmp_path: Path) -> None:
    text = PROD.replace("-r requirements/prod.txt", "-r /app/requirements/prod.txt")
    context = make_context(tmp_path, text)
    report = grade(text, context)
    lc003 = next(f for f in report.findings if f.rule == "LC003")
    assert lc003.fix.splitlines()[0] == "COPY requirements/ ./requirements/"
    assert grade(report.suggested_dockerfile, context).dependency_cache == "kept"


@pytest.mark.docker
def test_nested_fix_builds_and_keeps_the_install(tmp_path: Path, docker_engine: None) -> None:
    context = make_context(tmp_path / "nested")
    suggested = grade(PROD, context).suggested_dockerfile
    assert suggested is not None
    (context / "Dockerfile").write_text(suggested)
    report = verify(context / "Dockerfile", context, timeout=300)
    assert report.error is None, report.error
    assert report.exit_code == 0 and report.status == "agreed", report.summary()
    install = next(step for step in report.steps if step.instruction.startswith("RUN pip"))
    assert (install.predicted, install.actual) == ("cached", "cached")


def test_local_projects_are_the_lines_that_name_a_folder_of_the_context(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text(
        "flask==3.0.0\n-e .\n--editable=./libs/core\nfile:./plugins\n# -e ./old\n"
        "./wheels/x-1.0-py3-none-any.whl\n-r base.txt\nrequests>=2 ; python_version>'3'\n"
    )
    context = ContextFiles(tmp_path)
    assert local_projects(context, ("requirements.txt",)) == (".", "libs/core", "plugins")
    assert local_projects(ContextFiles(None), ("requirements.txt",)) == ()
