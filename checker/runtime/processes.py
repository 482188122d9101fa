"""Start long-lived helpers (dockerd, pypiserver) detached, and stop only those we started.

A process is remembered by pid *and* command line, so a recycled pid never gets a signal
meant for the server the workshop started.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from checker.runtime import paths
from checker.runtime.progress import Progress


@dataclass(frozen=True)
class Started:
    """A process that `env up` started: enough to find it again and stop it."""

    name: str
    pid: int
    argv: list[str]
    log: str


def command_line(pid: int) -> list[str] | None:
    """The argv of a running process, or None when it is gone (Linux /proc)."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    return [part.decode(errors="replace") for part in raw.split(b"\0") if part]


def is_running(started: Started) -> bool:
    argv = command_line(started.pid)
    # Right after exec the kernel can show an empty cmdline for a moment (seen once in ~200
    # starts); a zombie shows one for good. Wait briefly unless the process is a zombie.
    deadline = time.monotonic() + 1.0
    while argv == [] and not _is_zombie(started.pid) and time.monotonic() < deadline:
        time.sleep(0.02)
        argv = command_line(started.pid)
    if not argv:
        return False
    # Compare the program's base name and arguments: a pid reused by something else won't match.
    return Path(argv[0]).name == Path(started.argv[0]).name and argv[1:] == started.argv[1:]


def _is_zombie(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rpartition(")")[2].split()[0] in {"Z", "X"}


def has_exited(started: Started) -> bool:
    """True once a child this process started has ended (reaps it); other pids: by /proc."""
    try:
        pid, _status = os.waitpid(started.pid, os.WNOHANG)
    except ChildProcessError:
        return not is_running(started)
    return pid != 0


def start(name: str, argv: list[str], env: dict[str, str] | None = None) -> Started:
    """Run argv in its own session with output to a log file; return at once."""
    paths.logs_dir().mkdir(parents=True, exist_ok=True)
    log = paths.logs_dir() / f"{name}.log"
    with open(log, "ab") as sink:
        process = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={**os.environ, **(env or {})},
        )
    started = Started(name=name, pid=process.pid, argv=argv, log=str(log))
    _remember(started)
    return started


def stop(started: Started, timeout: float = 30.0) -> bool:
    """SIGTERM, then SIGKILL after ``timeout``; True when the process is gone."""
    if is_running(started):
        os.kill(started.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while is_running(started) and time.monotonic() < deadline:
            time.sleep(0.2)
        if is_running(started):
            os.kill(started.pid, signal.SIGKILL)
            time.sleep(0.5)
    has_exited(started)  # reap it when it was our child, so no zombie stays behind
    _forget(started.name)
    return not is_running(started)


def wait_ready(
    started: Started, ready: Callable[[], bool], timeout: float, interval: float = 0.3
) -> bool:
    """Poll ``ready`` until it holds; on timeout or exit, stop the process and return False."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            return True
        if has_exited(started):
            break
        time.sleep(interval)
    stop(started)
    return False


def stop_remembered(name: str, what: str, progress: Progress) -> bool:
    """Stop the process `env up` started under ``name``; False when there is none."""
    started = remembered(name)
    if started is None:
        return False
    progress(f"stopping {what} (pid {started.pid})")
    return stop(started)


def remembered(name: str) -> Started | None:
    """The process of that name that `env up` started and that still runs."""
    record = _load().get(name)
    if record is None:
        return None
    started = Started(**record)
    return started if is_running(started) else None


def log_tail(started_or_log: Started | str, lines: int = 15) -> str:
    log = started_or_log.log if isinstance(started_or_log, Started) else started_or_log
    try:
        return "\n".join(Path(log).read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def _load() -> dict[str, dict]:
    try:
        return json.loads(paths.state_file().read_text())
    except (OSError, ValueError):
        return {}


def _remember(started: Started) -> None:
    state = _load()
    state[started.name] = asdict(started)
    paths.state_file().parent.mkdir(parents=True, exist_ok=True)
    paths.state_file().write_text(json.dumps(state, indent=2))


def _forget(name: str) -> None:
    state = _load()
    if state.pop(name, None) is not None:
        paths.state_file().write_text(json.dumps(state, indent=2))
