"""Remove what the project created on the engine, and only that.

Everything this package builds carries the project label (``checker.build.labels.PROJECT_LABELS``):
images built by either builder, and so the containers run from them, which inherit image
labels. :func:`cleanup` removes exactly those containers and images, and nothing without the
project label.

The stand-in base image (``python:3.11-slim`` built locally, labelled ``STAND_IN_LABEL``) is
never removed. Labels are inherited from the base image, so every image built ``FROM`` the
stand-in carries ``STAND_IN_LABEL`` too: that label alone cannot tell the stand-in from our
images. The stand-in is the image with ``STAND_IN_LABEL`` that was not built by this package
(no project label), or any image under a ``STAND_IN_NAMES`` tag; both are kept.

What the label cannot reach:

* the classic builder's intermediate images (each step's cache): they are the parents of the
  labelled image and the engine removes them with it, unless another image still uses them;
  those of a failed build stay, as untagged images that ``docker image prune`` does not list
  (they are ordinary build cache and are reused by the next build);
* BuildKit's cache (its layer snapshots and ``RUN --mount=type=cache`` directories), which has
  no labels at all. The only way to empty it is ``docker builder prune``, which is global: it
  removes the BuildKit cache of every build on the engine, not only ours. So it is never part
  of :func:`cleanup`; lessons that need a cold BuildKit cache call
  :func:`prune_buildkit_cache` explicitly. What one workspace's builds added can be taken
  back, though: :func:`forget_buildkit_steps` removes the records of build steps created since
  a given engine time, one by one.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from datetime import datetime

import docker
from docker.errors import APIError, NotFound

from .classic import api_client
from .labels import PROJECT_FILTER, PROJECT_LABEL, PROJECT_VALUE, STAND_IN_LABEL


@dataclass
class CleanupReport:
    """What :func:`cleanup` removed (ids), and what it could not remove with the reason."""

    containers: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


# Names under which the stand-in base image is kept (never removed, whatever its labels).
STAND_IN_NAMES = ("python:3.11-slim",)


def is_stand_in(image: dict) -> bool:
    """The stand-in base image: its label without ours, or a stand-in name."""
    labels = image.get("Labels") or (image.get("Config") or {}).get("Labels") or {}
    if STAND_IN_LABEL in labels and PROJECT_LABEL not in labels:
        return True
    return any(tag in STAND_IN_NAMES for tag in image.get("RepoTags") or ())


def labelled_images(api: docker.APIClient) -> list[dict]:
    """The project's labelled images (never the stand-in base image)."""
    images = api.images(all=True, filters={"label": PROJECT_FILTER})
    return [image for image in images if not is_stand_in(image)]


def cleanup(
    client: docker.APIClient | None = None, docker_host: str | None = None
) -> CleanupReport:
    """Remove the project's labelled containers, then its labelled images."""
    api = client or api_client(docker_host)
    report = CleanupReport()
    try:
        for container in api.containers(all=True, filters={"label": PROJECT_FILTER}):
            try:
                api.remove_container(container["Id"], force=True, v=True)
                report.containers.append(container["Id"])
            except NotFound:
                pass
            except APIError as error:
                report.failures.append(f"container {container['Id'][:12]}: {error.explanation}")
        # Children before parents: an image built FROM another of ours must go first.
        images = sorted(
            labelled_images(api), key=lambda image: image.get("Created", 0), reverse=True
        )
        for image in images:
            try:
                api.remove_image(image["Id"], force=True)
                report.images.append(image["Id"])
            except NotFound:
                pass
            except APIError as error:
                report.failures.append(f"image {image['Id'][:19]}: {error.explanation}")
    finally:
        if client is None:
            with contextlib.suppress(Exception):
                api.close()
    return report


def remove_image(image_id: str, client: docker.APIClient | None = None) -> bool:
    """Remove one image this package built (refuses images without the project label)."""
    api = client or api_client()
    try:
        image = api.inspect_image(image_id)
        labels = (image.get("Config") or {}).get("Labels") or {}
        if labels.get(PROJECT_LABEL) != PROJECT_VALUE or is_stand_in(image):
            raise ValueError(f"{image_id} is not an image this project built; not removing it")
        api.remove_image(image_id, force=True)
        return True
    except NotFound:
        return False
    finally:
        if client is None:
            api.close()


