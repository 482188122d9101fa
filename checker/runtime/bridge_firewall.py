"""Firewall rules that let containers on one bridge of ours reach a few TCP ports and nothing else.

Why rules of our own on the host: a ``RUN`` step's container sits on the engine's bridge, and
neither builder can be given a narrower network (BuildKit through buildx's ``docker`` driver
takes only ``default``, ``host`` or ``none``). On a bridge of our own, under an engine started
with ``--iptables=false`` (:mod:`checker.runtime.throwaway_engine`), every packet a container
sends enters the host through that bridge: to an address of the host itself it passes the
``INPUT`` chain, to anywhere else (another bridge, the LAN, ``169.254.169.254``, the internet)
``FORWARD``. A jump at the top of both, matched on ``-i <our bridge>``, into a chain of ours
accepts TCP to the allowed (address, port) pairs and rejects the rest: a reset for TCP, an
ICMP error otherwise, so a step that tries fails at once rather than after a timeout. No NAT is
needed while the allowed addresses are the host's own.

Replies from the host to a container leave through ``OUTPUT`` and are not touched. IPv6 gets
the same chain rejecting everything (the bridge also has IPv6 switched off). Nothing else in the
host's tables changes: :meth:`BridgeFirewall.stop` deletes the two jumps and the chain.
"""

from __future__ import annotations

import ipaddress
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass

from checker.runtime.throwaway_engine import ThrowawayHook

HOOKS = ("INPUT", "FORWARD")


@dataclass(frozen=True)
class Endpoint:
    """An IPv4 address and TCP port containers may connect to."""

    address: str
    port: int

    def __str__(self) -> str:
        return f"{self.address}:{self.port}"


def unavailable() -> str | None:
    """Why no bridge firewall can be installed here (None when it can)."""
    if shutil.which("iptables") is None:
        return "no iptables command to restrict the build network"
    probe = _run("iptables", "-S", "INPUT")
    if probe.returncode != 0:
        return f"iptables does not work here ({_first_line(probe.stderr)})"
    return None


class BridgeFirewall(ThrowawayHook):
    """Allow ``allowed`` from the bridge; reject everything else that enters through it."""

    def __init__(self, allowed: Sequence[Endpoint]) -> None:
        for endpoint in allowed:
            ipaddress.IPv4Address(endpoint.address)  # a name or IPv6 here is a caller's bug
        self.allowed = list(allowed)
        self.bridge = ""
        self.chain = ""
        self.installed: list[tuple[str, ...]] = []  # undo commands, in the order to run them
        self.notes: list[str] = []

    def start(self, bridge: str, subnet: ipaddress.IPv4Network) -> None:
        self.bridge, self.chain = bridge, f"CHECKER-{bridge}"  # as in undo_commands
        rules = [("-p", "tcp", "-d", e.address, "--dport", str(e.port), "-j", "ACCEPT")
                 for e in self.allowed]  # fmt: skip
        rules += [
            ("-p", "tcp", "-j", "REJECT", "--reject-with", "tcp-reset"),
            ("-j", "REJECT", "--reject-with", "icmp-admin-prohibited"),
        ]
        self._install("iptables", rules)
        if shutil.which("ip6tables") is None:
            self.notes.append("no ip6tables: IPv6 is only switched off on the bridge")
            return
        try:
            self._install("ip6tables", [("-j", "REJECT", "--reject-with", "adm-prohibited")])
        except RuntimeError as error:
            self.notes.append(f"IPv6 is only switched off on the bridge ({error})")

    def _install(self, command: str, rules: list[tuple[str, ...]]) -> None:
        self._must(command, "-N", self.chain)
        self.installed.insert(0, (command, "-X", self.chain))
        self.installed.insert(0, (command, "-F", self.chain))
        for rule in rules:
            self._must(command, "-A", self.chain, *rule)
        for hook in HOOKS:
            self._must(command, "-I", hook, "1", "-i", self.bridge, "-j", self.chain)
            self.installed.insert(0, (command, "-D", hook, "-i", self.bridge, "-j", self.chain))

    def _must(self, *argv: str) -> None:
        done = _run(*argv)
        if done.returncode != 0:
            raise RuntimeError(f"`{' '.join(argv)}` failed: {_first_line(done.stderr)}")

    def stop(self) -> None:
        """Delete the jumps, then the chains (every step tried, whatever failed before)."""
        for argv in self.installed:
            _run(*argv)
        self.installed.clear()

    def undo_commands(self, bridge: str) -> list[list[str]]:
        chain = f"CHECKER-{bridge}"
        return [
            [command, "-w", *argv]
            for command in ("iptables", "ip6tables")
            for argv in (
                *(("-D", hook, "-i", bridge, "-j", chain) for hook in reversed(HOOKS)),
                ("-F", chain),
                ("-X", chain),
            )
        ]

    def describe(self) -> str:
        allowed = ", ".join(f"{endpoint} (TCP)" for endpoint in self.allowed) or "nothing"
        return f"RUN steps reach {allowed} and nothing else"


def _run(*argv: str) -> subprocess.CompletedProcess[str]:
    # -w: wait for the xtables lock rather than fail while another program edits the tables.
    return subprocess.run([argv[0], "-w", *argv[1:]], capture_output=True, text=True)


def _first_line(text: str) -> str:
    return (text.strip().splitlines() or ["no message"])[0]
