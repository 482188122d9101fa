"""How ``verify`` builds a Dockerfile it cannot trust, and how it leaves the engine as it was.

A submitted Dockerfile runs arbitrary ``RUN`` commands on the engine, so every build gets:

* a wall-clock limit (``timeout``; the runner kills the running step and removes what it left);
* a memory limit without swap and a CPU limit: the classic builder's container limits, and
  for BuildKit a cgroup of ours (:class:`BuildkitCgroup`) passed as ``--cgroup-parent``, under
  which BuildKit creates every ``RUN`` container (where the engine allows: cgroupfs, root;
  and only for an engine on this machine, :func:`local_engine`: a remote one has none of ours);
* the least network that still lets ``pip`` reach its package index (:func:`choose_network`),
  and where this machine allows, a throwaway engine whose bridge reaches that index and nothing
  else (:mod:`checker.verify.network`);
* removal of exactly what it created (:class:`Leftovers`), after a failure too.

Why not :func:`checker.build.cleanup`: it removes every image carrying the project label,
which includes images that notebooks or other checks on the same engine built a moment ago.
``verify`` removes only ids that did not exist before its first build, the final images through
:func:`checker.build.remove_image` (which refuses anything without the project label, so never
the stand-in base image), and the classic builder's intermediate images of the steps it ran
(they cannot carry the label; a failed build's would otherwise stay behind).
"""

from __future__ import annotations

import contextlib
import os
import re
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import docker
from docker.errors import APIError, NotFound

from checker.build import BuildResult, remove_image
from checker.dockerfile.model import Dockerfile

DEFAULT_TIMEOUT = 600.0
DEFAULT_MEMORY = 1024**3  # 1 GiB: enough for pip installing numpy/pandas wheels
DEFAULT_CPUS = 2
_LOOPBACK = re.compile(r"://(?:[^@/]*@)?(?:localhost|127\.\d+\.\d+\.\d+|\[::1\])(?:[:/]|$)")
_VARIABLE = re.compile(r"\$(?:\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)\}|(?P<plain>[A-Za-z_]\w*))")


@dataclass(frozen=True)
class Limits:
    """The limits every verify build runs under."""

    timeout: float = DEFAULT_TIMEOUT
    memory: int | None = DEFAULT_MEMORY
    cpus: int | None = DEFAULT_CPUS

    def cpuset(self) -> str | None:
        """The CPU set for ``cpus`` CPUs on this machine (``"0-1"``), or None for no limit."""
        if self.cpus is None:
            return None
        count = max(1, min(self.cpus, os.cpu_count() or 1))
        return "0" if count == 1 else f"0-{count - 1}"

    def describe(self, builder: str, cgroup: bool = False, remote: bool = False) -> str:
        parts = [f"time limit {self.timeout:g} s per build"]
        if builder == "classic" or cgroup:
            if self.memory is not None:
                parts.append(f"memory {self.memory // 1024**2} MiB (no swap)")
            if self.cpuset() is not None:
                parts.append(f"CPUs {self.cpuset()}")
            if cgroup:
                parts.append("through --cgroup-parent")
        elif remote:
            parts.append(
                "no memory or CPU limit: the engine is remote (set them on the remote builder)"
            )
        else:
            parts.append("no memory or CPU limit (no cgroup of ours could be made here)")
        return ", ".join(parts)


def local_engine(docker_host: str | None) -> bool:
    """Whether the engine at ``docker_host`` (``DOCKER_HOST``; None or empty: the default
    socket) runs on this machine, so a cgroup made here (:class:`BuildkitCgroup`) is one its
    ``--cgroup-parent`` finds. Only a unix socket counts: ``tcp://`` and ``ssh://`` engines
    make the cgroup parent on their own machine, where ours does not exist (even a
    ``tcp://127.0.0.1`` may be a tunnel to another machine); ``npipe://`` is Windows."""
    return not docker_host or docker_host.startswith("unix://")


CGROUP_ROOT = Path("/sys/fs/cgroup")


