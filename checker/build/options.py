"""Options both builders take, in one place so the two runners cannot drift apart."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Literal

BuilderName = Literal["classic", "buildkit"]


@dataclass(frozen=True)
class BuildOptions:
    """What to build and how.

    ``dockerfile`` is relative to the context directory or absolute (it may lie outside the
    context). ``network_mode`` is the classic builder's ``network_mode`` and BuildKit's
    ``--network`` (``"host"``, ``"none"``, ``"default"``; the classic builder also takes a
    network's name). ``memory`` (bytes), ``memswap`` (bytes, ``-1`` for no swap limit),
    ``cpu_shares`` and ``cpuset_cpus`` (``"0"``, ``"0-1"``) limit every container the classic
    builder starts; BuildKit has no per-build limits through the CLI, so asking for them there
    is an error rather than a silent no-op. ``cgroup_parent`` is BuildKit's ``--cgroup-parent``:
    its ``RUN`` containers are created under that cgroup, so the limits set on it
    (:class:`checker.verify.sandbox.BuildkitCgroup`) hold for them. ``timeout`` (seconds of
    wall-clock) stops the build with either builder and removes what it left running.
    ``export=False`` builds into BuildKit's cache only (buildx's ``--output type=cacheonly``):
    no image is exported and unpacked, which is most of a rebuild's time when its layers are
    large and only the cache is wanted; the result then has no image id. The classic builder
    and a docker CLI without buildx always make the image.
    """

    tag: str | None = None
    no_cache: bool = False
    buildargs: dict[str, str] = field(default_factory=dict)
    dockerfile: str | os.PathLike[str] | None = None
    target: str | None = None
    network_mode: str | None = None
    memory: int | None = None
    memswap: int | None = None
    cpu_shares: int | None = None
    cpuset_cpus: str | None = None
    cgroup_parent: str | None = None
    timeout: float | None = None
    docker_host: str | None = None
    export: bool = True

    def container_limits(self) -> dict[str, int | str]:
        """The classic builder's ``container_limits`` (only the keys that were set)."""
        limits: dict[str, int | str | None] = {
            "memory": self.memory,
            "memswap": self.memswap,
            "cpushares": self.cpu_shares,
            "cpusetcpus": self.cpuset_cpus,
        }
        return {key: value for key, value in limits.items() if value is not None}
