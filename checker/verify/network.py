"""What a ``RUN`` step of a proof build can reach: the package index and nothing else, where we can.

A submitted Dockerfile's ``RUN`` runs arbitrary code. On the learner's engine its container sits
on the default bridge, which reaches every address of this machine, the LAN, the cloud's
metadata address (``169.254.169.254``) and the internet. Neither builder takes a narrower
network (BuildKit through buildx's ``docker`` driver only ``default``, ``host`` or ``none``),
so verify builds on an engine of its own (:mod:`checker.runtime.throwaway_engine`) whose bridge
is firewalled (:mod:`checker.runtime.bridge_firewall`): TCP to the package index's address and
port is let through, everything else is rejected. That works the same for both builders, since
both run ``RUN`` containers on the engine's bridge, and the Dockerfile cannot step around it
(``RUN --network=host`` needs an entitlement the engine is started without).

Where the network cannot be contained, verify builds as before (the default bridge, or the host
network for an index on loopback) and the report says it is not contained, and why:

* pip uses PyPI: PyPI is served from a CDN whose addresses are shared with other sites and
  change, so a rule by address cannot hold a build to PyPI alone;
* the index is on loopback (a container reaches the host's loopback only on the host network),
  is named by a host name (the build's DNS would have to be let through too), or is on another
  machine (this firewall only lets through addresses of this machine, without NAT);
* the engine is not this machine's (``DOCKER_HOST`` names another machine; the build must run
  there), or this machine cannot run a throwaway engine or firewall (not Linux, not root, no
  ``dockerd``, no ``iptables``).
"""

from __future__ import annotations

import ipaddress
import os
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import docker
from docker.errors import APIError

from checker.dockerfile.model import Dockerfile
from checker.runtime import bridge_firewall, throwaway_engine
from checker.runtime.bridge_firewall import BridgeFirewall, Endpoint
from checker.runtime.progress import Progress, quiet
from checker.runtime.throwaway_engine import ThrowawayEngine
from checker.verify.sandbox import choose_network

CONTAINED = "contained"
# The engine refuses `RUN --network=host` (BuildKit's network.host entitlement) outright.
ENGINE_SETTINGS: dict[str, object] = {"builder": {"entitlements": {"network-host": False}}}


@dataclass
class NetworkPlan:
    """Where the builds run and what their ``RUN`` steps reach.

    ``mode`` is the runner's network mode (None: the engine's default bridge); ``allowed`` is
    set when the builds are to run on a firewalled throwaway engine; ``contained`` says whether
    a ``RUN`` can reach anything but the package index.
    """

    mode: str | None
    why: str
    contained: bool
    allowed: list[Endpoint] = field(default_factory=list)
    uncontained_why: str = ""  # why on the learner's engine, should the throwaway one fail

    @property
    def name(self) -> str:
        """The network as the report names it."""
        if self.allowed:
            return CONTAINED
        return self.mode or "default"

    def not_contained(self, why: str) -> NetworkPlan:
        """This plan on the learner's engine, as before, saying why it is not contained."""
        base = self.uncontained_why or self.why
        return NetworkPlan(
            self.mode if not self.allowed else None, f"{base}; not contained: {why}", False
        )


def plan_network(
    dockerfile: Dockerfile, indexes: list[str], api: docker.APIClient, contain: bool = True
) -> NetworkPlan:
    """The least network the builds work with, contained to the package index where it can be."""
    mode, why = choose_network(dockerfile, indexes)
    plan = NetworkPlan(mode, why, contained=mode == "none")
    if plan.contained:
        return plan
    if not contain:
        return plan.not_contained("the caller asked for the learner's engine")
    if mode == "host":
        return plan.not_contained(
            "a build reaches this machine's loopback only on the host network, which reaches "
            "everything else too; an index on the bridge's gateway (as `env up` serves it) "
            "can be contained"
        )
    endpoints, problem = local_endpoints(indexes)
    problem = problem or engine_problem(api)
    if problem:
        return plan.not_contained(problem)
    firewall = BridgeFirewall(endpoints)
    why = f"a throwaway engine's bridge: {firewall.describe()}"
    return NetworkPlan(None, why, True, endpoints, uncontained_why=plan.why)


