"""Lesson 10's cold CI runner: an engine of its own, empty, with the base image, gone after."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from checker.lessons.ci_runner import Runner, unavailable


@pytest.mark.docker
def test_a_runner_starts_empty_with_the_base_image_and_leaves_nothing_behind():
    reason = unavailable()
    if reason:
        pytest.skip(reason)
    with Runner() as runner:
        images = runner.docker("image", "ls", "--format", "{{.Repository}}:{{.Tag}}").stdout
        assert images.split() == ["python:3.11-slim"]
        usage = runner.docker("system", "df", "--format", "{{.Type}} {{.TotalCount}}").stdout
        assert "Build Cache 0" in usage, usage
        root, bridge = runner.root, runner.bridge
    assert not Path(root).exists()
    links = subprocess.run(["ip", "-o", "link", "show"], capture_output=True, text=True).stdout
    assert f" {bridge}:" not in links


@pytest.mark.docker
def test_reset_empties_the_runner_again_but_keeps_the_base_image(tmp_path: Path):
    """What each CI job starts on: the base image, no other image, no build cache."""
    reason = unavailable()
    if reason:
        pytest.skip(reason)
    (tmp_path / "Dockerfile").write_text("FROM python:3.11-slim\nRUN echo job > /job.txt\n")
    with Runner() as runner:
        runner.docker("buildx", "build", "--load", "--tag", "job:1", str(tmp_path))
        assert "job:1" in runner.docker("image", "ls", "--format", "{{.Repository}}:1").stdout
        runner.reset()
        images = runner.docker("image", "ls", "--format", "{{.Repository}}:{{.Tag}}").stdout
        assert images.split() == ["python:3.11-slim"]
        usage = runner.docker("system", "df", "--format", "{{.Type}} {{.TotalCount}}").stdout
        assert "Build Cache 0" in usage, usage


def test_lesson_builds_read_rawjson_where_buildx_has_it():
    """Plain progress prints a step taken from an imported cache as a download and DONE, not
    CACHED: the lesson's client must keep buildx's version to be asked for rawjson."""
    from checker.build.buildkit import BuildKitClient
    from checker.lessons.ci import _Client

    found = BuildKitClient("/usr/bin/docker", buildx=True, version="28.2", buildx_version=(0, 13))
    client = _Client.adding(found, ("--cache-from", "x"))
    assert client.progress == "rawjson"
    assert client.command()[-2:] == ["--cache-from", "x"]
