"""Workshop-only plumbing for a room whose builds reach a local index instead of PyPI.

Why here and not in the lessons' Dockerfiles: a model answer must read as the tool's own
guidance says, so what only the workshop's offline setup needs is applied by the harness to
the temporary copy it builds, never shown as part of the answer. Online (the base image names
no index) nothing is changed.

* ``uv.lock`` records the index and the file URLs of every package. ``uv sync --locked``
  refuses a lock whose index is not the configured one, so the copy's lock is pointed at the
  local index (same files, same hashes: the wheelhouse holds PyPI's own wheels).
* Poetry has PyPI's address built in and reads no index variable: the copy's Dockerfile gets
  ``poetry-plugin-pypi-mirror`` beside Poetry and ``POETRY_PYPI_MIRROR_URL`` in its ``ENV``.
* pdm reads ``PDM_PYPI_URL``, which the stand-in's ``ENV`` does not set: the copy's Dockerfile
  gets it (and ``PDM_PYPI_VERIFY_SSL=false``: pdm skips plain-http indexes it must verify)
  after the line that installs pdm.
* The stand-in activates a virtualenv in its ``ENV`` (``VIRTUAL_ENV``), which the official
  image does not; Poetry, Pipenv and pdm would install into that one instead of the project's
  ``.venv``. After the line that installs them, ``VIRTUAL_ENV`` is emptied, as in the official
  image.
"""

from __future__ import annotations

import re
from pathlib import Path

PYPI = 'registry = "https://pypi.org/simple"'
FILES = re.compile(r"https://files\.pythonhosted\.org/packages/[0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]+/")
POETRY_PIN = re.compile(r"(pip install[^\n]*?\bpoetry==[\w.]+)")
TOOL_PIN = re.compile(r"pip install[^\n]*?\b(poetry|pipenv|pdm)==")
MIRROR_PLUGIN = "poetry-plugin-pypi-mirror==0.6.5"


def base_env(image: str = "python:3.11-slim") -> dict[str, str]:
    """The base image's ``ENV`` (empty where the engine does not have it)."""
    from checker.lessons.tools import base_image_env

    return base_image_env(image)


def point_uv_lock(lock: Path, index: str) -> None:
    """Make ``lock`` name ``index`` and its ``/packages/`` file URLs (pypiserver's layout)."""
    root = index.rstrip("/").removesuffix("/simple")
    text = lock.read_text()
    text = text.replace(PYPI, f'registry = "{index}"')
    text = FILES.sub(f"{root}/packages/", text)
    lock.write_text(text)


def point_poetry(dockerfile: Path, index: str) -> None:
    """Install the mirror plugin with Poetry and point it at ``index`` (an ENV line after)."""
    lines = []
    for line in dockerfile.read_text().splitlines(keepends=True):
        match = POETRY_PIN.search(line)
        if match and MIRROR_PLUGIN not in line:
            line = line.replace(match.group(1), f"{match.group(1)} {MIRROR_PLUGIN}")
            line = line.rstrip("\n") + f"\nENV POETRY_PYPI_MIRROR_URL={index}\n"
        lines.append(line)
    dockerfile.write_text("".join(lines))


def after_tool_install(dockerfile: Path, env_line: str) -> None:
    """Add ``env_line`` after each line that pip-installs Poetry, Pipenv or pdm."""
    lines = []
    for line in dockerfile.read_text().splitlines(keepends=True):
        lines.append(line)
        if TOOL_PIN.search(line) and not line.rstrip().endswith("\\"):
            lines.append(f"{env_line}\n")
    dockerfile.write_text("".join(lines))


def adapt(root: Path, env: dict[str, str] | None = None) -> None:
    """Apply what the copy at ``root`` needs to build on the workshop's base image, if any."""
    env = env if env is not None else base_env()
    index = env.get("PIP_INDEX_URL")
    dockerfile = root / "Dockerfile"
    text = dockerfile.read_text() if dockerfile.is_file() else ""
    if env.get("VIRTUAL_ENV") and TOOL_PIN.search(text):
        after_tool_install(dockerfile, "ENV VIRTUAL_ENV=")
    if not index:
        return
    lock = root / "uv.lock"
    if lock.is_file():
        point_uv_lock(lock, index)
    if "poetry==" in text:
        point_poetry(dockerfile, index)
    if "pdm==" in text:
        # pdm trusts a plain-http index only when told not to verify it.
        after_tool_install(dockerfile, f"ENV PDM_PYPI_URL={index} PDM_PYPI_VERIFY_SSL=false")
