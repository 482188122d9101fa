"""The build context as a tar stream, made the way the docker CLI makes it.

Why not docker-py's own ``utils.tar``: it stores each file's owner as the host's uid/gid, and the
classic builder's cache key for ``COPY``/``ADD`` hashes the files as the daemon unpacked them,
owner included. The docker CLI resets owners to 0 (root), so a notebook build through docker-py
and a ``docker build`` in a terminal would never share the ``COPY`` layers unless we do the same.

What goes into the classic builder's ``COPY``/``ADD`` cache key (moby ``builder/remotecontext``,
``NewFileHash`` + ``tarsum.WriteV1Header``): for each file its name, mode, uid, gid, size, type,
link target, uname, gname, device numbers and security xattrs, plus its content. The **mtime is
left out** on purpose (tarsum v1 drops it), so touching a file without changing it keeps the
cache; the engine tests check this on the real engine (``test_mtime_does_not_break_the_cache``)
as well as that a uid change does break it. We keep the mtimes anyway, as the CLI does, because
``ADD``/``COPY`` put them into the image and BuildKit compares them for its context transfer.

``.dockerignore`` is honoured through docker-py's own matcher (``exclude_paths``), which
follows the CLI's pattern rules; the Dockerfile itself is always sent, and a Dockerfile outside
the context is added under a generated name, as the CLI does.
"""

from __future__ import annotations

import io
import os
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from docker.utils.build import exclude_paths

DEFAULT_DOCKERFILE = "Dockerfile"


@dataclass(frozen=True)
class BuildContext:
    """An uncompressed context tar and the Dockerfile's name inside it."""

    tar: IO[bytes]
    dockerfile: str


def read_dockerignore(root: Path) -> list[str]:
    """The patterns of ``root/.dockerignore`` (comments and blank lines dropped)."""
    path = root / ".dockerignore"
    if not path.is_file():
        return []
    lines = (line.strip() for line in path.read_text().splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def resolve_dockerfile(root: Path, dockerfile: str | os.PathLike[str] | None) -> tuple[str, Path]:
    """(name inside the context, path on disk) of the Dockerfile.

    A relative ``dockerfile`` is taken relative to the context, as ``docker build -f`` does when
    run from the context directory; an absolute one may lie outside the context.
    """
    chosen = Path(dockerfile) if dockerfile is not None else Path(DEFAULT_DOCKERFILE)
    on_disk = chosen if chosen.is_absolute() else root / chosen
    on_disk = on_disk.resolve()
    if not on_disk.is_file():
        raise FileNotFoundError(f"no Dockerfile at {on_disk}")
    try:
        return on_disk.relative_to(root.resolve()).as_posix(), on_disk
    except ValueError:
        return f".dockerfile.{_short_digest(on_disk)}", on_disk


def _short_digest(path: Path) -> str:
    import hashlib

    return hashlib.sha256(str(path).encode()).hexdigest()[:20]


def _normalise(info: tarfile.TarInfo) -> tarfile.TarInfo:
    """Owner reset to root with no names, as the docker CLI sends it."""
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mtime = int(info.mtime)
    return info


def make_context(
    root: str | os.PathLike[str], dockerfile: str | os.PathLike[str] | None = None
) -> BuildContext:
    """Tar the context directory ``root`` (owners 0, names empty, modes and mtimes kept)."""
    base = Path(root).resolve()
    if not base.is_dir():
        raise NotADirectoryError(f"build context {base} is not a directory")
    name, dockerfile_path = resolve_dockerfile(base, dockerfile)
    inside = not name.startswith(".dockerfile.")
    # Like the CLI, always send .dockerignore and the Dockerfile; the daemon reads them and then
    # drops them again where the patterns exclude them (moby ``remotecontext.removeDockerfile``).
    patterns = [*read_dockerignore(base), "!.dockerignore"]
    files = sorted(exclude_paths(str(base), patterns, dockerfile=name if inside else None))
    spool = tempfile.SpooledTemporaryFile(max_size=32 * 1024 * 1024)  # noqa: SIM115 (returned)
    with tarfile.open(fileobj=spool, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for relative in files:
            full = base / relative
            info = archive.gettarinfo(str(full), arcname=relative)
            if info is None:  # sockets and the like cannot go into a tar
                continue
            _normalise(info)
            if info.isfile():
                with full.open("rb") as handle:
                    archive.addfile(info, handle)
            else:
                archive.addfile(info)
        if not inside:
            data = dockerfile_path.read_bytes()
            info = _normalise(archive.gettarinfo(str(dockerfile_path), arcname=name))
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    spool.seek(0)
    return BuildContext(tar=spool, dockerfile=name)  # type: ignore[arg-type]
