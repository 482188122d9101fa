"""A throwaway Docker engine with an empty build cache: what a fresh CI runner starts with.

Why a second engine: BuildKit's cache outlives images, and the learner's engine is shared (by
other lessons, other people). Emptying it to show a cold build would destroy what others rely
on, and ``--no-cache`` cannot show an *imported* cache at work (it ignores imports too). An
engine of our own, with its own data root, socket and bridge, starts as empty as a CI runner,
can import a cache from a registry, and is deleted afterwards without touching anything else.

What it needs: Linux, root, and ``dockerd`` on PATH (as ``env up`` installs it). Elsewhere
:func:`unavailable` says why, and the lesson says what to use instead (a builder of the
``docker-container`` driver, which pulls ``moby/buildkit``).

The runner gets the learner's base image by ``docker save | docker load`` and the same
``containerd`` image store, so its ``FROM`` resolves to the same digest and cache keys match.
Its containers use a bridge of their own (no iptables rules are written) and reach the
workshop's index and registry at the host's addresses.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import os
import random
import shutil
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

BASE_IMAGE = "python:3.11-slim"
# Where each runner's bridge takes a /24 no other interface or route of this host uses: two
# runners (a lesson and a test, two learners) on one subnet would steal each other's replies.
BRIDGE_RANGE = ipaddress.ip_network("172.28.0.0/14")


def free_subnet(used: list[ipaddress.IPv4Network] | None = None) -> ipaddress.IPv4Network:
    """A /24 of :data:`BRIDGE_RANGE` that overlaps no route of this host, picked at random
    among the free ones (so two runners starting at once rarely pick the same)."""
    taken = host_networks() if used is None else used
    free = [
        subnet
        for subnet in BRIDGE_RANGE.subnets(new_prefix=24)
        if not any(subnet.overlaps(network) for network in taken)
    ]
    if not free:
        raise RuntimeError(f"no free /24 left in {BRIDGE_RANGE} for a runner's bridge")
    return random.choice(free)


def host_networks() -> list[ipaddress.IPv4Network]:
    """The IPv4 networks of this host's routes (``ip -json route``), the default route aside."""
    shown = subprocess.run(["ip", "-json", "route"], capture_output=True, text=True, check=True)
    networks = []
    for route in json.loads(shown.stdout or "[]"):
        with contextlib.suppress(ValueError):
            if route.get("dst") != "default":
                networks.append(ipaddress.ip_network(route["dst"], strict=False))
    return networks


def unavailable() -> str | None:
    """Why no runner can be started here (None when it can)."""
    if not Path("/proc").is_dir() or os.name != "posix":
        return "a throwaway engine needs Linux"
    if os.geteuid() != 0:
        return "a throwaway engine needs root (dockerd, a bridge)"
    if shutil.which("dockerd") is None:
        return "no dockerd on PATH"
    return None


class Runner:
    """A fresh engine: ``with Runner() as runner: build(..., docker_host=runner.host)``."""

    def __init__(self, base_image: str = BASE_IMAGE) -> None:
        reason = unavailable()
        if reason:
            raise RuntimeError(reason)
        self.name = f"lsn{uuid.uuid4().hex[:6]}"
        self.root = Path(tempfile.mkdtemp(prefix="ci-runner-", dir="/tmp"))
        self.host = f"unix://{self.root}/docker.sock"
        self.bridge = f"{self.name}0"
        self.base = base_image
        self._process: subprocess.Popen[bytes] | None = None
        try:
            self._start()
            self._load(base_image)
        except BaseException:
            self.close()
            raise

    def _start(self) -> None:
        subprocess.run(["ip", "link", "add", self.bridge, "type", "bridge"], check=True)
        network = free_subnet()
        gateway = next(network.hosts())
        subprocess.run(
            ["ip", "addr", "add", f"{gateway}/{network.prefixlen}", "dev", self.bridge],
            check=True,
        )
        subprocess.run(["ip", "link", "set", self.bridge, "up"], check=True)
        config = self.root / "daemon.json"
        config.write_text(json.dumps({"features": {"containerd-snapshotter": True}}))
        log = (self.root / "dockerd.log").open("wb")
        command = [
            "dockerd", f"--config-file={config}", f"--data-root={self.root}/data",
            f"--exec-root={self.root}/exec", f"--pidfile={self.root}/docker.pid",
            f"--host={self.host}", f"--bridge={self.bridge}", "--iptables=false",
            "--ip-masq=false", "--ip-forward=false",
        ]  # fmt: skip
        self._process = subprocess.Popen(
            command,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"dockerd exited: {self.log_tail()}")
            if self.docker("info", check=False).returncode == 0:
                return
            time.sleep(0.5)
        raise RuntimeError(f"the runner's dockerd did not answer in 60 s: {self.log_tail()}")

    def _load(self, image: str) -> None:
        with subprocess.Popen(["docker", "save", image], stdout=subprocess.PIPE) as save:
            loaded = subprocess.run(
                ["docker", "-H", self.host, "load", "--quiet"],
                stdin=save.stdout,
                capture_output=True,
                text=True,
            )
        if loaded.returncode != 0:
            raise RuntimeError(f"could not load {image} into the runner: {loaded.stderr}")

    def reset(self) -> None:
        """Empty the runner again, as the next CI job's fresh machine: every image but the base
        image and the whole build cache (cache mounts too) go. Only this engine's own: the
        learner's engine is never pruned."""
        listed = self.docker("image", "ls", "--format", "{{.ID}} {{.Repository}}:{{.Tag}}").stdout
        others = {line.split()[0] for line in listed.splitlines() if line.split()[1] != self.base}
        if others:
            self.docker("image", "rm", "--force", *sorted(others), check=False)
        self.docker("builder", "prune", "--all", "--force")

    def docker(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run the docker CLI against the runner."""
        return subprocess.run(
            ["docker", "-H", self.host, *args], capture_output=True, text=True, check=check
        )

    def log_tail(self, lines: int = 20) -> str:
        path = self.root / "dockerd.log"
        text = path.read_text(errors="replace") if path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def close(self) -> None:
        """Stop the engine, delete its bridge and everything it stored."""
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        with contextlib.suppress(subprocess.CalledProcessError, FileNotFoundError):
            subprocess.run(["ip", "link", "delete", self.bridge], check=True, capture_output=True)
        for mount in _mounts_under(self.root):
            subprocess.run(["umount", "-l", mount], capture_output=True)
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _mounts_under(root: Path) -> list[str]:
    prefix = str(root)
    with open("/proc/mounts") as mounts:
        found = [line.split()[1] for line in mounts if line.split()[1].startswith(prefix)]
    return sorted(found, key=len, reverse=True)
