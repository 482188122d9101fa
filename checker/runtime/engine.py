"""Find a Docker engine that answers, and on a bare Linux machine install and start one.

Docker Desktop users already have an engine; a fresh Debian machine (CI, this project's own
machines) has none, so `env up` installs Debian's ``docker.io`` and starts ``dockerd`` itself,
remembering it so that `env down` stops exactly that daemon and nothing else.
"""

from __future__ import annotations

import os
import platform
import subprocess

import docker
from docker.errors import DockerException

from checker.runtime import engine_packages, processes, system
from checker.runtime.progress import Report, quiet

DAEMON_NAME = "dockerd"
READY_TIMEOUT = 60.0
HOW_TO_START = (
    "No Docker engine answers. Start Docker Desktop (macOS, Windows) or the docker service "
    "(`sudo systemctl start docker`), or point DOCKER_HOST at a running engine, then run "
    "`python -m checker env up` again."
)


class EngineUnavailable(RuntimeError):
    """No engine answers and this machine can't get one by itself; the message says what to do."""


def connect(timeout: int = 120) -> docker.DockerClient | None:
    """A client for the engine DOCKER_HOST (or the default socket) names; None if none answers."""
    try:
        client = docker.from_env(timeout=timeout)
        client.ping()
    except DockerException:
        return None
    return client


def ensure_engine(report: Report = quiet) -> docker.DockerClient:
    """An answering engine: the one already running, or Debian's engine installed and started."""
    client = connect()
    if client is not None:
        report(f"engine answers (server {client.version().get('Version', '?')})")
        return client
    if os.environ.get("DOCKER_HOST"):
        raise EngineUnavailable(
            f"DOCKER_HOST={os.environ['DOCKER_HOST']} does not answer; start that engine or "
            "unset DOCKER_HOST to use (or start) a local one."
        )
    if not _can_provision():
        raise EngineUnavailable(HOW_TO_START)
    dockerd = system.which("dockerd") or _install_engine(report)
    report(f"starting {dockerd}")
    started = processes.start(DAEMON_NAME, [dockerd])
    if processes.wait_ready(started, lambda: connect() is not None, READY_TIMEOUT, 0.5):
        report("engine answers")
        client = connect()
        assert client is not None
        return client
    raise EngineUnavailable(
        f"dockerd did not answer within {READY_TIMEOUT:.0f}s; its log ({started.log}) ends with:\n"
        + processes.log_tail(started)
    )


def stop_engine(report: Report = quiet) -> bool:
    """Stop the daemon `env up` started; an engine someone else runs is left alone."""
    return processes.stop_remembered(DAEMON_NAME, "dockerd", report)


def started_here() -> bool:
    return processes.remembered(DAEMON_NAME) is not None


def _can_provision() -> bool:
    return platform.system() == "Linux" and system.can_apt_install()


def _install_engine(report: Report) -> str:
    """Install an engine whose `docker build` is BuildKit; apt does not start it, we do."""
    try:
        engine_packages.install_current_engine(report)
    except system.InstallFailed as error:
        raise EngineUnavailable(str(error)) from error
    dockerd = system.which("dockerd")
    if dockerd is None:
        raise EngineUnavailable("apt-get installed docker.io but no dockerd is on PATH.")
    report(f"installed {dockerd} ({_dockerd_version(dockerd)})")
    return dockerd


def _dockerd_version(dockerd: str) -> str:
    result = subprocess.run([dockerd, "--version"], capture_output=True, text=True, check=False)
    return result.stdout.strip() or "version unknown"
