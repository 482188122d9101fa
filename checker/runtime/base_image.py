"""The base image the lessons build FROM: pulled where a registry answers, built locally where not.

``sample_project/Dockerfile`` names an official ``python:3.x-slim`` tag. Without a registry we
build a stand-in under the same name: ``debootstrap`` of the Debian release that ships that
Python, a virtualenv at ``/opt/venv`` first on PATH (so ``python`` and ``pip`` are on PATH as in
the official image, and ``pip install`` meets no PEP 668 refusal), then ``docker import``.
The rootfs tarball is kept in the workshop folder, so a later import takes seconds.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import docker
from docker.errors import APIError, ImageNotFound

from checker.build.labels import STAND_IN_LABEL
from checker.dockerfile.parser import parse_file
from checker.runtime import paths, system
from checker.runtime.progress import Progress, quiet

# Debian releases by the Python 3 they ship (what a stand-in can offer for each tag).
DEBIAN_RELEASE_FOR_PYTHON = {"3.9": "bullseye", "3.11": "bookworm", "3.13": "trixie"}
# The label that records which index the stand-in's pip was pointed at (re-import when it moves).
INDEX_LABEL = "org.layer-cache-workshop.index-url"
# On an official image given the local index's ENV: the official image's id, to undo it.
OFFICIAL_LABEL = "org.layer-cache-workshop.official-image"
VENV = "/opt/venv"
SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


class BaseImageUnavailable(RuntimeError):
    """The base image can be neither pulled nor built here; the message says why and what to do."""


@dataclass(frozen=True)
class BaseImage:
    """The image the lessons build FROM and where it came from."""

    tag: str
    image_id: str
    origin: str  # "official" (pulled or already present) or "stand-in" (built here)
    index_url: str | None = None  # the local package index its pip uses, if any
    # For an official image pointed at the local index: the official image underneath.
    official_id: str | None = None


def wanted_tag(dockerfile: Path | None = None) -> str:
    """The image the sample project's first FROM names (``python:3.11-slim``)."""
    parsed = parse_file(dockerfile or paths.SAMPLE_PROJECT / "Dockerfile")
    if not parsed.stages:
        raise BaseImageUnavailable("sample_project/Dockerfile has no FROM line")
    return parsed.stages[0].base


def python_version(tag: str) -> str:
    """``python:3.11-slim`` -> ``3.11``."""
    match = re.fullmatch(r"(?:[\w./-]+/)?python:(\d+\.\d+)(?:\.\d+)?(?:-[\w.-]+)?", tag)
    if not match:
        raise BaseImageUnavailable(f"{tag} is not a python:3.x tag; only those can be stood in")
    return match.group(1)


def inspect(client: docker.DockerClient, tag: str) -> BaseImage | None:
    """The image under ``tag`` as the engine has it, or None."""
    try:
        image = client.images.get(tag)
    except ImageNotFound:
        return None
    labels = image.labels or {}
    if OFFICIAL_LABEL in labels:
        index_url = labels.get(INDEX_LABEL) or None
        return BaseImage(tag, image.id, "official", index_url, labels[OFFICIAL_LABEL])
    if STAND_IN_LABEL in labels:
        return BaseImage(tag, image.id, "stand-in", labels.get(INDEX_LABEL) or None)
    return BaseImage(tag, image.id, "official")