class BuildkitCgroup:
    """A cgroup of ours with a memory limit (no swap) and a CPU quota, for BuildKit's
    ``--cgroup-parent``: BuildKit (in dockerd or buildkitd, with the cgroupfs driver) puts
    each ``RUN`` container under it, so the limits hold for every step of the build.

    Seen on this machine (Engine 26.1.5, buildx 0.13.1, cgroup v1, cgroupfs): a ``RUN`` that
    allocates 600 MB under a 256 MiB parent is killed (exit 137). Under cgroup v2 the same
    is ``memory.max``, ``memory.swap.max`` and ``cpu.max`` in one directory. ``path`` is
    None where no cgroup can be made (not root, the systemd driver's slices, read-only
    cgroupfs): then the build runs with the time limit alone, as before.
    """

    def __init__(self, memory: int | None, cpus: int | None) -> None:
        self.memory = memory
        self.cpus = cpus
        self.name = f"checker-verify-{uuid.uuid4().hex[:12]}"
        self.made: list[Path] = []
        self.path: str | None = None

    def __enter__(self) -> BuildkitCgroup:
        try:
            if (CGROUP_ROOT / "cgroup.controllers").exists():
                self._make_v2()
            else:
                self._make_v1()
            self.path = "/" + self.name
        except OSError:
            self._remove()
        return self

    def __exit__(self, *exc: object) -> None:
        self._remove()

    def _make(self, directory: Path) -> Path:
        directory.mkdir()
        self.made.append(directory)
        return directory

    def _make_v1(self) -> None:
        made = False
        if self.memory is not None:
            memory = self._make(CGROUP_ROOT / "memory" / self.name)
            (memory / "memory.limit_in_bytes").write_text(str(self.memory))
            swap = memory / "memory.memsw.limit_in_bytes"
            if swap.exists():
                swap.write_text(str(self.memory))  # memory + swap = memory: no swap
            made = True
        if self.cpus is not None:
            cpu = self._make(CGROUP_ROOT / "cpu" / self.name)
            period = 100_000
            (cpu / "cpu.cfs_period_us").write_text(str(period))
            (cpu / "cpu.cfs_quota_us").write_text(str(period * self.cpus))
            made = True
        if not made:
            raise OSError("no limit asked for")

    def _make_v2(self) -> None:
        group = self._make(CGROUP_ROOT / self.name)
        if self.memory is not None:
            (group / "memory.max").write_text(str(self.memory))
            with contextlib.suppress(OSError):
                (group / "memory.swap.max").write_text("0")
        if self.cpus is not None:
            (group / "cpu.max").write_text(f"{100_000 * self.cpus} 100000")

    def _remove(self) -> None:
        """Remove what we made, the cgroups BuildKit made inside first (they empty as its
        containers end; a few tries), in every v1 hierarchy the runtime made it in."""
        if not self.made:
            return
        for directory in [*reversed(self.made), *_controller_dirs(self.name)]:
            for _attempt in range(20):
                try:
                    for inner in sorted(directory.rglob("*"), key=lambda p: -len(p.parts)):
                        if inner.is_dir():
                            inner.rmdir()
                    directory.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.1)
        self.made.clear()
        self.path = None


def _controller_dirs(name: str) -> Iterator[Path]:
    """Every directory named ``name`` the runtime made in the v1 hierarchies (runc creates
    the parent in each controller, not only the two we limit)."""
    if not CGROUP_ROOT.is_dir():
        return
    for controller in CGROUP_ROOT.iterdir():
        candidate = controller / name
        if candidate.is_dir():
            yield candidate


def base_images(dockerfile: Dockerfile) -> list[str]:
    """The images the stages are built FROM (not earlier stages, not ``scratch``).

    Variables are expanded from the global ``ARG`` defaults; a base that still names an
    unknown variable is left out (the build itself will say what is wrong with it).
    """
    defaults: dict[str, str] = {}
    for instruction in dockerfile.global_args:
        for word in instruction.arguments:
            name, sep, value = word.partition("=")
            if sep:
                defaults[name] = value.strip("\"'")
    stage_names = {stage.name for stage in dockerfile.stages if stage.name}
    found: list[str] = []
    for stage in dockerfile.stages:
        base = _VARIABLE.sub(lambda match: defaults.get(_name(match), "$?"), stage.base)
        earlier = stage.base.lower() in stage_names or stage.base.isdigit()
        if earlier or "$" in base or base.lower() == "scratch" or base in found:
            continue
        found.append(base)
    return found


def _name(match: re.Match[str]) -> str:
    return match.group("braced") or match.group("plain")


