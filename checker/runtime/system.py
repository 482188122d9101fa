"""Finding and installing system programs (dockerd, debootstrap, chroot) on a Debian machine.

A root shell started by CI may lack the sbin folders on PATH, where apt puts these programs,
so they are looked up there too.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

SBIN = ("/usr/local/sbin", "/usr/sbin", "/sbin")


class InstallFailed(RuntimeError):
    """apt-get could not install a package; the message carries apt's last lines."""


def which(program: str) -> str | None:
    """The program's path on PATH or in the sbin folders, or None."""
    extra = os.pathsep.join(SBIN)
    return shutil.which(program) or shutil.which(program, path=extra)


def can_apt_install() -> bool:
    """Root on a machine with apt-get: the only place `env up` installs packages itself."""
    return hasattr(os, "geteuid") and os.geteuid() == 0 and which("apt-get") is not None


def apt_update() -> None:
    run_apt(["apt-get", "update", "-q"])


def apt_install(packages: list[str], update: bool = True, cwd: Path | None = None) -> None:
    """apt-get update (unless done already), then install, non-interactive.

    ``packages`` may name local ``./*.deb`` files, relative to ``cwd``.
    """
    if update:
        apt_update()
    run_apt(["apt-get", "install", "-y", "-q", *packages], cwd=cwd)


def run_apt(argv: list[str], cwd: Path | None = None) -> None:
    """One apt command, non-interactive; its last lines in the error when it fails."""
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    result = subprocess.run(argv, env=env, capture_output=True, text=True, cwd=cwd)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).splitlines()[-10:])
        raise InstallFailed(f"`{' '.join(argv)}` failed:\n{tail}")
