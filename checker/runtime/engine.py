"""Find a Docker engine that answers, and on a bare Linux machine install and start one.

Docker Desktop users already have an engine; a fresh Debian machine (CI, this project's own
machines) has none, so `env up` installs Debian's ``docker.io`` and starts ``dockerd`` itself,
remembering it so that `env down` stops exactly that daemon and nothing else.
"""

from __future__ import annotations

import json
import os
import platform
import re
import subprocess
from pathlib import Path

import docker
from docker.errors import DockerException

from checker.runtime import engine_packages, paths, processes, system
from checker.runtime.progress import Progress, quiet

DAEMON_NAME = "dockerd"
IMAGE_STORES = ("containerd", "classic")
DEFAULT_IMAGE_STORE = "containerd"  # what a fresh Docker 29 install uses
SYSTEM_DAEMON_JSON = Path("/etc/docker/daemon.json")
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


def ensure_engine(
    progress: Progress = quiet, image_store: str | None = None
) -> docker.DockerClient:
    """An answering engine: the one already running, or a current engine installed and started.

    ``image_store`` (``containerd`` or ``classic``) applies where `env up` starts the engine
    itself; None keeps the running engine's store, or gives a new engine ``containerd``, what
    a fresh Docker 29 install uses. An engine somebody else runs is used as it is.
    """
    client = connect()
    if client is not None:
        store = image_store_of(client)
        progress(f"engine answers (server {client.version().get('Version', '?')}, {store} store)")
        if image_store is None or image_store == store:
            return client
        if not started_here():
            progress(
                f"keeping the {store} image store: this engine was not started by env up, so "
                f"--image-store {image_store} is not applied (change its daemon.json yourself)"
            )
            return client
        progress(f"restarting the engine env up started, with the {image_store} image store")
        stop_engine(progress)
    if os.environ.get("DOCKER_HOST"):
        raise EngineUnavailable(
            f"DOCKER_HOST={os.environ['DOCKER_HOST']} does not answer; start that engine or "
            "unset DOCKER_HOST to use (or start) a local one."
        )
    if not _can_provision():
        raise EngineUnavailable(HOW_TO_START)
    dockerd = _current_dockerd(progress)
    store = image_store or DEFAULT_IMAGE_STORE
    progress(f"starting {dockerd} ({store} image store)")
    started = processes.start(DAEMON_NAME, [dockerd, "--config-file", str(daemon_config(store))])
    if processes.wait_ready(started, lambda: connect() is not None, READY_TIMEOUT, 0.5):
        progress("engine answers")
        client = connect()
        assert client is not None
        return client
    raise EngineUnavailable(
        f"dockerd did not answer within {READY_TIMEOUT:.0f}s; its log ({started.log}) ends with:\n"
        + processes.log_tail(started)
    )


def image_store_of(client: docker.DockerClient) -> str:
    """``containerd`` when the engine keeps images in containerd's snapshotters, else
    ``classic`` (graph drivers such as overlay2)."""
    status = dict(tuple(pair) for pair in client.info().get("DriverStatus") or [] if len(pair) == 2)
    return "containerd" if "snapshotter" in status.get("driver-type", "") else "classic"


def daemon_config(store: str) -> Path:
    """A daemon.json for the engine we start: the machine's own settings, if any, with the
    image store we want (the daemon feature ``containerd-snapshotter``)."""
    settings: dict = {}
    try:
        settings = json.loads(SYSTEM_DAEMON_JSON.read_text())
    except (OSError, ValueError):
        settings = {}
    settings.setdefault("features", {})["containerd-snapshotter"] = store == "containerd"
    path = paths.workshop_home() / f"daemon-{store}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(settings, indent=2) + "\n")
    return path


def _current_dockerd(progress: Progress) -> str:
    """The dockerd to start: the installed one when its `docker build` is BuildKit (Engine 23
    or newer), else a current engine installed first."""
    dockerd = system.which("dockerd")
    if dockerd is not None:
        version = _dockerd_version(dockerd)
        found = re.search(r"version (\d+)", version)
        if found is None or int(found.group(1)) >= engine_packages.BUILDKIT_DEFAULT_MAJOR:
            return dockerd
        progress(f"{version} is older than Engine {engine_packages.BUILDKIT_DEFAULT_MAJOR}")
    return _install_engine(progress)


def stop_engine(progress: Progress = quiet) -> bool:
    """Stop the daemon `env up` started; an engine someone else runs is left alone."""
    return processes.stop_remembered(DAEMON_NAME, "dockerd", progress)


def started_here() -> bool:
    return processes.remembered(DAEMON_NAME) is not None


def _can_provision() -> bool:
    return platform.system() == "Linux" and system.can_apt_install()


def _install_engine(progress: Progress) -> str:
    """Install an engine whose `docker build` is BuildKit; apt does not start it, we do."""
    try:
        engine_packages.install_current_engine(progress)
    except system.InstallFailed as error:
        raise EngineUnavailable(str(error)) from error
    dockerd = system.which("dockerd")
    if dockerd is None:
        raise EngineUnavailable("apt-get installed docker.io but no dockerd is on PATH.")
    progress(f"installed {dockerd} ({_dockerd_version(dockerd)})")
    return dockerd


def _dockerd_version(dockerd: str) -> str:
    result = subprocess.run([dockerd, "--version"], capture_output=True, text=True, check=False)
    return result.stdout.strip() or "version unknown"
