"""`env up`, `env status`, `env down` as functions: the order of the parts and what each needs.

The engine comes first (everything else asks it), then the local registry (on loopback, for
pushes and exported build caches), then the base image (the PyPI probe runs in it), then the
index (only where PyPI does not answer from a container), and last the stand-in's ENV pointing
pip at that index. `down` undoes only what `up` started.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass

import docker

from checker.build import cleanup, find_buildkit_client, prune_buildkit_cache
from checker.build.cleanup import build_cache_records
from checker.build.errors import NoBuildKitClient
from checker.runtime import base_image, engine, package_index, paths, registry
from checker.runtime.progress import Progress, quiet


@dataclass(frozen=True)
class Part:
    """One line of `env status`: a part of the runtime, whether it is ready, and how."""

    name: str
    ready: bool
    detail: str


def up(
    progress: Progress = quiet, offline: bool = False, image_store: str | None = None
) -> list[Part]:
    """Make every part ready (idempotent: a second run finds them and returns in seconds).

    ``offline`` prepares a room with no internet while the network still works: the local
    index is filled, served and used by the base image even where PyPI answers.
    ``image_store`` picks the store of an engine `env up` starts (see ``engine.ensure_engine``).
    """
    client = engine.ensure_engine(progress, image_store)
    registry.ensure_registry(client, progress)
    tag = base_image.wanted_tag()
    image = base_image.inspect(client, tag)
    if image is None:
        image = base_image.pull(client, tag, progress)
    if image is None:
        progress(f"no registry: building a local stand-in for {tag}")
        image = base_image.ensure_stand_in(client, tag, {}, None, progress)
    if offline:
        progress("preparing for no internet: the local index serves every build")
    elif package_index.pypi_reachable(client, tag, progress):
        progress("PyPI answers from containers: no local index needed")
        base_image.point_at_index(client, image, {}, None, progress)
        return status(client)
    else:
        progress("PyPI does not answer from containers: serving a local wheelhouse")
    package_index.fill_wheelhouse(base_image.python_version(tag), progress)
    index = package_index.ensure_server(client, progress, probe_image=tag)
    base_image.point_at_index(client, image, index.environment(), index.url, progress)
    return status(client)


def status(client: docker.DockerClient | None = None) -> list[Part]:
    """Each part's state, read from the machine; nothing is started or changed."""
    client = client or engine.connect(timeout=10)
    if client is None:
        return [
            Part("engine", False, _no_engine()),
            Part("base image", False, "unknown without an engine"),
            _index_part(None),
            _registry_part(None),
            _builders_part(),
        ]
    version = client.version()
    started = " (started by env up)" if engine.started_here() else ""
    parts = [
        Part(
            "engine",
            True,
            f"Docker {version.get('Version', '?')}, API {version.get('ApiVersion', '?')}, "
            f"{engine.image_store_of(client)} image store{started}",
        )
    ]
    tag = base_image.wanted_tag()
    image = base_image.inspect(client, tag)
    if image is None:
        parts.append(Part("base image", False, f"{tag} missing (`env up` pulls or builds it)"))
    else:
        how = "official image" if image.origin == "official" else "local stand-in"
        if image.official_id:
            how += " with the local index's ENV"
        parts.append(Part("base image", True, f"{tag} ({how}, {image.image_id[7:19]})"))
    parts.append(_index_part(image))
    parts.append(_registry_part(client))
    parts.append(_builders_part())
    parts.append(_build_cache_part(client))
    return parts


