"""A package index that builds can reach: PyPI where it answers from a container, else our own.

Where ``pip`` inside a container cannot reach PyPI (this project's machines; a classroom with
no internet), the host downloads a wheelhouse for every requirements file the lessons use and
serves it with ``pypiserver`` on the default bridge's gateway address, which every container on
that bridge (classic builds, BuildKit builds, ``docker run``) reaches without host networking.
The stand-in base image's ``ENV`` points pip, uv and Pipenv at it, so the lessons' Dockerfiles
stay exactly as written.
"""

from __future__ import annotations

import hashlib
import ipaddress
import os
import platform
import socket
import struct
import subprocess
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import docker
from docker.errors import APIError, ContainerError, ImageNotFound

from checker.runtime import paths, processes
from checker.runtime.progress import Progress, quiet

SERVER_NAME = "pypiserver"
DEFAULT_PORT = 8741
TOOLS_FILE = Path(__file__).resolve().parents[1] / "data" / "wheelhouse-tools.txt"
STAMP = ".workshop-stamp"
READY_TIMEOUT = 30.0


class IndexUnavailable(RuntimeError):
    """The local index could not be prepared; the message names the package or step."""


# Docker Desktop's name for the host, as containers (and builds) see it.
DESKTOP_HOST = "host.docker.internal"


@dataclass(frozen=True)
class LocalIndex:
    """Where the local index is, as containers on the default bridge see it (``host``), and
    where the server listens on this machine (``listen``: the same address on Linux)."""

    host: str
    port: int
    listen: str = ""

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/simple/"

    @property
    def local_url(self) -> str:
        return f"http://{self.listen or self.host}:{self.port}/simple/"

    def environment(self) -> dict[str, str]:
        """The ENV that points pip, uv and Pipenv at this index (plain http, so trusted)."""
        return {
            "PIP_INDEX_URL": self.url,
            "PIP_TRUSTED_HOST": self.host,
            "PIP_DISABLE_PIP_VERSION_CHECK": "1",
            "UV_DEFAULT_INDEX": self.url,
            "UV_INSECURE_HOST": self.host,
            "PIPENV_PYPI_MIRROR": self.url,
        }


def port() -> int:
    return int(os.environ.get("WORKSHOP_INDEX_PORT", DEFAULT_PORT))


def pypi_reachable(client: docker.DockerClient, image: str, progress: Progress = quiet) -> bool:
    """Whether pip in a container of ``image`` on the default bridge downloads from PyPI.

    ``--isolated`` makes pip ignore the image's PIP_* settings, so the answer is about PyPI
    itself even when the image already points at the local index.
    """
    progress("asking PyPI from inside a container")
    probe = "python -m pip --isolated download --no-deps --timeout 8 --retries 0 -d /tmp/p six"
    try:
        client.containers.run(image, ["sh", "-c", probe], remove=True, network_mode="bridge")
    except ContainerError:
        return False
    except (APIError, ImageNotFound) as error:
        raise IndexUnavailable(f"could not run the PyPI probe in {image}: {error}") from error
    return True


def requirement_files() -> list[Path]:
    """Every requirements file the lessons and exercises install, plus the build tools."""
    found: set[Path] = set()
    for folder in (paths.SAMPLE_PROJECT, paths.REPO_ROOT / "notebooks"):
        if folder.is_dir():
            found.update(
                path
                for path in folder.rglob("requirements*.txt")
                if ".ipynb_checkpoints" not in path.parts
            )
    return [*sorted(found), TOOLS_FILE]


def fill_wheelhouse(python_version: str, progress: Progress = quiet) -> Path:
    """Download wheels for every requirements file; skipped when nothing changed since last time."""
    wheelhouse = paths.wheelhouse_dir()
    wheelhouse.mkdir(parents=True, exist_ok=True)
    files = requirement_files()
    stamp = _stamp(python_version, files)
    stamp_file = wheelhouse / STAMP
    if stamp_file.exists() and stamp_file.read_text() == stamp:
        progress(f"wheelhouse up to date ({_count(wheelhouse)} files in {wheelhouse})")
        return wheelhouse
    for number, requirements in enumerate(files, 1):
        shown = _shown(requirements)
        progress(f"downloading wheels {number}/{len(files)}: {shown}")
        argv = [
            sys.executable, "-m", "pip", "download", "--disable-pip-version-check",
            "-q", "-d", str(wheelhouse), "-r", str(requirements),
            *_target_options(python_version),
        ]  # fmt: skip
        result = subprocess.run(argv, capture_output=True, text=True)
        if result.returncode != 0:
            tail = "\n".join(result.stderr.strip().splitlines()[-6:])
            raise IndexUnavailable(f"pip download for {shown} failed:\n{tail}")
    stamp_file.write_text(stamp)
    progress(f"wheelhouse ready ({_count(wheelhouse)} files in {wheelhouse})")
    return wheelhouse


