"""environment.yml and pyproject.toml must name the same dependencies at the same minimums.

Conda users build their environment from one, pip users from the other; a package added to
only one of them breaks the other kind of user on a fresh machine.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

# Python 3.10 has no tomllib; the check runs on the 3.11+ interpreters CI uses.
tomllib = pytest.importorskip("tomllib")

REPO = Path(__file__).resolve().parents[1]
# conda-forge names that differ from the PyPI names.
CONDA_TO_PYPI = {"docker-py": "docker"}


def _requirement(text: str) -> tuple[str, str]:
    match = re.fullmatch(r"\s*([A-Za-z0-9_.-]+)\s*(.*?)\s*", text)
    assert match, text
    name = match.group(1).lower().replace("_", "-")
    return CONDA_TO_PYPI.get(name, name), match.group(2).replace(" ", "")


def _pyproject() -> dict[str, str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    entries = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    return dict(_requirement(entry) for entry in entries)


def _environment() -> dict[str, str]:
    found: dict[str, str] = {}
    text = (REPO / "environment.yml").read_text()
    for raw in text.split("dependencies:", 1)[1].splitlines():
        line = raw.split("#", 1)[0].rstrip()
        match = re.fullmatch(r"\s*-\s+(\S.*)", line)
        if not match or match.group(1).startswith(("pip:", "-")):
            continue
        name, spec = _requirement(match.group(1))
        if name not in {"python", "pip"}:
            found[name] = spec
    return found


def test_environment_yml_lists_the_pyproject_dependencies() -> None:
    assert _environment() == _pyproject()


def test_python_minimum_matches() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert "python" + project["requires-python"] in (REPO / "environment.yml").read_text()