def point_at_index(
    client: docker.DockerClient,
    image: BaseImage,
    index_env: dict[str, str],
    index_url: str | None,
    progress: Progress = quiet,
) -> BaseImage:
    """The base image with pip pointed at ``index_url`` (None: at its default, PyPI).

    A stand-in is re-imported with the new ENV. An official image gets a one-step image on
    top (``FROM <official id>`` + ENV) under the same tag, so an instructor can prepare a room
    with no internet from a pulled image; with ``index_url`` None the official image gets its
    tag back.
    """
    if image.index_url == index_url:
        return image
    if image.origin == "stand-in":
        return ensure_stand_in(client, image.tag, index_env, index_url, progress)
    official = image.official_id or image.image_id
    repository, _, image_tag = image.tag.rpartition(":")
    if index_url is None:
        progress(f"{image.tag}: the official image again (pip uses PyPI)")
        client.api.tag(official, repository, image_tag, force=True)
    else:
        progress(f"{image.tag}: pointing the official image's pip at {index_url}")
        lines = [
            f"FROM {official}",
            *_index_lines(image.tag, index_env, index_url),
            f'LABEL {OFFICIAL_LABEL}="{official}"',
        ]
        dockerfile = io.BytesIO("\n".join(lines).encode() + b"\n")
        for chunk in client.api.build(
            fileobj=dockerfile, tag=image.tag, rm=True, forcerm=True, decode=True
        ):
            if "errorDetail" in chunk:
                message = chunk["errorDetail"].get("message", "")
                raise BaseImageUnavailable(f"could not point {image.tag} at the index: {message}")
    if image.official_id:
        _remove_quietly(client, image.image_id)
    found = inspect(client, image.tag)
    if found is None:
        raise BaseImageUnavailable(f"{image.tag} is gone after re-pointing its index")
    return found


def pull(client: docker.DockerClient, tag: str, progress: Progress = quiet) -> BaseImage | None:
    """Pull ``tag``; None where no registry answers (the reason goes to ``progress``)."""
    progress(f"pulling {tag}")
    try:
        client.images.pull(tag)
    except APIError as error:
        progress(f"pull failed: {str(error.explanation or error).splitlines()[0][:160]}")
        return None
    return inspect(client, tag)


def ensure_stand_in(
    client: docker.DockerClient,
    tag: str,
    index_env: dict[str, str],
    index_url: str | None,
    progress: Progress = quiet,
) -> BaseImage:
    """A local stand-in for ``tag`` whose pip uses ``index_url``; re-imported when that moves."""
    present = inspect(client, tag)
    if present and present.origin == "stand-in" and present.index_url == index_url:
        progress(f"{tag}: local stand-in present")
        return present
    version = python_version(tag)
    tarball = rootfs_tarball(version, progress)
    progress(f"importing {tarball.name} as {tag}")
    changes = image_config(tag, version, index_env, index_url)
    repository, _, image_tag = tag.rpartition(":")
    # From a file path docker-py sends a Content-Length; its stream variant's chunking is broken.
    client.api.import_image(src=str(tarball), repository=repository, tag=image_tag, changes=changes)
    if present and present.origin == "stand-in":
        _remove_quietly(client, present.image_id)
    imported = inspect(client, tag)
    if imported is None:
        raise BaseImageUnavailable(f"docker import of {tarball} did not produce {tag}")
    return imported


def image_config(
    tag: str, version: str, index_env: dict[str, str], index_url: str | None
) -> list[str]:
    """The lines ``docker import`` applies: the official image's ENV and CMD, our labels."""
    lines = [
        f"ENV PATH={VENV}/bin:{SYSTEM_PATH}",
        f"ENV VIRTUAL_ENV={VENV}",
        "ENV LANG=C.UTF-8",
        f"ENV PYTHON_VERSION={version}",
        *_index_lines(tag, index_env, index_url),
        'CMD ["python3"]',
    ]
    return lines


def _index_lines(tag: str, index_env: dict[str, str], index_url: str | None) -> list[str]:
    """The ENV that points pip at the index, and the labels that mark a stand-in and record it."""
    return [
        *(f"ENV {name}={value}" for name, value in sorted(index_env.items())),
        f'LABEL {STAND_IN_LABEL}="{tag}"',
        f'LABEL {INDEX_LABEL}="{index_url or ""}"',
    ]


