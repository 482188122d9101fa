"""Issue 13: a proof build's ``RUN`` reaches the package index and nothing else.

Unit tests check the plan (contained or not, and why) and the firewall's rules without touching
the host. Engine tests (marked ``docker``) need root, ``dockerd``, ``iptables`` and ``ip netns``
on this machine and the workshop's index on the bridge gateway; they skip with the reason
otherwise. Their targets are all on this machine: listeners on loopback and on the index's
address, one inside a network namespace of the test's own, and ``169.254.169.254`` (which our
rules reject before it leaves the machine).
"""

from __future__ import annotations

import ipaddress
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from checker.build import BuildError, BuildResult, StepRecord
from checker.dockerfile import parse
from checker.runtime import bridge_firewall, throwaway_engine
from checker.runtime.bridge_firewall import BridgeFirewall, Endpoint
from checker.runtime.throwaway_engine import ThrowawayEngine
from checker.verify.network import CONTAINED, local_endpoints, plan_network
from checker.verify.proof import _classify, _Setup, verify
from checker.verify.sandbox import Limits

BASE = "python:3.11-slim"
INSTALLS = parse(f"FROM {BASE}\nRUN pip install idna\n")
INDEX = "http://172.17.0.1:8741/simple/"


class _Engine:
    """Stands in for docker-py's APIClient where only ``info()`` is asked."""

    def __init__(self, name: str = socket.gethostname()) -> None:
        self.name = name

    def info(self) -> dict[str, object]:
        return {
            "Name": self.name,
            "DriverStatus": [["driver-type", "io.containerd.snapshotter.v1"]],
        }


@pytest.fixture
def jail_possible(monkeypatch: pytest.MonkeyPatch) -> None:
    """A machine where the throwaway engine and firewall could run, with the index local."""
    monkeypatch.delenv("DOCKER_HOST", raising=False)
    monkeypatch.setattr(throwaway_engine, "unavailable", lambda: None)
    monkeypatch.setattr(bridge_firewall, "unavailable", lambda: None)
    monkeypatch.setattr("checker.verify.network._is_this_machine", lambda address: True)


# --------------------------------------------------------------------------------------
# The plan: contained, or not and why


def test_an_index_on_this_machine_is_contained(jail_possible: None) -> None:
    plan = plan_network(INSTALLS, [INDEX], _Engine())  # type: ignore[arg-type]
    assert plan.contained and plan.name == CONTAINED and plan.mode is None
    assert plan.allowed == [Endpoint("172.17.0.1", 8741)]
    assert "172.17.0.1:8741 (TCP) and nothing else" in plan.why


def test_no_run_step_needs_no_network_and_no_throwaway_engine() -> None:
    plan = plan_network(parse(f"FROM {BASE}\nCOPY . .\n"), [INDEX], _Engine())  # type: ignore[arg-type]
    assert plan.contained and plan.mode == "none" and not plan.allowed


@pytest.mark.parametrize(
    ("indexes", "words"),
    [
        ([], "CDN"),  # PyPI
        (["http://127.0.0.1:8741/simple/"], "loopback only on the host network"),
        (["https://mirror.example.org/simple/"], "host name"),
        (["http://203.0.113.7:8080/simple/"], "not at an address of this machine"),
    ],
)
def test_where_the_network_cannot_be_contained_the_report_says_why(
    monkeypatch: pytest.MonkeyPatch, indexes: list[str], words: str
) -> None:
    monkeypatch.setattr(throwaway_engine, "unavailable", lambda: None)
    monkeypatch.setattr(bridge_firewall, "unavailable", lambda: None)
    plan = plan_network(INSTALLS, indexes, _Engine())  # type: ignore[arg-type]
    assert not plan.contained and not plan.allowed
    assert "not contained: " in plan.why and words in plan.why
    expected_mode = "host" if "127.0.0.1" in "".join(indexes) else None
    assert plan.mode == expected_mode  # today's network, on the learner's engine


