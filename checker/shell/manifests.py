"""Which files list a Python project's dependencies (the files an install reads first).

A layer that copies only these files can stay cached across code edits; everything else a
project holds is application source or a build input. One list, used by the install
recogniser, the cache analysis and the fixes alike.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import PurePosixPath

MANIFEST_NAMES = frozenset(
    {
        "pyproject.toml",
        "setup.py",
        "setup.cfg",
        "poetry.lock",
        "uv.lock",
        "pipfile",
        "pipfile.lock",
        "pdm.lock",
        "pixi.toml",
        "pixi.lock",
        "environment.yml",
        "environment.yaml",
        "conda-lock.yml",
    }
)

# Settings the project tools read from the project folder when they install: the Python
# version uv and pyenv pick (.python-version), uv's, poetry's and pdm's own settings. Not
# dependency lists, but an install that reads them belongs after their copy.
PROJECT_SETTINGS = frozenset({".python-version", "uv.toml", "poetry.toml", "pdm.toml"})


MANIFEST_FOLDERS = frozenset({"requirements", "requirements.d", "reqs"})


@lru_cache(maxsize=8192)
def is_manifest_folder(path: str) -> bool:
    """A folder that by convention holds only requirement files (``requirements/``)."""
    return PurePosixPath(path.replace("\\", "/").rstrip("/")).name.lower() in MANIFEST_FOLDERS


@lru_cache(maxsize=8192)
def is_manifest(path: str) -> bool:
    """Is ``path`` a file that lists dependencies (requirements*.txt, pyproject.toml, ...)?"""
    pure = PurePosixPath(path.replace("\\", "/"))
    name = pure.name.lower()
    if name in MANIFEST_NAMES:
        return True
    if name.endswith((".txt", ".in")) and ("requirements" in name or "constraints" in name):
        return True
    return any(part.lower() == "requirements" for part in pure.parts[:-1]) and name.endswith(
        (".txt", ".in")
    )
