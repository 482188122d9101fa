"""`env down` keeps BuildKit's cache; `env down --prune-build-cache` empties it, engine-wide.

Emptying BuildKit's cache cannot be limited to this project (its records carry no labels), so
this test runs only on an engine named as disposable by ``CHECKER_SCRATCH_DOCKER_HOST`` (a
second dockerd of your own, or CI's engine at the end of its run), never on a shared one.
It runs `env down` with a workshop folder of its own, so no process another `env up`
remembers is stopped.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import docker
import pytest

from checker.build.labels import PROJECT_LABEL, PROJECT_VALUE
from checker.runtime import environment

SCRATCH = "CHECKER_SCRATCH_DOCKER_HOST"


def _cache_records(client: docker.DockerClient) -> list[dict]:
    return client.df().get("BuildCache") or []


@pytest.mark.docker
def test_env_down_keeps_buildkits_cache_unless_asked_to_prune_it(tmp_path: Path, monkeypatch):
    scratch = os.environ.get(SCRATCH)
    if not scratch:
        pytest.skip(f"empties BuildKit's cache engine-wide: set {SCRATCH} to an engine of yours")
    monkeypatch.setenv("DOCKER_HOST", scratch)
    monkeypatch.setenv("WORKSHOP_HOME", str(tmp_path / "workshop"))
    (tmp_path / "token.txt").write_text(f"{time.time_ns()}\n")
    (tmp_path / "Dockerfile").write_text("FROM scratch\nCOPY token.txt /token.txt\n")
    built = subprocess.run(
        ["docker", "buildx", "build", "--label", f"{PROJECT_LABEL}={PROJECT_VALUE}",
         "-t", "layer-cache-workshop-test:prune", str(tmp_path)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr[-2000:]
    client = docker.from_env(timeout=120)
    try:
        assert _cache_records(client), "a BuildKit build left no cache record to prune"

        kept = environment.down()
        assert _cache_records(client), "plain `env down` emptied BuildKit's cache"
        assert "--prune-build-cache" in kept[-1], kept

        said: list[str] = []
        pruned = environment.down(said.append, prune_build_cache=True)
        assert _cache_records(client) == []
        assert any("engine-wide" in line for line in said), said
        assert any("emptied BuildKit's build cache on the whole engine" in line for line in pruned)
    finally:
        client.close()
