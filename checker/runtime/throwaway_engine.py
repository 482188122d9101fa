"""A throwaway Docker engine: its own dockerd, data root, socket and bridge, deleted whole after.

Who uses it: lesson 10's cold CI runner (:class:`checker.lessons.ci_runner.Runner`, an engine
that starts as empty as a CI machine) and ``verify``'s proof builds (an engine whose bridge is
firewalled, :class:`checker.runtime.bridge_firewall.BridgeFirewall`, so a ``RUN`` reaches the
package index and nothing else). One implementation, so both leave the machine as they found it.

Why a second engine rather than the learner's: the learner's engine is shared (other lessons,
other people). Its build cache cannot be emptied for one lesson, and its bridge cannot be
narrowed for one build: BuildKit through buildx's ``docker`` driver takes only ``--network
default|host|none``, so the only place to restrict a ``RUN`` of either builder is the bridge
the engine's build containers use. An engine of our own runs with ``--iptables=false`` on a
bridge we make, so the only rules about that bridge are the ones we add (and remove).

Never ``--bridge=none``: a dockerd whose bridge is disabled deletes the interface ``docker0``
at start (seen with 26.1.5), which is the learner's engine's default bridge. Every throwaway
engine gets a bridge of its own instead.

What it needs: Linux, root, and ``dockerd`` on PATH (as ``env up`` installs it).
:func:`unavailable` says why not elsewhere.

Images come from the learner's engine by ``docker save | docker load``, in the same image
store (containerd or not, as the learner's engine), so ``FROM`` resolves to the same digest and
cache keys match. The bridge gets a /24 no route on this machine uses yet (chosen under a lock,
so engines started side by side never share one).
"""

from __future__ import annotations

import contextlib
import fcntl
import ipaddress
import json
import os
import random
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path

# The /24s a throwaway bridge may take: inside Docker's own default pools (172.17-31.0.0/16), so
# no LAN uses them, and the learner's engine skips any a route already covers. (Not 172.29/16:
# earlier versions of the lesson's runner took all of it.)
SUBNET_POOL = ipaddress.ip_network("172.30.0.0/15")
SUBNET_LOCK = Path(tempfile.gettempdir()) / "checker-throwaway-engine.lock"
ROOTS = "/tmp"  # where engine folders go (dockerd's socket path must stay short)
START_TIMEOUT = 60.0


def unavailable() -> str | None:
    """Why no throwaway engine can be started here (None when it can)."""
    if not Path("/proc").is_dir() or os.name != "posix":
        return "a throwaway engine needs Linux"
    if os.geteuid() != 0:
        return "a throwaway engine needs root (dockerd, a bridge)"
    if shutil.which("dockerd") is None:
        return "no dockerd on PATH"
    if shutil.which("ip") is None:
        return "no `ip` command (iproute2) to make the engine's bridge"
    return None