def test_a_remote_engine_or_a_machine_without_the_tools_is_not_contained(
    jail_possible: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = plan_network(INSTALLS, [INDEX], _Engine("another-machine"))  # type: ignore[arg-type]
    assert not plan.contained and "runs on 'another-machine'" in plan.why
    monkeypatch.setenv("DOCKER_HOST", "tcp://build.example.org:2376")
    plan = plan_network(INSTALLS, [INDEX], _Engine())  # type: ignore[arg-type]
    assert not plan.contained and "tcp://build.example.org:2376" in plan.why
    monkeypatch.delenv("DOCKER_HOST")
    monkeypatch.setattr(bridge_firewall, "unavailable", lambda: "no iptables command")
    plan = plan_network(INSTALLS, [INDEX], _Engine())  # type: ignore[arg-type]
    assert not plan.contained and plan.why.endswith("not contained: no iptables command")
    plan = plan_network(INSTALLS, [INDEX], _Engine(), contain=False)  # type: ignore[arg-type]
    assert not plan.contained and "asked for the learner's engine" in plan.why


def test_index_endpoints_take_the_scheme_default_port() -> None:
    endpoints, problem = local_endpoints(["http://127.0.0.1/simple/", "https://127.0.0.1/s/"])
    assert problem is None
    assert endpoints == [Endpoint("127.0.0.1", 80), Endpoint("127.0.0.1", 443)]


# --------------------------------------------------------------------------------------
# The firewall's rules, as commands (nothing runs)


def test_the_firewall_lets_through_the_index_alone_and_undoes_every_rule(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ran: list[tuple[str, ...]] = []

    def fake(*argv: str) -> subprocess.CompletedProcess[str]:
        ran.append(argv)
        return subprocess.CompletedProcess(argv, 0, "", "")

    monkeypatch.setattr(bridge_firewall, "_run", fake)
    firewall = BridgeFirewall([Endpoint("172.17.0.1", 8741)])
    firewall.start("vfy1234560", ipaddress.ip_network("172.30.7.0/24"))
    chain = "CHECKER-vfy1234560"
    v4 = [argv[1:] for argv in ran if argv[0] == "iptables"]
    assert v4[0] == ("-N", chain)
    assert v4[1] == (
        "-A",
        chain,
        "-p",
        "tcp",
        "-d",
        "172.17.0.1",
        "--dport",
        "8741",
        "-j",
        "ACCEPT",
    )
    assert [rule[-3] for rule in v4[2:4]] == ["REJECT", "REJECT"]
    assert v4[4:] == [
        ("-I", "INPUT", "1", "-i", "vfy1234560", "-j", chain),
        ("-I", "FORWARD", "1", "-i", "vfy1234560", "-j", chain),
    ]
    v6 = [argv[1:] for argv in ran if argv[0] == "ip6tables"]
    assert ("-A", chain, "-j", "REJECT", "--reject-with", "adm-prohibited") in v6
    ran.clear()
    firewall.stop()
    undone = [argv[1:] for argv in ran if argv[0] == "iptables"]
    assert undone == [
        ("-D", "FORWARD", "-i", "vfy1234560", "-j", chain),
        ("-D", "INPUT", "-i", "vfy1234560", "-j", chain),
        ("-F", chain),
        ("-X", chain),
    ]
    assert len([argv for argv in ran if argv[0] == "ip6tables"]) == 4


def test_a_throwaway_bridge_takes_a_subnet_no_route_uses(monkeypatch: pytest.MonkeyPatch) -> None:
    pool = list(throwaway_engine.SUBNET_POOL.subnets(new_prefix=24))
    used = [ipaddress.ip_network(net) for net in pool[:-1]]
    monkeypatch.setattr(throwaway_engine, "_used_networks", lambda: used)
    assert throwaway_engine.free_subnet() == pool[-1]


def test_an_engine_whose_owner_died_is_swept_by_the_next_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A verify killed mid-build leaves its dockerd running and its rules in place: the next
    throwaway engine to start stops what still runs in the folder, undoes the rules, and
    deletes it; an engine whose owner still runs is left alone."""
    monkeypatch.setattr(throwaway_engine, "ROOTS", str(tmp_path))
    dead, alive = tmp_path / "vfy-engine-dead", tmp_path / "vfy-engine-alive"
    dead.mkdir(), alive.mkdir()
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                              capture_output=True, text=True)  # fmt: skip
    undone = tmp_path / "undone"
    record = {
        "pid": int(finished.stdout),
        "started": "1",
        "bridge": "",
        "undo": [["touch", str(undone)]],
    }
    (dead / "owner.json").write_text(json.dumps(record))
    stray = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", str(dead)])
    monkeypatch.setattr(
        throwaway_engine, "_start_time", lambda pid: "1" if pid == os.getpid() else None
    )
    (alive / "owner.json").write_text(json.dumps({**record, "pid": os.getpid()}))
    try:
        assert throwaway_engine.sweep_stale() == [str(dead)]
        assert stray.wait(timeout=10) is not None  # stopped
        assert undone.exists() and not dead.exists() and alive.exists()
    finally:
        stray.kill()


def test_a_network_failure_of_a_contained_build_names_the_containment() -> None:
    step = StepRecord(key="2", number=2, instruction="RUN apt-get update", failed=True)
    step.output = [
        "Temporary failure resolving 'deb.debian.org'",
        "Temporary failure in name resolution",
    ]
    result = BuildResult("classic", [step], None, 1.0, error="returned a non-zero code: 100")
    setup = _Setup(
        Path("."), "Dockerfile", {}, None, [], Limits(), "the package index", lambda m: None,  # type: ignore[arg-type]
        "RUN steps reach 172.17.0.1:8741 (TCP) and nothing else",
    )  # fmt: skip
    problem = _classify(
        BuildError("returned a non-zero code: 100", result, step), 1, setup, "classic"
    )
    assert problem.kind == "build-failed"
    assert "verify's network is contained: RUN steps reach 172.17.0.1:8741" in problem.message


# --------------------------------------------------------------------------------------
# Real proof builds on this machine

PROBE = """\
import socket, sys
reached = []
for line in open("targets.txt"):
    name, host, port = line.split()
    connection = socket.socket()
    connection.settimeout(2)
    try:
        connection.connect((host, int(port)))
        reached.append(f"{name} {host}:{port}")
    except OSError as error:
        print(f"not reached: {name} {host}:{port} ({error})")
    finally:
        connection.close()
if reached:
    sys.exit("REACHED " + ", ".join(reached))
"""
PROBE_DOCKERFILE = (
    f"FROM {BASE}\nWORKDIR /app\nCOPY requirements.txt .\n"
    'RUN pip install -r requirements.txt && python -c "import idna"\n'
    "COPY . .\nRUN python probe.py\n"
)
NETNS_SERVER = """\
import socket, sys
server = socket.socket()
server.bind((sys.argv[1], 0))
server.listen()
print(server.getsockname()[1], flush=True)
while True:
    connection, _ = server.accept()
    print("hit", flush=True)
    connection.close()
"""


class Listener:
    """A TCP listener on this machine that counts the connections it accepts."""

    def __init__(self, address: str) -> None:
        self.server = socket.socket()
        self.server.bind((address, 0))
        self.server.listen()
        self.address, self.port = address, self.server.getsockname()[1]
        self.hits, self.closed = 0, False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.closed:
            try:
                connection, _ = self.server.accept()
            except OSError:
                continue  # closed (the loop ends), or a client gone before accept
            self.hits += 1
            connection.close()

    def count(self, at_least: int = 0) -> int:
        """The connections accepted, waiting up to 2 s for ``at_least`` of them."""
        deadline = time.monotonic() + 2
        while self.hits < at_least and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.hits

    def close(self) -> None:
        self.closed = True
        self.server.close()


class Namespace:
    """A network namespace of the test's own, joined to the host by a veth pair, with a
    listener inside (on 198.18.0.0/15, the benchmarking range: no LAN uses it)."""

    def __init__(self) -> None:
        tag = uuid.uuid4().hex[:6]
        self.name, self.host_side, self.inside = f"chk{tag}", f"chkh{tag}", f"chkn{tag}"
        net = self._free_net()
        host_ip, self.address = (str(ip) for ip in list(net.hosts())[:2])
        self.made = False
        for argv in (
            ["ip", "netns", "add", self.name],
            ["ip", "link", "add", self.host_side, "type", "veth", "peer", "name", self.inside],
            ["ip", "link", "set", self.inside, "netns", self.name],
            ["ip", "addr", "add", f"{host_ip}/30", "dev", self.host_side],
            ["ip", "link", "set", self.host_side, "up"],
            ["ip", "-n", self.name, "addr", "add", f"{self.address}/30", "dev", self.inside],
            ["ip", "-n", self.name, "link", "set", self.inside, "up"],
            ["ip", "-n", self.name, "link", "set", "lo", "up"],
            ["ip", "-n", self.name, "route", "add", "default", "via", host_ip],
        ):
            subprocess.run(argv, check=True, capture_output=True)
            self.made = True
        self.server = subprocess.Popen(
            ["ip", "netns", "exec", self.name, sys.executable, "-c", NETNS_SERVER, self.address],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.server.stdout is not None
        self.port = int(self.server.stdout.readline())

    @staticmethod
    def _free_net() -> ipaddress.IPv4Network:
        used = throwaway_engine._used_networks()
        nets = list(ipaddress.ip_network("198.18.0.0/15").subnets(new_prefix=30))
        for net in random.sample(nets, 50):
            if not any(net.overlaps(other) for other in used):
                return net
        raise RuntimeError("no free /30 in 198.18.0.0/15")

    def hits(self) -> int:
        """Connections the listener accepted (it is stopped first)."""
        self.server.kill()
        output, _ = self.server.communicate()
        return output.split().count("hit")

    def close(self) -> None:
        if self.server.poll() is None:
            self.server.kill()
            self.server.wait()
        # The pair first: a namespace's devices go only after the kernel let go of it.
        subprocess.run(["ip", "link", "delete", self.host_side], capture_output=True)
        subprocess.run(["ip", "netns", "delete", self.name], capture_output=True)


def _jail_problem() -> str | None:
    import docker

    from checker.verify.sandbox import index_urls

    problem = throwaway_engine.unavailable() or bridge_firewall.unavailable()
    if problem or subprocess.run(["ip", "netns", "list"], capture_output=True).returncode:
        return problem or "no `ip netns` here"
    api = docker.from_env(timeout=60).api
    try:
        indexes = index_urls(api, [BASE])
        plan = plan_network(INSTALLS, indexes, api)
        return None if plan.contained else f"this machine cannot contain the build: {plan.why}"
    finally:
        api.close()


def _left_behind(engines: list[ThrowawayEngine]) -> list[str]:
    """What of these engines is still on the machine: bridge, chains, folder."""
    links = subprocess.run(["ip", "-o", "link"], capture_output=True, text=True).stdout
    rules = "".join(
        subprocess.run([command, "-w", "-S"], capture_output=True, text=True).stdout
        for command in ("iptables", "ip6tables")
    )
    left = []
    for engine in engines:
        left += [f"bridge {engine.bridge}"] if f" {engine.bridge}:" in links else []
        left += [f"chain CHECKER-{engine.bridge}"] if f"CHECKER-{engine.bridge}" in rules else []
        left += [f"folder {engine.root}"] if engine.root.exists() else []
    return left


@pytest.fixture
def engines(monkeypatch: pytest.MonkeyPatch) -> list[ThrowawayEngine]:
    """The throwaway engines verify starts in this test (others may run on the machine)."""
    started: list[ThrowawayEngine] = []

    class Recorded(ThrowawayEngine):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]
            started.append(self)

    monkeypatch.setattr("checker.verify.network.ThrowawayEngine", Recorded)
    return started


@pytest.fixture
def targets(tmp_path: Path, engine: object) -> Iterator[dict[str, object]]:
    """Listeners on loopback, on another port of the index's address, inside a namespace of
    our own; each checked to answer from this machine before the build runs."""
    problem = _jail_problem()
    if problem:
        pytest.skip(problem)
    from checker.verify.sandbox import index_urls

    endpoints, _ = local_endpoints(index_urls(engine, [BASE]))  # type: ignore[arg-type]
    loopback, index_host = Listener("127.0.0.1"), Listener(endpoints[0].address)
    namespace = Namespace()
    try:
        for address, port in [
            (loopback.address, loopback.port),
            (index_host.address, index_host.port),
            (namespace.address, namespace.port),
        ]:
            socket.create_connection((address, port), timeout=2).close()  # reachable here
        yield {
            "loopback": loopback,
            "index_host": index_host,
            "namespace": namespace,
            "lines": [
                f"loopback 127.0.0.1 {loopback.port}",
                f"index-host-other-port {index_host.address} {index_host.port}",
                f"namespace {namespace.address} {namespace.port}",
                "metadata 169.254.169.254 80",
            ],
        }
    finally:
        loopback.close()
        index_host.close()
        namespace.close()
    spaces = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    assert namespace.name not in spaces.split()
    assert (
        namespace.host_side
        not in subprocess.run(["ip", "-o", "link"], capture_output=True, text=True).stdout
    )


def _probe_context(root: Path, lines: list[str]) -> Path:
    root.mkdir()
    (root / "Dockerfile").write_text(PROBE_DOCKERFILE)
    (root / "requirements.txt").write_text("idna\n")
    (root / "app.py").write_text("print('hello')\n")
    (root / "probe.py").write_text(PROBE)
    (root / "targets.txt").write_text("\n".join(lines) + "\n")
    return root


@pytest.mark.docker
@pytest.mark.parametrize("builder", ["classic", "buildkit"])
def test_a_proof_build_reaches_the_index_and_nothing_else(
    builder: str, tmp_path: Path, targets: dict, engines: list[ThrowawayEngine]
) -> None:
    """(a) pip installs from the workshop's index; (b) a listener on the host's loopback,
    (c) another port on the index's address, (d) an address in a namespace of ours and
    (e) 169.254.169.254 are not reached, by either build's probe."""
    context = _probe_context(tmp_path / "probe", targets["lines"])
    report = verify(context / "Dockerfile", context, builder=builder, timeout=300)
    assert report.error is None, f"{report.error}\n" + "\n".join(report.detail)
    assert report.network == CONTAINED and report.network_contained, report.network_reason
    probe = next(step for step in report.steps if step.instruction == "RUN python probe.py")
    assert probe.actual == "ran"  # the second build ran the probe too (COPY . . changed)
    assert targets["loopback"].count() == 1  # the check from this machine, nothing more
    assert targets["index_host"].count() == 1
    assert targets["namespace"].hits() == 1
    assert len(engines) == 1 and _left_behind(engines) == []


@pytest.mark.docker
def test_the_probe_reaches_the_index_host_when_not_contained(tmp_path: Path, targets: dict) -> None:
    """The control: on the learner's engine's default bridge (verify's old network) the same
    probe reaches another port of the index's address, so a pass above is the firewall's."""
    index_host = targets["index_host"]
    lines = [f"index-host-other-port {index_host.address} {index_host.port}"]
    context = _probe_context(tmp_path / "control", lines)
    report = verify(context / "Dockerfile", context, timeout=300, contain=False)
    assert report.error_kind == "build-failed" and not report.network_contained
    assert any("REACHED index-host-other-port" in line for line in report.detail), report.detail
    assert index_host.count(at_least=2) >= 2


@pytest.mark.docker
def test_a_dockerfile_cannot_ask_for_the_host_network(
    tmp_path: Path, engine: object, engines: list[ThrowawayEngine]
) -> None:
    """``RUN --network=host`` would step around the bridge: the contained engine refuses it."""
    problem = _jail_problem()
    if problem:
        pytest.skip(problem)
    context = tmp_path / "hostnet"
    context.mkdir()
    (context / "app.py").write_text("print('hello')\n")
    (context / "Dockerfile").write_text(
        f"FROM {BASE}\nCOPY app.py .\nRUN --network=host python -c 'print(1)'\n"
    )
    report = verify(context / "Dockerfile", context, builder="buildkit", timeout=120)
    assert report.network == CONTAINED
    assert report.error_kind == "build-failed" and "network.host" in report.error, report.error
    assert len(engines) == 1 and _left_behind(engines) == []
