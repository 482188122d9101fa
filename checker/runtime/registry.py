"""A local registry on loopback, to push images to and export BuildKit's cache to.

The lesson on caching in CI exports the build cache to a registry and imports it on a cold
machine. No public registry may be reachable, so `env up` serves one on ``127.0.0.1``: the
``registry:2`` image where the engine can pull it, else Debian's ``docker-registry`` package
(the same distribution registry) run as a plain process. Either way its storage and config
live under the workshop folder, and the engine trusts a loopback registry over plain http
without any ``insecure-registries`` setting.
"""

from __future__ import annotations

import os
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import docker
from docker.errors import APIError, DockerException, NotFound

from checker.build.labels import PROJECT_LABEL, PROJECT_VALUE
from checker.runtime import paths, processes, system
from checker.runtime.progress import Progress, quiet

SERVER_NAME = "registry"
DEFAULT_PORT = 5741
IMAGE = "registry:2"
PACKAGE = "docker-registry"
HOST = "127.0.0.1"
READY_TIMEOUT = 30.0


class RegistryUnavailable(RuntimeError):
    """No registry could be started; the message says what was tried and what to do."""


@dataclass(frozen=True)
class Registry:
    """A registry that answers at ``address`` (``127.0.0.1:PORT``), and how it runs."""

    address: str
    how: str

    def reference(self, name: str) -> str:
        """An image or cache reference in this registry (``127.0.0.1:5741/NAME``)."""
        return f"{self.address}/{name}"


def port() -> int:
    return int(os.environ.get("WORKSHOP_REGISTRY_PORT", DEFAULT_PORT))


def address() -> str:
    return f"{HOST}:{port()}"


def folder() -> Path:
    """The registry's config and storage, under the workshop folder."""
    return paths.workshop_home() / "registry"


def container_name() -> str:
    return f"layer-cache-workshop-registry-{port()}"


def answers(where: str | None = None) -> bool:
    """Whether a distribution registry answers ``/v2/`` at ``where`` (default: ours)."""
    try:
        with urllib.request.urlopen(f"http://{where or address()}/v2/", timeout=3) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def ensure_registry(client: docker.DockerClient, progress: Progress = quiet) -> Registry:
    """The registry at ``127.0.0.1:PORT``: the one answering there, else one we start."""
    running = describe(client)
    if running is not None:
        progress(f"registry answers at {running.address} ({running.how})")
        return running
    if _image_available(client, progress):
        return _start_container(client, progress)
    return _start_process(progress)


def describe(client: docker.DockerClient | None = None) -> Registry | None:
    """The registry answering at our address and who runs it, or None when none answers."""
    if not answers():
        return None
    if processes.remembered(SERVER_NAME) is not None:
        return Registry(address(), f"{PACKAGE} process started by env up")
    if client is not None and _our_container(client) is not None:
        return Registry(address(), f"{IMAGE} container started by env up")
    return Registry(address(), "not started by env up")


def stop_registry(client: docker.DockerClient | None, progress: Progress = quiet) -> bool:
    """Stop the registry `env up` started (process or container); True if there was one."""
    if processes.stop_remembered(SERVER_NAME, "the registry", progress):
        return True
    container = _our_container(client) if client is not None else None
    if container is None:
        return False
    progress(f"removing the registry container {container.name}")
    container.remove(force=True)
    return True


def config_text(storage: Path, listen: str) -> str:
    """The distribution registry's config: filesystem storage of ours, loopback only."""
    return (
        "version: 0.1\n"
        "log:\n"
        "  level: warn\n"
        "storage:\n"
        "  filesystem:\n"
        f"    rootdirectory: {storage}\n"
        "  delete:\n"
        "    enabled: true\n"
        "http:\n"
        f"  addr: {listen}\n"
    )


def _image_available(client: docker.DockerClient, progress: Progress) -> bool:
    try:
        client.images.get(IMAGE)
        return True
    except NotFound:
        pass
    except DockerException:
        return False
    progress(f"pulling {IMAGE}")
    try:
        client.images.pull(IMAGE)
    except APIError as error:
        first = str(error.explanation or error).splitlines()[0][:120]
        progress(f"pull failed ({first}); using Debian's {PACKAGE} instead")
        return False
    return True


def _our_container(client: docker.DockerClient):
    try:
        return client.containers.get(container_name())
    except (NotFound, DockerException):
        return None


def _start_container(client: docker.DockerClient, progress: Progress) -> Registry:
    storage = folder() / "storage"
    storage.mkdir(parents=True, exist_ok=True)
    progress(f"starting {IMAGE} at {address()} (storage {storage})")
    client.containers.run(
        IMAGE,
        name=container_name(),
        detach=True,
        labels={PROJECT_LABEL: PROJECT_VALUE},
        ports={"5000/tcp": (HOST, port())},
        volumes={str(storage): {"bind": "/var/lib/registry", "mode": "rw"}},
    )
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if answers():
            return Registry(address(), f"{IMAGE} container started by env up")
        time.sleep(0.3)
    raise RegistryUnavailable(f"the {IMAGE} container did not answer at {address()}")


def _start_process(progress: Progress) -> Registry:
    program = system.which(PACKAGE)
    if program is None:
        if not system.can_apt_install():
            raise RegistryUnavailable(
                f"no registry answers at {address()}, {IMAGE} cannot be pulled and "
                f"{PACKAGE} is not installed; install it (or run `docker run -d -p "
                f"{address()}:5000 {IMAGE}`) and run `env up` again"
            )
        progress(f"installing {PACKAGE} (the distribution registry)")
        try:
            system.apt_install([PACKAGE])
        except system.InstallFailed as error:
            raise RegistryUnavailable(str(error)) from error
        program = system.which(PACKAGE) or PACKAGE
    previous = processes.remembered(SERVER_NAME)
    if previous is not None:  # ours, on another port: WORKSHOP_REGISTRY_PORT changed
        progress("restarting the registry (its port changed)")
        processes.stop(previous)
    storage = folder() / "storage"
    storage.mkdir(parents=True, exist_ok=True)
    config = folder() / f"config-{port()}.yml"
    config.write_text(config_text(storage, address()))
    progress(f"starting {PACKAGE} at {address()} (storage {storage})")
    started = processes.start(SERVER_NAME, [program, "serve", str(config)])
    if processes.wait_ready(started, answers, READY_TIMEOUT):
        return Registry(address(), f"{PACKAGE} process started by env up")
    raise RegistryUnavailable(
        f"{PACKAGE} did not answer at {address()}; its log ({started.log}) ends with:\n"
        + processes.log_tail(started)
    )