class ThrowawayEngine:
    """``with ThrowawayEngine(prefix="vfy") as engine: build(..., docker_host=engine.host)``.

    ``containerd`` picks the image store (the learner's engine's, so cache keys match);
    ``before_start`` is called with the new bridge's name and subnet before dockerd starts, so
    a firewall is in place before any container can run; ``daemon`` adds daemon.json settings.
    """

    def __init__(
        self,
        prefix: str = "tmp",
        *,
        containerd: bool = True,
        daemon: dict[str, object] | None = None,
        before_start: list[ThrowawayHook] | None = None,
    ) -> None:
        reason = unavailable()
        if reason:
            raise RuntimeError(reason)
        sweep_stale()
        self.name = f"{prefix[:6]}{uuid.uuid4().hex[:6]}"
        self.root = Path(tempfile.mkdtemp(prefix=f"{prefix}-engine-", dir=ROOTS))
        self.host = f"unix://{self.root}/docker.sock"
        self.bridge = f"{self.name}0"
        self.subnet: ipaddress.IPv4Network | None = None
        self._hooks = list(before_start or [])
        _write_owner(self.root, self.bridge, self._hooks)
        self._started_hooks: list[ThrowawayHook] = []
        self._process: subprocess.Popen[bytes] | None = None
        self._settings: dict[str, object] = {
            **({"features": {"containerd-snapshotter": True}} if containerd else {}),
            **(daemon or {}),
        }
        try:
            self._make_bridge()
            for hook in self._hooks:
                self._started_hooks.append(hook)
                hook.start(self.bridge, self._subnet())
            self._start()
        except BaseException:
            self.close()
            raise

    def _subnet(self) -> ipaddress.IPv4Network:
        if self.subnet is None:
            raise RuntimeError("the throwaway engine's bridge has no subnet yet")
        return self.subnet

    @property
    def gateway(self) -> str:
        """The host's address on the engine's bridge."""
        return str(next(self._subnet().hosts()))

    def _make_bridge(self) -> None:
        with _lock():
            self.subnet = free_subnet()
            _ip("link", "add", self.bridge, "type", "bridge")
            _ip("addr", "add", f"{self.gateway}/{self.subnet.prefixlen}", "dev", self.bridge)
        # No IPv6 on the bridge: the engine's networks are IPv4 only, and the host gets no
        # link-local address there that a container could talk to.
        with contextlib.suppress(OSError):
            Path(f"/proc/sys/net/ipv6/conf/{self.bridge}/disable_ipv6").write_text("1")
        _ip("link", "set", self.bridge, "up")

    def _start(self) -> None:
        config = self.root / "daemon.json"
        config.write_text(json.dumps(self._settings))
        log = (self.root / "dockerd.log").open("wb")
        command = [
            "dockerd", f"--config-file={config}", f"--data-root={self.root}/data",
            f"--exec-root={self.root}/exec", f"--pidfile={self.root}/docker.pid",
            f"--host={self.host}", f"--bridge={self.bridge}", "--iptables=false",
            "--ip6tables=false", "--ip-masq=false", "--ip-forward=false",
        ]  # fmt: skip
        self._process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"the throwaway dockerd exited: {self.log_tail()}")
            if self.docker("info", check=False).returncode == 0:
                return
            time.sleep(0.2)
        raise RuntimeError(
            f"the throwaway dockerd did not answer in {START_TIMEOUT:g} s: {self.log_tail()}"
        )

    def load(self, images: Sequence[str], source: str | None = None) -> None:
        """Copy ``images`` from the engine at ``source`` (default: the environment's) here."""
        if not images:
            return
        env = {**os.environ, "DOCKER_HOST": source} if source else None
        with subprocess.Popen(
            ["docker", "save", *images], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
        ) as save:
            loaded = subprocess.run(
                ["docker", "-H", self.host, "load", "--quiet"],
                stdin=save.stdout,
                capture_output=True,
                text=True,
            )
            saved_error = save.stderr.read().decode(errors="replace") if save.stderr else ""
        if save.returncode != 0 or loaded.returncode != 0:
            why = (saved_error or loaded.stderr).strip()
            raise RuntimeError(f"could not copy {', '.join(images)} to the throwaway engine: {why}")

    def docker(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run the docker CLI against this engine."""
        return subprocess.run(
            ["docker", "-H", self.host, *args], capture_output=True, text=True, check=check
        )

    def log_tail(self, lines: int = 20) -> str:
        path = self.root / "dockerd.log"
        text = path.read_text(errors="replace") if path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def close(self) -> None:
        """Stop the engine, then remove its bridge, the hooks' work and everything it stored."""
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        for hook in reversed(self._started_hooks):
            hook.stop()
        self._started_hooks.clear()
        with contextlib.suppress(subprocess.CalledProcessError, FileNotFoundError):
            _ip("link", "delete", self.bridge)
        for mount in _mounts_under(self.root):
            subprocess.run(["umount", "-l", mount], capture_output=True)
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> ThrowawayEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class ThrowawayHook:
    """Work done on the bridge before the engine starts, undone after it stopped."""

    def start(self, bridge: str, subnet: ipaddress.IPv4Network) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def undo_commands(self, bridge: str) -> list[list[str]]:
        """Commands that undo :meth:`start` for ``bridge`` whatever part of it ran (failing
        harmlessly for the rest): what :func:`sweep_stale` runs if our process dies first."""
        return []


# --------------------------------------------------------------------------------------
# Engines whose owner died (a killed verify, a crashed notebook kernel) are removed by the
# next engine to start: each engine's folder holds an owner record written before anything
# else is made (the owning process, the bridge, the hooks' undo commands).

OWNER = "owner.json"


def _write_owner(root: Path, bridge: str, hooks: Sequence[ThrowawayHook]) -> None:
    record = {
        "pid": os.getpid(),
        "started": _start_time(os.getpid()),
        "bridge": bridge,
        "undo": [command for hook in hooks for command in hook.undo_commands(bridge)],
    }
    (root / OWNER).write_text(json.dumps(record))


def _start_time(pid: int) -> str | None:
    """The process's start time (clock ticks since boot), which a reused pid does not share."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]


def sweep_stale() -> list[str]:
    """Remove every throwaway engine whose owning process is gone; returns their folders."""
    swept: list[str] = []
    for owner in Path(ROOTS).glob(f"*-engine-*/{OWNER}"):
        try:
            record = json.loads(owner.read_text())
        except (OSError, ValueError):
            continue
        if _start_time(int(record.get("pid", 0))) == record.get("started"):
            continue  # its owner still runs
        claim = owner.with_name("owner.sweeping")
        try:
            owner.rename(claim)  # one sweeper per engine
        except OSError:
            continue
        _remove_dead_engine(owner.parent, str(record.get("bridge", "")), record.get("undo", []))
        swept.append(str(owner.parent))
    return swept


def _remove_dead_engine(root: Path, bridge: str, undo: list[list[str]]) -> None:
    for signal_number, wait in ((15, 20.0), (9, 5.0)):
        running = _processes_under(root)
        for pid in running:
            with contextlib.suppress(OSError):
                os.kill(pid, signal_number)
        deadline = time.monotonic() + wait
        while running and _processes_under(root) and time.monotonic() < deadline:
            time.sleep(0.2)
    for mount in _mounts_under(root):
        subprocess.run(["umount", "-l", mount], capture_output=True)
    for command in undo:
        subprocess.run(command, capture_output=True)
    if bridge:
        subprocess.run(["ip", "link", "delete", bridge], capture_output=True)
    shutil.rmtree(root, ignore_errors=True)


def _processes_under(root: Path) -> list[int]:
    """Processes whose command line names the engine's folder (its dockerd, containerd and
    shims): the folder's name is random, so no other process names it."""
    found: list[int] = []
    marker = str(root).encode()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            with contextlib.suppress(OSError):
                if marker in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
    return found


