"""The pre-commit hook (``.pre-commit-hooks.yaml``), run by pre-commit itself on a scratch repo.

pre-commit installs the hook repository into its own virtualenv (``pip install .``, so the
project's dependencies come from the package index; a minute or more). The hook repository
is a committed copy of this working tree, so uncommitted edits are tested too. ``try-repo``
always builds a fresh virtualenv in a temporary store; the ``pre-commit run`` test shares one
pre-commit home between its runs, so the module builds two virtualenvs in all.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CASES = REPO / "tests" / "grading_cases"
PRE_COMMIT = shutil.which("pre-commit")
GIT = ("git", "-c", "user.name=test", "-c", "user.email=test@example.invalid")

pytestmark = pytest.mark.skipif(
    PRE_COMMIT is None, reason="pre-commit is not installed (pip install pre-commit)"
)


def _git(cwd: Path, *args: str) -> str:
    done = subprocess.run(
        [*GIT, *args], cwd=cwd, capture_output=True, text=True, check=True, timeout=60
    )
    return done.stdout.strip()


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A git repository holding what ``pip install .`` needs, committed: (path, rev)."""
    root = tmp_path_factory.mktemp("hook-repo")
    for name in (".pre-commit-hooks.yaml", "pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, root / name)
    shutil.copytree(
        REPO / "checker", root / "checker", ignore=shutil.ignore_patterns("__pycache__")
    )
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "hook repository under test")
    return root, _git(root, "rev-parse", "HEAD")


@pytest.fixture(scope="module")
def pre_commit_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    home = tmp_path_factory.mktemp("pre-commit-home")
    yield {**os.environ, "PRE_COMMIT_HOME": str(home)}
    shutil.rmtree(home, ignore_errors=True)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A team's repository, with nothing staged yet."""
    _git(tmp_path, "init", "-q")
    return tmp_path


def _pre_commit(cwd: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(PRE_COMMIT), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


def _readme_config(repo: Path, rev: str) -> str:
    """The README's ``.pre-commit-config.yaml`` lines, pointed at the hook repository."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    match = re.search(r"```yaml\n(repos:\n.*?)```", readme, re.DOTALL)
    assert match, "the README shows no .pre-commit-config.yaml block"
    block = match.group(1)
    block = re.sub(r"(?m)^(\s*- repo: ).*$", rf"\g<1>{repo}", block)
    return re.sub(r"(?m)^(\s*rev: ).*$", rf"\g<1>{rev}", block)


def test_try_repo_fails_the_commit_of_the_lessons_bad_dockerfile(
    hook_repo, pre_commit_env, project
) -> None:
    repo, _rev = hook_repo
    shutil.copy2(CASES / "lesson_bad.Dockerfile", project / "Dockerfile")
    _git(project, "add", "Dockerfile")
    done = _pre_commit(project, pre_commit_env, "try-repo", str(repo), "dockerfile-layer-cache")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Dockerfile layer cache" in done.stdout
    assert "Failed" in done.stdout
    assert "Dockerfile: FAILED" in done.stdout
    assert "LC001" in done.stdout


def test_readme_config_passes_the_good_dockerfile_and_grades_only_dockerfiles(
    hook_repo, pre_commit_env, project
) -> None:
    repo, rev = hook_repo
    (project / ".pre-commit-config.yaml").write_text(_readme_config(repo, rev), encoding="utf-8")
    shutil.copy2(CASES / "lesson_good.Dockerfile", project / "Dockerfile")
    # Not Dockerfiles: a per-Dockerfile ignore file and a text file would be unreadable input
    # (exit 2) if the hook passed them to the grader.
    (project / "Dockerfile.dockerignore").write_text("*.pyc\n", encoding="utf-8")
    (project / "notes.txt").write_text("not a Dockerfile\n", encoding="utf-8")
    _git(project, "add", "-A")
    done = _pre_commit(project, pre_commit_env, "run")
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"Dockerfile layer cache\.+Passed", done.stdout), done.stdout

    shutil.copy2(CASES / "lesson_bad.Dockerfile", project / "api.Dockerfile")
    _git(project, "add", "api.Dockerfile")
    done = _pre_commit(project, pre_commit_env, "run")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "api.Dockerfile: FAILED" in done.stdout