def image_ids(api: docker.APIClient, names: list[str]) -> dict[str, str | None]:
    """Each image's id on the engine, or None where the engine does not have it."""
    ids: dict[str, str | None] = {}
    for name in names:
        try:
            ids[name] = api.inspect_image(name)["Id"]
        except NotFound:
            ids[name] = None
    return ids


def index_urls(api: docker.APIClient, names: list[str]) -> list[str]:
    """The package indexes the base images point pip at (``PIP_INDEX_URL`` and extras)."""
    urls: list[str] = []
    for name in names:
        try:
            env = (api.inspect_image(name).get("Config") or {}).get("Env") or []
        except NotFound:
            continue
        for item in env:
            key, _, value = item.partition("=")
            if key in ("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL"):
                urls.extend(url for url in value.split() if url not in urls)
    return urls


def choose_network(dockerfile: Dockerfile, indexes: list[str]) -> tuple[str | None, str]:
    """(network mode for the runner, why), the least network the build can work with.

    * no ``RUN`` step: ``none`` (``COPY``/``ADD`` read the context; the engine, not the build's
      containers, fetches ``ADD`` URLs);
    * a base image pointing pip at an index on this machine's loopback: ``host``, the only
      way a build's container reaches the host's ``127.0.0.1`` (the runner's engine tests
      make the same guess);
    * otherwise the default bridge (None): the workshop's stand-in image points pip at an
      index on the bridge's gateway, and an image using PyPI needs the internet. On the
      learner's engine that bridge reaches everything; :func:`checker.verify.network.plan_network`
      moves the builds to a throwaway engine whose bridge reaches the index alone where it can.
    """
    runs = any(instruction.keyword == "RUN" for instruction in dockerfile.instructions)
    if not runs:
        return "none", "no RUN step needs a network"
    if any(_LOOPBACK.search(url) for url in indexes):
        return "host", "the base image's package index is on this machine's loopback"
    if indexes:
        return None, f"default bridge, to reach the package index {indexes[0]}"
    return None, "default bridge, to reach PyPI"


@dataclass
class CleanupSummary:
    """What verify removed from the engine, and what it had to leave (with the reason)."""

    images: list[str] = field(default_factory=list)
    containers: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, list[str]]:
        return {"images": self.images, "containers": self.containers, "kept": self.kept}


class Leftovers:
    """The images and containers verify's builds created: those, and only those, go.

    Made before the first build, it remembers which images existed; :meth:`add` takes a
    build's result (a failed build's too); :meth:`remove` removes what is new, newest first.
    """

    def __init__(self, api: docker.APIClient) -> None:
        self.api = api
        self.existing = {image["Id"] for image in api.images(all=True)}
        self.finals: list[str] = []
        self.layers: list[str] = []
        self.containers: list[str] = []

    def add(self, result: BuildResult) -> None:
        self.containers.extend(result.containers)
        for record in result.steps:
            if record.layer_id and record.outcome == "ran":
                full = self._resolve(record.layer_id)
                if full and full not in self.existing and full not in self.layers:
                    self.layers.append(full)
        if result.image_id:
            full = self._resolve(result.image_id)
            if full and full not in self.existing and full not in self.finals:
                self.finals.append(full)

    def _resolve(self, image_id: str) -> str | None:
        try:
            return str(self.api.inspect_image(image_id)["Id"])
        except NotFound:
            return None

    def remove(self) -> CleanupSummary:
        summary = CleanupSummary()
        for image in reversed(self.finals):
            try:
                if remove_image(image, client=self.api):
                    summary.images.append(image)
            except (ValueError, APIError) as error:
                summary.kept.append(f"image {image[7:19]}: {_explain(error)}")
        for layer in reversed(self.layers):
            if layer in self.finals:
                continue
            try:
                # No force, no pruning: an intermediate image another build has since built
                # on is in use, and stays (it is ordinary build cache).
                self.api.remove_image(layer, noprune=True)
                summary.images.append(layer)
            except NotFound:
                pass  # pruned with its final image
            except APIError as error:
                summary.kept.append(f"image {layer[7:19]}: {_explain(error)}")
        for container in self.containers:  # the runner removes them; this is the check
            try:
                self.api.remove_container(container, force=True, v=True)
                summary.containers.append(container)
            except NotFound:
                pass
            except APIError as error:
                summary.kept.append(f"container {container[:12]}: {_explain(error)}")
        return summary


def _explain(error: Exception) -> str:
    text = getattr(error, "explanation", None) or str(error)
    return " ".join(str(text).split())