def free_subnet() -> ipaddress.IPv4Network:
    """A /24 of :data:`SUBNET_POOL` that overlaps no route or address on this machine."""
    used = _used_networks()
    candidates = list(SUBNET_POOL.subnets(new_prefix=24))
    random.shuffle(candidates)
    for candidate in candidates:
        if not any(candidate.overlaps(network) for network in used):
            return candidate
    raise RuntimeError(f"no free /24 left in {SUBNET_POOL} for a throwaway engine's bridge")


def _used_networks() -> list[ipaddress.IPv4Network]:
    found: list[ipaddress.IPv4Network] = []
    routes = subprocess.run(
        ["ip", "-4", "route", "show", "table", "all"], capture_output=True, text=True
    ).stdout
    addresses = subprocess.run(["ip", "-4", "-o", "addr"], capture_output=True, text=True).stdout
    words = [_destination(line.split()) for line in routes.splitlines() if line.split()]
    words += [line.split()[3] for line in addresses.splitlines() if len(line.split()) > 3]
    for word in words:
        with contextlib.suppress(ValueError):
            found.append(ipaddress.ip_network(word, strict=False))  # type: ignore[arg-type]
    return found


_ROUTE_TYPES = {"local", "broadcast", "unicast", "unreachable", "blackhole", "prohibit", "throw"}


def _destination(fields: list[str]) -> str:
    """A route line's destination (``local 10.0.0.1 dev ...`` -> ``10.0.0.1``)."""
    if fields[0] in _ROUTE_TYPES and len(fields) > 1:
        return fields[1]
    return fields[0]


@contextlib.contextmanager
def _lock() -> Iterator[None]:
    with SUBNET_LOCK.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, text=True)


def _mounts_under(root: Path) -> list[str]:
    prefix = str(root)
    with open("/proc/mounts") as mounts:
        found = [line.split()[1] for line in mounts if line.split()[1].startswith(prefix)]
    return sorted(found, key=len, reverse=True)