def local_endpoints(indexes: list[str]) -> tuple[list[Endpoint], str | None]:
    """(the index addresses and ports, None), or ([], why they cannot be let through alone)."""
    if not indexes:
        return [], (
            "pip uses PyPI, on the internet, whose addresses are a CDN's (shared with other "
            "sites, and changing), so a rule by address cannot hold a build to PyPI alone"
        )
    endpoints: list[Endpoint] = []
    for url in indexes:
        parts = urlsplit(url)
        host = parts.hostname or ""
        try:
            address = ipaddress.IPv4Address(host)
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            return [], (
                f"the package index {url} is named by a host name; the build's DNS lookups "
                "would have to be let through too"
            )
        if address.is_unspecified or not _is_this_machine(str(address)):
            return [], (
                f"the package index {url} is not at an address of this machine; only this "
                "machine's own addresses are let through (no NAT)"
            )
        endpoint = Endpoint(str(address), port)
        if endpoint not in endpoints:
            endpoints.append(endpoint)
    return endpoints, None


def _is_this_machine(address: str) -> bool:
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.bind((address, 0))
    except OSError:
        return False
    return True


def engine_problem(api: docker.APIClient) -> str | None:
    """Why the builds cannot move to a firewalled throwaway engine here (None when they can)."""
    problem = throwaway_engine.unavailable() or bridge_firewall.unavailable()
    if problem:
        return problem
    configured = os.environ.get("DOCKER_HOST", "")
    if configured and not configured.startswith("unix://"):
        return f"the engine ({configured}) is not this machine's, and the builds must run there"
    try:
        name = str(api.info().get("Name") or "")
    except APIError as error:
        return f"the engine did not say which machine it runs on ({error})"
    if name != socket.gethostname():
        return f"the engine runs on {name!r}, not on this machine ({socket.gethostname()!r})"
    return None


def uses_containerd(api: docker.APIClient) -> bool:
    """Whether the engine keeps images in containerd (the throwaway engine does the same, so
    cache keys and image ids match)."""
    status = api.info().get("DriverStatus") or []
    return any(value.startswith("io.containerd.snapshotter") for _key, value in status)


@contextmanager
def build_engine(
    plan: NetworkPlan, api: docker.APIClient, images: list[str], progress: Progress = quiet
) -> Iterator[ThrowawayEngine | None]:
    """The throwaway engine the plan's builds run on, with ``images`` copied from ``api``'s
    engine, deleted afterwards; None (the learner's engine) where the plan is not contained
    to an index, or the engine could not start (then ``plan`` says so)."""
    if not plan.allowed:
        yield None
        return
    started = time.monotonic()
    progress("starting a throwaway engine whose bridge reaches only the package index")
    firewall = BridgeFirewall(plan.allowed)
    try:
        engine = ThrowawayEngine(
            "vfy", containerd=uses_containerd(api), daemon=ENGINE_SETTINGS, before_start=[firewall]
        )
    except (RuntimeError, OSError, subprocess.SubprocessError, APIError) as error:
        _fall_back(plan, f"the throwaway engine could not start ({_one_line(error)})")
        yield None
        return
    try:
        engine.load(images, source=os.environ.get("DOCKER_HOST") or None)
    except (RuntimeError, OSError) as error:
        engine.close()
        _fall_back(plan, _one_line(error))
        yield None
        return
    plan.why += "".join(f"; {note}" for note in firewall.notes)
    progress(
        f"throwaway engine ready in {time.monotonic() - started:.1f} s (bridge {engine.bridge})"
    )
    try:
        yield engine
    finally:
        engine.close()


def _fall_back(plan: NetworkPlan, why: str) -> None:
    """Build on the learner's engine after all, and say why."""
    fallback = plan.not_contained(why)
    plan.mode, plan.why, plan.contained, plan.allowed = None, fallback.why, False, []


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return text if len(text) <= 300 else text[:297] + "..."
