"""Where the runtime keeps what outlives a session: the wheelhouse, the rootfs, logs, state.

One folder, so `env down` and a learner both know what the workshop wrote on their machine.
``WORKSHOP_HOME`` moves it; otherwise it follows the XDG cache convention.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLE_PROJECT = REPO_ROOT / "sample_project"


def workshop_home() -> Path:
    override = os.environ.get("WORKSHOP_HOME")
    if override:
        return Path(override).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "layer-cache-workshop"


def wheelhouse_dir() -> Path:
    return workshop_home() / "wheelhouse"


def rootfs_dir() -> Path:
    return workshop_home() / "rootfs"


def logs_dir() -> Path:
    return workshop_home() / "logs"


def state_file() -> Path:
    return workshop_home() / "state.json"
