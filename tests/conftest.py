"""Fixtures for real resources: the Docker engine, and scratch build contexts.

Tests that need an engine skip with the reason where none answers, and fail instead when
CHECKER_REQUIRE_DOCKER=1 (CI sets it), so a silent skip can never pass CI.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SAMPLE_PROJECT = REPO / "sample_project"
BASE_IMAGE = "python:3.11-slim"  # what sample_project/Dockerfile builds FROM


def _engine_problem() -> str | None:
    """Why no engine can be used, or None when one answers."""
    try:
        import docker

        client = docker.from_env(timeout=10)
        client.ping()
        client.close()
    except Exception as error:  # any failure to reach the engine means "no engine"
        return (
            f"no Docker engine answers ({type(error).__name__}: {error}); "
            "run `python -m checker env up`"
        )
    return None


@pytest.fixture(scope="session")
def docker_engine() -> Iterator[None]:
    """Skip (or fail, under CHECKER_REQUIRE_DOCKER=1) when no engine answers."""
    problem = _engine_problem()
    if problem:
        if os.environ.get("CHECKER_REQUIRE_DOCKER") == "1":
            pytest.fail(f"CHECKER_REQUIRE_DOCKER=1 but {problem}")
        pytest.skip(problem)
    yield


@pytest.fixture(scope="module")
def engine(docker_engine: None) -> Iterator[object]:
    """A low-level client for an engine that has the lessons' base image (``env up`` makes it);
    skips without it, or fails under CHECKER_REQUIRE_DOCKER=1."""
    import docker
    from docker.errors import NotFound

    client = docker.from_env(timeout=60).api  # honours DOCKER_HOST, as the runner does
    try:
        client.inspect_image(BASE_IMAGE)
    except NotFound:
        reason = f"the base image {BASE_IMAGE} is not on the engine; run `python -m checker env up`"
        if os.environ.get("CHECKER_REQUIRE_DOCKER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    yield client
    client.close()


@pytest.fixture
def sample_context(tmp_path: Path) -> Path:
    """A private copy of sample_project/ that a test may edit freely."""
    target = tmp_path / "sample_project"
    shutil.copytree(SAMPLE_PROJECT, target)
    return target


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``docker`` get the engine fixture, so none forgets the skip-or-fail rule."""
    for item in items:
        if item.get_closest_marker("docker") and "docker_engine" not in getattr(
            item, "fixturenames", ()
        ):
            item.fixturenames.insert(0, "docker_engine")
