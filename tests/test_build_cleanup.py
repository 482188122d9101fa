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