def down(progress: Progress = quiet, prune_build_cache: bool = False) -> list[str]:
    """Remove the project's containers and images, stop what `up` started; say what was done.

    BuildKit's cache has no labels, so emptying it is engine-wide (every project's builds, not
    only the workshop's): only with ``prune_build_cache``, and said so before it happens.
    """
    done: list[str] = []
    client = engine.connect(timeout=30)
    if registry.stop_registry(client, progress):
        done.append(f"stopped the registry at {registry.address()}")
    if client is not None:
        removed = cleanup(client.api)
        done.append(
            f"removed {len(removed.containers)} container(s) and {len(removed.images)} "
            "image(s) with the project label"
        )
        done.extend(f"could not remove {failure}" for failure in removed.failures)
        if prune_build_cache:
            progress("emptying BuildKit's build cache: engine-wide, every project's builds")
            reclaimed = prune_buildkit_cache(client=client.api)
            done.append(
                f"emptied BuildKit's build cache on the whole engine ({reclaimed / 1e6:.0f} MB)"
            )
    if package_index.stop_server(progress):
        done.append("stopped the package index")
    if engine.stop_engine(progress):
        done.append("stopped the Docker engine that env up started")
    kept = f"kept: the base image and {paths.workshop_home()} (wheelhouse, rootfs, registry)"
    if not prune_build_cache:
        kept += "; BuildKit's build cache (`env down --prune-build-cache` empties it, engine-wide)"
    done.append(kept)
    return done


def render(parts: list[Part]) -> str:
    """`env status` as aligned text, one part per line."""
    width = max(len(part.name) for part in parts)
    return "\n".join(
        f"{'ready ' if part.ready else 'MISSING'} {part.name:<{width}}  {part.detail}"
        for part in parts
    )


def _no_engine() -> str:
    host = os.environ.get("DOCKER_HOST")
    if host:
        return f"DOCKER_HOST={host} does not answer"
    return "no engine answers (`python -m checker env up` starts one)"


def _index_part(image: base_image.BaseImage | None) -> Part:
    if image is not None and image.index_url:
        index_ok = package_index.server_running() or package_index.url_answers(image.index_url)
        detail = f"local wheelhouse at {image.index_url}"
        return Part("package index", index_ok, detail if index_ok else f"{detail} is down")
    if image is not None:
        return Part("package index", True, "PyPI (the base image's pip default)")
    return Part("package index", False, "unknown until the base image exists")


def _registry_part(client: docker.DockerClient | None) -> Part:
    running = registry.describe(client)
    if running is None:
        return Part(
            "registry", False, f"nothing answers at {registry.address()} (`env up` starts one)"
        )
    return Part("registry", True, f"{running.address} ({running.how})")


def _builders_part() -> Part:
    try:
        client = find_buildkit_client()
    except NoBuildKitClient:
        return Part("builders", True, "classic; BuildKit: no client with BuildKit found")
    if not client.buildx:
        return Part(
            "builders",
            True,
            f"classic; BuildKit via {client.path} {client.version} (DOCKER_BUILDKIT=1)",
        )
    buildx = client.buildx_release or "?"
    return Part(
        "builders",
        True,
        f"classic; BuildKit via buildx {buildx} ({client.path} {client.version}), "
        f"default builder {_default_builder(client.path)}, --progress={client.progress}",
    )


def _build_cache_part(client: docker.DockerClient) -> Part:
    """How much disk BuildKit's cache holds, engine-wide: it grows with every build and nothing
    in the workshop empties it unasked (`env down --prune-build-cache` does, for every project).

    The size counts each record once, as `docker system df` does (records shared with images are
    left out).
    """
    try:
        records = build_cache_records(client.api)
    except docker.errors.APIError as error:
        return Part("build cache", True, f"unknown ({error.explanation or error})")
    size = sum(record.get("Size", 0) for record in records if not record.get("Shared"))
    return Part(
        "build cache",
        True,
        f"BuildKit's, engine-wide: {size / 1e9:.1f} GB in {len(records)} records "
        "(`env down --prune-build-cache` empties it, every project's)",
    )


def _default_builder(docker_cli: str) -> str:
    """``NAME (DRIVER driver)`` of the builder `docker buildx build` uses, from `buildx inspect`."""
    try:
        answer = subprocess.run(
            [docker_cli, "buildx", "inspect"], capture_output=True, text=True, timeout=20
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    fields = dict(
        (key.strip(), value.strip())
        for key, sep, value in (line.partition(":") for line in answer.stdout.splitlines())
        if sep
    )
    if answer.returncode != 0 or "Name" not in fields:
        return "unknown"
    return f"{fields['Name']} ({fields.get('Driver', '?')} driver)"
