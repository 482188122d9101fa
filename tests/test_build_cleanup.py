"""cleanup() removes the project's labelled images and containers, and never the stand-in.

Images built FROM the stand-in inherit its label, so a cleanup that skipped every image with
the stand-in label would remove nothing; one that trusted the project label alone could remove
the base image if it ever carried both. These tests pin both cases down without an engine.
"""

from __future__ import annotations

from typing import Any

from checker.build.cleanup import cleanup, remove_image
from checker.build.labels import PROJECT_LABEL, PROJECT_VALUE, STAND_IN_LABEL

OURS = {PROJECT_LABEL: PROJECT_VALUE, STAND_IN_LABEL: "python:3.11-slim"}  # inherited
STAND_IN = {STAND_IN_LABEL: "python:3.11-slim"}


class FakeEngine:
    def __init__(self, images: list[dict[str, Any]], containers: list[dict[str, Any]]) -> None:
        self._images = images
        self._containers = containers
        self.removed_images: list[str] = []
        self.removed_containers: list[str] = []

    @staticmethod
    def _matches(item: dict[str, Any], filters: dict[str, str]) -> bool:
        key, _, value = filters["label"].partition("=")
        return (item.get("Labels") or {}).get(key) == value

    def images(self, all: bool = False, filters: dict[str, str] | None = None):
        return [i for i in self._images if not filters or self._matches(i, filters)]

    def containers(self, all: bool = False, filters: dict[str, str] | None = None):
        return [c for c in self._containers if not filters or self._matches(c, filters)]

    def remove_image(self, image_id: str, force: bool = False) -> None:
        self.removed_images.append(image_id)

    def remove_container(self, container_id: str, force: bool = False, v: bool = False) -> None:
        self.removed_containers.append(container_id)

    def inspect_image(self, image_id: str) -> dict[str, Any]:
        image = next(i for i in self._images if i["Id"] == image_id)
        return {
            "Id": image_id,
            "RepoTags": image.get("RepoTags"),
            "Config": {"Labels": image["Labels"]},
        }


def engine() -> FakeEngine:
    return FakeEngine(
        images=[
            {
                "Id": "sha256:base",
                "Labels": STAND_IN,
                "RepoTags": ["python:3.11-slim"],
                "Created": 1,
            },
            {"Id": "sha256:old", "Labels": OURS, "RepoTags": ["<none>:<none>"], "Created": 5},
            {"Id": "sha256:new", "Labels": OURS, "RepoTags": ["hello:1"], "Created": 9},
            {"Id": "sha256:learner", "Labels": STAND_IN, "RepoTags": ["mine:1"], "Created": 7},
            {"Id": "sha256:other", "Labels": {}, "RepoTags": ["busybox:1"], "Created": 3},
        ],
        containers=[
            {"Id": "c-ours", "Labels": OURS},
            {"Id": "c-learner", "Labels": STAND_IN},
        ],
    )


def test_cleanup_removes_our_images_newest_first_and_our_containers_only():
    fake = engine()
    report = cleanup(client=fake)  # type: ignore[arg-type]
    assert fake.removed_images == ["sha256:new", "sha256:old"]
    assert fake.removed_containers == ["c-ours"]
    assert report.images == ["sha256:new", "sha256:old"] and not report.failures


def test_the_stand_in_is_kept_even_if_it_carried_the_project_label():
    fake = engine()
    fake._images[0]["Labels"] = {**STAND_IN, PROJECT_LABEL: PROJECT_VALUE}
    cleanup(client=fake)  # type: ignore[arg-type]
    assert "sha256:base" not in fake.removed_images


def test_remove_image_refuses_what_we_did_not_build():
    fake = engine()
    for image_id in ("sha256:base", "sha256:learner", "sha256:other"):
        try:
            remove_image(image_id, client=fake)  # type: ignore[arg-type]
        except ValueError as error:
            assert "not an image this project built" in str(error)
        else:
            raise AssertionError(f"{image_id} was removed")
    assert remove_image("sha256:new", client=fake) is True  # type: ignore[arg-type]
    assert fake.removed_images == ["sha256:new"]


class FakeBuildCache:
    """An engine's build cache records, and the prune calls made on them (one id per call)."""

    def __init__(self, records: list[dict[str, Any]]) -> None:
        self.records = records
        self.pruned: list[str] = []

    def _url(self, path: str) -> str:
        return path

    def _get(self, url: str, params: dict[str, str]) -> dict[str, Any]:
        assert url == "/system/df" and params == {"type": "build-cache"}
        return {"BuildCache": self.records}

    def _result(self, response: dict[str, Any], json: bool) -> dict[str, Any]:
        return response

    def prune_builds(self, filters: dict[str, str], all: bool = False) -> dict[str, Any]:
        self.pruned.append(filters["id"])
        return {"CachesDeleted": [filters["id"]]}


def _record(id_: str, description: str, created: str, in_use: bool = False) -> dict[str, Any]:
    return {
        "ID": id_,
        "Type": "regular",
        "Description": description,
        "CreatedAt": created,
        "InUse": in_use,
    }


def test_forgetting_removes_only_the_steps_made_since_newest_first_and_keeps_workdir():
    from checker.build.cleanup import forget_buildkit_steps

    cache = FakeBuildCache(
        [
            _record("old", "[3/5] COPY requirements.txt .", "2026-12-05T18:00:00.123456789Z"),
            _record("copy", "[3/5] COPY requirements.txt .", "2026-12-05T18:30:01.5Z"),
            _record("run", "mount / from exec /bin/sh -c pip install", "2026-12-05T18:30:09Z"),
            _record("dir", "[2/5] WORKDIR /srv", "2026-12-05T18:30:01Z"),
            _record("context", "local source for context", "2026-12-05T18:30:02Z"),
            _record("busy", "[5/5] COPY . .", "2026-12-05T18:30:10Z", in_use=True),
        ]
    )
    removed = forget_buildkit_steps("2026-12-05T18:30:00.999999999Z", client=cache)  # type: ignore[arg-type]
    assert cache.pruned == ["run", "copy"]
    assert removed == 2