def bridge_gateway(client: docker.DockerClient, probe_image: str | None = None) -> str:
    """The host's address on the default bridge (``docker0``), which containers reach.

    The IPAM config names it once the engine has run before; on an engine's very first start
    (no ``docker0`` yet when it read its config) it lists only a ``Subnet``, though the bridge
    interface has the gateway address by then. So, in order: the config's ``Gateway``, the
    bridge interface's own IPv4 address, the subnet's first host (Docker's default choice),
    and last the default route a throwaway container on the bridge sees.
    """
    try:
        network = client.api.inspect_network("bridge")
    except APIError as error:
        raise IndexUnavailable(f"the engine has no default bridge network: {error}") from error
    configs = [
        config
        for config in (network.get("IPAM") or {}).get("Config") or []
        if ":" not in config.get("Subnet", "")
    ]
    for config in configs:
        gateway = config.get("Gateway")
        if gateway and ":" not in gateway:
            return gateway
    interface = (network.get("Options") or {}).get("com.docker.network.bridge.name", "docker0")
    address = interface_address(interface)
    if address is not None:
        return address
    for config in configs:
        try:
            return str(next(ipaddress.ip_network(config["Subnet"], strict=False).hosts()))
        except (KeyError, ValueError, StopIteration):
            continue
    if probe_image is not None:
        address = _route_seen_from_container(client, probe_image)
        if address is not None:
            return address
    raise IndexUnavailable(
        "the default bridge network has no IPv4 gateway, subnet or interface address "
        f"(`docker network inspect bridge` IPAM: {network.get('IPAM')})"
    )


def interface_address(name: str) -> str | None:
    """The IPv4 address of a network interface on this machine (Linux), or None."""
    try:
        import fcntl
    except ImportError:  # not on Linux or macOS: no interface of the engine's here
        return None
    siocgifaddr = 0x8915
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            answer = fcntl.ioctl(
                probe.fileno(), siocgifaddr, struct.pack("256s", name[:15].encode())
            )
        except OSError:
            return None
    return socket.inet_ntoa(answer[20:24])


def _route_seen_from_container(client: docker.DockerClient, image: str) -> str | None:
    """The default gateway in /proc/net/route of a container on the default bridge."""
    try:
        table = client.containers.run(image, ["cat", "/proc/net/route"], remove=True)
    except (APIError, ContainerError, ImageNotFound):
        return None
    return default_route(table.decode(errors="replace"))


def default_route(table: str) -> str | None:
    """The gateway of the default route in a /proc/net/route table, or None."""
    for line in table.splitlines()[1:]:
        fields = line.split()
        if len(fields) > 2 and fields[1] == "00000000" and fields[2] != "00000000":
            return socket.inet_ntoa(struct.pack("<I", int(fields[2], 16)))
    return None


def index_address(gateway: str) -> LocalIndex:
    """Where to serve: on the bridge gateway where it is this machine's own address (Linux);
    else (Docker Desktop, whose bridge lives in a VM) on loopback, which containers reach as
    ``host.docker.internal``."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.bind((gateway, 0))
    except OSError:
        return LocalIndex(DESKTOP_HOST, port(), listen="127.0.0.1")
    return LocalIndex(gateway, port())


def ensure_server(
    client: docker.DockerClient, progress: Progress = quiet, probe_image: str | None = None
) -> LocalIndex:
    """pypiserver over the wheelhouse at the bridge gateway: the running one, or a new one.

    ``probe_image`` runs the last-resort container that reads the bridge's default route.
    """
    index = index_address(bridge_gateway(client, probe_image))
    argv = [
        sys.executable, "-m", "pypiserver", "run", "-p", str(index.port),
        "-i", index.listen or index.host, "--disable-fallback", "--hash-algo", "sha256",
        # pip stores downloads in its cache (and so in a BuildKit cache mount) only when the
        # index allows caching; PyPI does, and the lessons' cache-mount demo relies on it.
        "--cache-control", "31536000",
        str(paths.wheelhouse_dir()),
    ]  # fmt: skip
    running = processes.remembered(SERVER_NAME)
    if running is not None:
        if running.argv == argv and answers(index):
            progress(f"package index answers at {index.url}")
            return index
        progress("restarting the package index (its settings changed)")
        processes.stop(running)
    if answers(index):
        raise IndexUnavailable(
            f"something else already listens on {index.local_url}; "
            "set WORKSHOP_INDEX_PORT to a free port"
        )
    started = processes.start(SERVER_NAME, argv)
    if processes.wait_ready(started, lambda: answers(index), READY_TIMEOUT):
        progress(f"package index started at {index.url} (pid {started.pid})")
        return index
    raise IndexUnavailable(
        f"pypiserver did not answer at {index.url}; its log ends with:\n"
        + processes.log_tail(started)
    )


def answers(index: LocalIndex) -> bool:
    return url_answers(index.local_url)


def url_answers(url: str) -> bool:
    """Whether the index at ``url`` (as containers see it) answers from this machine."""
    url = url.replace(f"//{DESKTOP_HOST}:", "//127.0.0.1:", 1)
    try:
        with urllib.request.urlopen(url, timeout=3) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def stop_server(progress: Progress = quiet) -> bool:
    """Stop the pypiserver `env up` started; True if there was one."""
    return processes.stop_remembered(SERVER_NAME, "the package index", progress)


def server_running() -> bool:
    return processes.remembered(SERVER_NAME) is not None


def _target_options(python_version: str) -> list[str]:
    """pip download options for wheels that fit the image, when the host differs from it."""
    host = f"{sys.version_info.major}.{sys.version_info.minor}"
    machine = platform.machine().lower()
    if host == python_version and sys.platform == "linux":
        return []
    arch = {"arm64": "aarch64", "amd64": "x86_64"}.get(machine, machine)
    platforms = [f"manylinux_2_{minor}_{arch}" for minor in (36, 28, 17)] + [f"linux_{arch}"]
    return [
        "--only-binary=:all:",
        "--python-version",
        python_version,
        *(option for tag in platforms for option in ("--platform", tag)),
    ]


def _stamp(python_version: str, files: list[Path]) -> str:
    digest = hashlib.sha256(python_version.encode())
    for path in files:
        digest.update(str(path.name).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _count(wheelhouse: Path) -> int:
    return sum(1 for path in wheelhouse.iterdir() if not path.name.startswith("."))


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(paths.REPO_ROOT))
    except ValueError:
        return str(path)
