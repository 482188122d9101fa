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
