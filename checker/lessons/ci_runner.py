"""Lesson 10's cold CI runner: a throwaway engine with an empty build cache, as a fresh CI machine.

Why a second engine: BuildKit's cache outlives images, and the learner's engine is shared (by
other lessons, other people). Emptying it to show a cold build would destroy what others rely
on, and ``--no-cache`` cannot show an *imported* cache at work (it ignores imports too). An
engine of our own (:class:`checker.runtime.throwaway_engine.ThrowawayEngine`: its own data
root, socket and bridge) starts as empty as a CI runner, can import a cache from a registry,
and is deleted afterwards without touching anything else.

What it needs: Linux, root, and ``dockerd`` on PATH (as ``env up`` installs it). Elsewhere
:func:`unavailable` says why, and the lesson says what to use instead (a builder of the
``docker-container`` driver, which pulls ``moby/buildkit``).

The runner gets the learner's base image by ``docker save | docker load`` and the same
``containerd`` image store, so its ``FROM`` resolves to the same digest and cache keys match.
Its containers use a bridge of their own (no firewall: a CI machine reaches its network) and
reach the workshop's index and registry at the host's addresses.
"""

from __future__ import annotations

from checker.runtime.throwaway_engine import ThrowawayEngine, unavailable

__all__ = ["BASE_IMAGE", "Runner", "unavailable"]

BASE_IMAGE = "python:3.11-slim"


class Runner(ThrowawayEngine):
    """A fresh engine: ``with Runner() as runner: build(..., docker_host=runner.host)``."""

    def __init__(self, base_image: str = BASE_IMAGE) -> None:
        super().__init__("lsn", containerd=True)
        self.base = base_image
        try:
            self.load([base_image])
        except BaseException:
            self.close()
            raise

    def reset(self) -> None:
        """Empty the runner again, as the next CI job's fresh machine: every image but the base
        image and the whole build cache (cache mounts too) go. Only this engine's own: the
        learner's engine is never pruned."""
        listed = self.docker("image", "ls", "--format", "{{.ID}} {{.Repository}}:{{.Tag}}").stdout
        others = {line.split()[0] for line in listed.splitlines() if line.split()[1] != self.base}
        if others:
            self.docker("image", "rm", "--force", *sorted(others), check=False)
        self.docker("builder", "prune", "--all", "--force")
