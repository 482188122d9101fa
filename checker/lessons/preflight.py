"""Pre-flight: is everything a lesson needs ready, and if not, what to do about it.

The first notebook asks this before any build, so a learner meets "the engine is not running,
start it like this" instead of a stack trace in lesson 2. The summary (``ready``/``MISSING``
per part) is the same on every working machine; versions, addresses and ids are in
:meth:`Preflight.details`, which differs from machine to machine.
"""

from __future__ import annotations

import html
import subprocess
from dataclasses import dataclass

from checker.build import find_buildkit_client
from checker.build.errors import NoBuildKitClient

# What to do when a part is missing, in the order a learner should try it.
FIXES: dict[str, str] = {
    "engine": (
        "Start Docker (Docker Desktop, or `sudo systemctl start docker`), or run "
        "`python -m checker env up`, which starts one on Debian/Ubuntu. If it still does not "
        "work, check your docker version: `docker version` must show a Server section."
    ),
    "classic builder": "The classic builder is part of every engine: see the engine line.",
    "BuildKit builder": (
        "Install the buildx plugin (`apt-get install docker-buildx` or Docker's "
        "`docker-buildx-plugin`); a docker client older than 23.0 has BuildKit built in. "
        "Check your docker version: `docker version` and `docker buildx version`."
    ),
    "base image": "Run `python -m checker env up`: it pulls python:3.11-slim or builds a stand-in.",
    "package index": (
        "Run `python -m checker env up` again: it restarts the local package index that builds "
        "install from when PyPI is out of reach."
    ),
}


@dataclass(frozen=True)
class Check:
    """One part: ready or not, the machine-specific detail, and the fix when it is missing."""

    name: str
    ready: bool
    detail: str

    @property
    def fix(self) -> str:
        return "" if self.ready else FIXES.get(self.name, "Run `python -m checker env up`.")


class Preflight:
    """The checks, shown as ``ready``/``MISSING`` lines (the same on every working machine)."""

    def __init__(self, checks: list[Check], versions: dict[str, str]) -> None:
        self.checks = checks
        self.versions = versions

    @property
    def ready(self) -> bool:
        return all(check.ready for check in self.checks)

    def __getitem__(self, name: str) -> Check:
        for check in self.checks:
            if check.name == name:
                return check
        raise KeyError(name)

    def __repr__(self) -> str:
        lines = []
        for check in self.checks:
            state = "ready  " if check.ready else "MISSING"
            lines.append(f"{state} {check.name}")
            if not check.ready:
                lines.append(f"        -> {check.fix}")
        verdict = "all set" if self.ready else "fix the MISSING parts, then run this cell again"
        lines.append(verdict)
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return f"<pre>{html.escape(repr(self))}</pre>"

    def details(self) -> str:
        """Versions, paths, addresses: what to paste into a question when something fails."""
        width = max(len(name) for name in [*self.versions, *(c.name for c in self.checks)])
        lines = [f"{name:<{width}}  {value}" for name, value in self.versions.items()]
        lines += [f"{check.name:<{width}}  {check.detail}" for check in self.checks]
        return "\n".join(lines)


def _cli_version(path: str) -> str:
    try:
        done = subprocess.run(
            [path, "version", "--format", "{{.Client.Version}}"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except OSError as error:
        return f"not found ({error})"
    return done.stdout.strip() or "unknown"


def _versions() -> dict[str, str]:
    import shutil

    import docker

    versions = {"docker-py (Python client)": docker.__version__}
    seen: set[str] = set()
    for name in ("docker", "/usr/bin/docker"):
        found = shutil.which(name)
        if found and found not in seen:
            seen.add(found)
            versions[f"docker CLI {found}"] = _cli_version(found)
    return versions


def preflight() -> Preflight:
    """Ask the machine (nothing is started or changed) and return the checks."""
    from checker.runtime import environment

    parts = {part.name: part for part in environment.status()}
    engine = parts["engine"]
    checks = [Check("engine", engine.ready, engine.detail)]
    checks.append(Check("classic builder", engine.ready, "through the Engine API (docker-py)"))
    try:
        client = find_buildkit_client()
        how = f"buildx {client.buildx_release}".strip() if client.buildx else "DOCKER_BUILDKIT=1"
        checks.append(Check("BuildKit builder", True, f"{client.path} {client.version} ({how})"))
    except NoBuildKitClient as error:
        checks.append(Check("BuildKit builder", False, str(error)))
    for name in ("base image", "package index"):
        checks.append(Check(name, parts[name].ready, parts[name].detail))
    return Preflight(checks, _versions())