def rootfs_tarball(version: str, progress: Progress = quiet) -> Path:
    """The tarball of a Debian rootfs with Python ``version`` and a venv; built once, kept."""
    release = DEBIAN_RELEASE_FOR_PYTHON.get(version)
    if release is None:
        offered = ", ".join(f"python:{v}-slim" for v in DEBIAN_RELEASE_FOR_PYTHON)
        raise BaseImageUnavailable(
            f"python:{version}-slim cannot be pulled here and no Debian release ships Python "
            f"{version}; use one of {offered} in the Dockerfile, or pull the image on a machine "
            "with a registry and `docker save`/`docker load` it here."
        )
    tarball = paths.rootfs_dir() / f"debian-{release}-python{version}.tar"
    if tarball.exists():
        return tarball
    _require_root_debootstrap(progress)
    paths.rootfs_dir().mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=paths.rootfs_dir(), prefix="build-") as work:
        root = Path(work) / "root"
        _debootstrap(release, root, progress)
        progress(f"creating the virtualenv {VENV}")
        _chroot(root, ["python3", "-m", "venv", VENV])
        for leftover in ("var/cache/apt/archives", "var/lib/apt/lists"):
            for entry in (root / leftover).glob("*"):
                if entry.is_file():
                    entry.unlink()
        progress(f"packing {tarball.name}")
        partial = tarball.with_suffix(".partial")
        subprocess.run(
            ["tar", "--numeric-owner", "-C", str(root), "-cf", str(partial), "."], check=True
        )
        partial.rename(tarball)
    return tarball


def _require_root_debootstrap(progress: Progress) -> None:
    """debootstrap and chroot need root; install debootstrap where apt can."""
    is_root = hasattr(os, "geteuid") and os.geteuid() == 0
    if is_root and system.which("debootstrap") is not None:
        return
    if not (is_root and system.can_apt_install()):
        raise BaseImageUnavailable(
            "The base image can't be pulled, and building a local stand-in needs root and "
            "debootstrap. Pull it where a registry answers (then `docker save`/`docker load` "
            "it here), or run `env up` as root on a Debian-like machine."
        )
    progress("installing debootstrap")
    try:
        system.apt_install(["debootstrap"])
    except system.InstallFailed as error:
        raise BaseImageUnavailable(str(error)) from error


def _debootstrap(release: str, root: Path, progress: Progress) -> None:
    """Run debootstrap, reporting each phase (not each package) as it starts."""
    argv = [
        system.which("debootstrap") or "debootstrap",
        "--variant=minbase",
        "--include=python3,python3-pip,python3-venv,ca-certificates",
        release,
        str(root),
    ]
    mirror = os.environ.get("WORKSHOP_DEBIAN_MIRROR")
    if mirror:
        argv.append(mirror)
    progress(f"debootstrap {release} (about a minute; output in {paths.logs_dir()})")
    paths.logs_dir().mkdir(parents=True, exist_ok=True)
    log_path = paths.logs_dir() / f"debootstrap-{release}.log"
    seen: set[str] = set()
    tail: list[str] = []
    last_report = time.monotonic()
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        assert process.stdout is not None
        for line in process.stdout:
            log.write(line)
            tail = [*tail[-9:], line.rstrip()]
            if not line.startswith("I: "):
                continue
            # One line per phase (Retrieving, Extracting, Configuring, ...), not per package,
            # and the current line every 15 s, so a slow mirror still shows progress.
            verb = line[3:].split(" ", 1)[0]
            if verb not in seen or time.monotonic() - last_report > 15:
                seen.add(verb)
                last_report = time.monotonic()
                progress(f"debootstrap: {line[3:].strip()[:100]}")
        if process.wait() != 0:
            raise BaseImageUnavailable(
                f"debootstrap {release} failed (log: {log_path}):\n" + "\n".join(tail)
            )


def _chroot(root: Path, argv: list[str]) -> None:
    chroot = system.which("chroot") or "chroot"
    result = subprocess.run([chroot, str(root), *argv], capture_output=True, text=True)
    if result.returncode != 0:
        raise BaseImageUnavailable(
            f"`{' '.join(argv)}` in the new rootfs failed:\n{result.stderr[-1500:]}"
        )


def _remove_quietly(client: docker.DockerClient, image_id: str) -> None:
    # Still used by a container or an image built on it: leave it to its owner.
    with contextlib.suppress(APIError):
        client.images.remove(image_id)