def prune_buildkit_cache(
    cache_mounts_only: bool = False, client: docker.APIClient | None = None
) -> int:
    """Empty BuildKit's cache on the engine: **all** of it, not only this project's.

    BuildKit cache records carry no labels, so there is no way to remove only ours. This is
    ``docker builder prune --all --force`` through the Engine API; with ``cache_mounts_only``
    it is ``--filter type=exec.cachemount``, which empties only the ``RUN --mount=type=cache``
    directories and keeps the layer cache. Use it in lessons that need a cold cache, knowing
    that it also slows the next build of every other project on this engine. The classic
    builder's cache (intermediate images) is not touched. Returns the bytes reclaimed.
    """
    api = client or api_client()
    try:
        filters = {"type": "exec.cachemount"} if cache_mounts_only else None
        answer = api.prune_builds(filters=filters, all=True)
        return int(answer.get("SpaceReclaimed") or 0)
    finally:
        if client is None:
            api.close()


def engine_time(client: docker.APIClient | None = None) -> str:
    """The engine's clock now, as it stamps its build cache records (RFC 3339)."""
    api = client or api_client()
    try:
        return str(api.info()["SystemTime"])
    finally:
        if client is None:
            api.close()


_RFC3339 = re.compile(r"^(?P<base>[^.Z+]+?)(?:\.(?P<fraction>\d+))?(?P<zone>Z|[+-]\d\d:\d\d)$")


def _instant(text: str) -> datetime:
    """An RFC 3339 time of the engine (nanoseconds, ``Z``) as a datetime (microseconds)."""
    match = _RFC3339.match(text)
    if not match:
        raise ValueError(f"not an RFC 3339 time: {text!r}")
    fraction = (match["fraction"] or "0")[:6].ljust(6, "0")
    zone = "+00:00" if match["zone"] == "Z" else match["zone"]
    return datetime.fromisoformat(f"{match['base']}.{fraction}{zone}")


def _is_step(description: str) -> bool:
    """A record of a copy or a ``RUN`` (not a build context, not a ``WORKDIR``)."""
    if description.startswith(("local source", "[internal]")):
        return False
    return " WORKDIR " not in description


def build_cache_records(api: docker.APIClient) -> list[dict]:
    """The engine's build cache records (``docker system df``, asked for those alone)."""
    # The build cache alone: a full df also reads every image, and fails on a broken one.
    answer = api._result(api._get(api._url("/system/df"), params={"type": "build-cache"}), True)
    return list(answer.get("BuildCache") or [])


def forget_buildkit_steps(since: str, client: docker.APIClient | None = None) -> int:
    """Remove BuildKit's records of build steps created since ``since`` (an :func:`engine_time`).

    Why: BuildKit's cache outlives the images (the classic builder's cache *is* the images), so
    a lesson run twice would find, on its second run, the layers its first run made for the
    same edits, and show ``cached`` where a learner's first run shows ``ran``. Only step
    results not in use are removed (a copy, a ``RUN``), newest first (the engine removes one
    record per call); the records of any other build on the engine in the same window go too.
    ``WORKDIR`` steps are kept: this BuildKit version takes them from its cache even in a
    ``--no-cache`` build, so a lesson's cold build shows ``WORKDIR`` cached once any build made
    that folder, and forgetting it would make the next run's cold build say ``ran``. Returns
    how many records were removed.
    """
    api = client or api_client()
    try:
        start = _instant(since)
        records = [
            record
            for record in build_cache_records(api)
            if record.get("Type") == "regular"
            and not record.get("InUse")
            and _is_step(str(record.get("Description", "")))
            and _instant(record["CreatedAt"]) >= start
        ]
        removed = 0
        for record in sorted(records, key=lambda r: _instant(r["CreatedAt"]), reverse=True):
            with contextlib.suppress(APIError):
                answer = api.prune_builds(filters={"id": record["ID"]}, all=True)
                removed += len(answer.get("CachesDeleted") or [])
        return removed
    finally:
        if client is None:
            api.close()
