"""Install a current Docker engine from Debian's packages: BuildKit through buildx by default.

A learner's ``docker build`` today is BuildKit through buildx (Engine 23 and newer). Debian 12's
own ``docker.io`` is Engine 20.10, whose ``docker build`` is the deprecated classic builder, so
where the distribution's candidate is older than that we take exactly three packages
(``docker.io``, ``docker-cli``, ``docker-buildx``) from the next Debian release, on the same
mirror the machine already uses. They are fetched with a sources list of our own, so the
machine's own apt lists and sources stay as they are, and installed with ``apt-get install
./*.deb``, which takes their dependencies (containerd, runc, tini) from the machine's release.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from checker.runtime import paths, system
from checker.runtime.progress import Progress

# The first major version whose `docker build` is BuildKit (through buildx) by default.
BUILDKIT_DEFAULT_MAJOR = 23
PACKAGES = ["docker.io", "docker-cli", "docker-buildx"]
# Where a release's own docker.io is too old, the Debian release whose packages we take.
NEWER_RELEASE = {"bullseye": "trixie", "bookworm": "trixie"}
DEFAULT_MIRROR = "http://deb.debian.org/debian"
KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg"


def install_current_engine(progress: Progress) -> None:
    """Install an engine whose `docker build` is BuildKit; say which packages and whence."""
    system.apt_update()
    candidate = candidate_version("docker.io")
    if candidate is not None and major(candidate) >= BUILDKIT_DEFAULT_MAJOR:
        wanted = ["docker.io"] + (["docker-buildx"] if candidate_version("docker-buildx") else [])
        progress(f"installing the distribution's {' '.join(wanted)} {candidate} (apt-get)")
        system.apt_install(wanted, update=False)
        return
    codename = os_release().get("VERSION_CODENAME", "")
    newer = NEWER_RELEASE.get(codename)
    if newer is None:
        shown = candidate or "none"
        raise system.InstallFailed(
            f"this distribution's docker.io ({shown}) is older than Engine "
            f"{BUILDKIT_DEFAULT_MAJOR} and no newer Debian release is known for "
            f"'{codename or 'this release'}'; install Docker Engine yourself "
            "(https://docs.docker.com/engine/install/), start it, and run `env up` again."
        )
    mirror = debian_mirror()
    progress(
        f"Debian {codename}'s docker.io is {candidate or 'missing'} (classic builder); "
        f"installing {', '.join(PACKAGES)} from Debian {newer} ({mirror}), only these three"
    )
    debs = download_from_release(newer, mirror, PACKAGES, progress)
    system.apt_install([f"./{deb.name}" for deb in debs], update=False, cwd=debs[0].parent)


def download_from_release(
    release: str, mirror: str, packages: list[str], progress: Progress
) -> list[Path]:
    """Fetch ``packages`` (no dependencies) from another release with a sources list of ours."""
    root = paths.workshop_home() / "apt" / release
    lists = root / "lists"
    (lists / "partial").mkdir(parents=True, exist_ok=True)
    debs = root / "debs"
    debs.mkdir(parents=True, exist_ok=True)
    sources = root / "sources.list"
    signed = f"[signed-by={KEYRING}] " if Path(KEYRING).exists() else ""
    sources.write_text(f"deb {signed}{mirror} {release} main\n")
    options = [
        "-o", f"Dir::Etc::sourcelist={sources}",
        "-o", "Dir::Etc::sourceparts=-",
        "-o", f"Dir::State::Lists={lists}",
    ]  # fmt: skip
    progress(f"reading Debian {release}'s package list")
    system.run_apt(["apt-get", *options, "update", "-q"])
    for old in debs.glob("*.deb"):
        old.unlink()
    progress(f"downloading {' '.join(packages)} from Debian {release}")
    system.run_apt(["apt-get", *options, "download", "-q", *packages], cwd=debs)
    found = sorted(debs.glob("*.deb"))
    if len(found) != len(packages):
        raise system.InstallFailed(
            f"apt-get download from Debian {release} gave {[deb.name for deb in found]}, "
            f"expected one file for each of {packages}"
        )
    return found


def candidate_version(package: str) -> str | None:
    """apt's candidate version of a package from the machine's own sources, or None."""
    result = subprocess.run(
        ["apt-cache", "policy", package], capture_output=True, text=True, check=False
    )
    match = re.search(r"Candidate:\s*(\S+)", result.stdout)
    if match is None or match.group(1) == "(none)":
        return None
    return match.group(1)


def major(version: str) -> int:
    """The major number of a Debian package version (``5:26.1.5+dfsg1-9`` -> 26)."""
    match = re.match(r"(?:\d+:)?(\d+)", version)
    return int(match.group(1)) if match else 0


def os_release(path: Path = Path("/etc/os-release")) -> dict[str, str]:
    """The fields of /etc/os-release (empty where the file is missing)."""
    try:
        text = path.read_text()
    except OSError:
        return {}
    fields = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep:
            fields[key.strip()] = value.strip().strip('"')
    return fields


def debian_mirror() -> str:
    """The Debian mirror the machine's own sources use (WORKSHOP_DEBIAN_MIRROR wins)."""
    chosen = os.environ.get("WORKSHOP_DEBIAN_MIRROR")
    if chosen:
        return chosen.rstrip("/")
    texts = []
    for path in [Path("/etc/apt/sources.list"), *sorted(Path("/etc/apt/sources.list.d").glob("*"))]:
        try:
            texts.append(path.read_text())
        except OSError:
            continue
    return mirror_in_sources("\n".join(texts)) or DEFAULT_MIRROR


def mirror_in_sources(text: str) -> str | None:
    """The first Debian archive URI (not the security archive) in one-line or deb822 sources."""
    for match in re.finditer(r"(?m)^\s*(?:deb\s+(?:\[[^\]]*\]\s+)?|URIs:\s*)(\S+)", text):
        uri = match.group(1).rstrip("/")
        if uri.endswith("/debian"):
            return uri
    return None
