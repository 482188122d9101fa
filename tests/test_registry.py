"""The local registry `env up` serves on loopback: pushes, pulls and BuildKit's exported cache.

The registry under test is started through env up's own code path (``ensure_registry``) on a
port and workshop folder of its own, and stopped afterwards, so a registry the workshop already
runs is neither reused nor disturbed.
"""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import tarfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import docker
import pytest

from checker.build.labels import PROJECT_LABEL, PROJECT_VALUE
from checker.runtime import engine, environment, processes, registry


def test_the_registry_config_listens_on_loopback_and_stores_under_the_given_folder(
    tmp_path: Path,
) -> None:
    text = registry.config_text(tmp_path / "storage", "127.0.0.1:5999")
    assert "  addr: 127.0.0.1:5999\n" in text
    assert f"    rootdirectory: {tmp_path / 'storage'}\n" in text


def test_the_registry_port_follows_workshop_registry_port(monkeypatch) -> None:
    monkeypatch.delenv("WORKSHOP_REGISTRY_PORT", raising=False)
    assert registry.address() == f"127.0.0.1:{registry.DEFAULT_PORT}"
    monkeypatch.setenv("WORKSHOP_REGISTRY_PORT", "5800")
    assert registry.address() == "127.0.0.1:5800"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def local_registry(docker_engine, tmp_path_factory) -> Iterator[registry.Registry]:
    """A registry started as `env up` starts it, on a free port, stopped (and checked) after."""
    saved = {name: os.environ.get(name) for name in ("WORKSHOP_HOME", "WORKSHOP_REGISTRY_PORT")}
    os.environ["WORKSHOP_HOME"] = str(tmp_path_factory.mktemp("workshop-home"))
    os.environ["WORKSHOP_REGISTRY_PORT"] = str(_free_port())
    client = docker.from_env(timeout=60)
    try:
        started = registry.ensure_registry(client)
        assert "started by env up" in started.how
        yield started
    finally:
        assert registry.stop_registry(client), "the registry env up started was not found"
        assert not registry.answers(), "the registry still answers after stop_registry"
        assert processes.remembered(registry.SERVER_NAME) is None
        client.close()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _docker(*argv: str, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["docker", *argv], capture_output=True, text=True, timeout=timeout)


def _tiny_image(tag: str) -> None:
    """An image of one small file, made with `docker import` (no base image, no build)."""
    data = io.BytesIO()
    with tarfile.open(fileobj=data, mode="w") as archive:
        content = f"pushed at {time.time_ns()}\n".encode()
        member = tarfile.TarInfo("hello.txt")
        member.size = len(content)
        archive.addfile(member, io.BytesIO(content))
    result = subprocess.run(
        ["docker", "import", "--change", f"LABEL {PROJECT_LABEL}={PROJECT_VALUE}", "-", tag],
        input=data.getvalue(), capture_output=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr.decode(errors="replace")


@pytest.mark.docker
def test_env_status_shows_the_registry_it_started(local_registry) -> None:
    part = next(part for part in environment.status() if part.name == "registry")
    assert part.ready and local_registry.address in part.detail, part


@pytest.mark.docker
def test_an_image_pushed_to_the_local_registry_is_pulled_back(local_registry) -> None:
    tag = local_registry.reference(f"layer-cache-workshop-tiny:{time.time_ns()}")
    _tiny_image(tag)
    try:
        pushed = _docker("push", tag)
        assert pushed.returncode == 0, pushed.stdout + pushed.stderr
        name, _, version = tag.rpartition(":")
        listed = json.load(
            urllib.request.urlopen(
                f"http://{local_registry.address}/v2/{name.split('/', 1)[1]}/tags/list"
            )
        )
        assert version in listed["tags"]
        wanted = _docker("image", "inspect", "--format", "{{.Id}}", tag).stdout.strip()
        assert _docker("rmi", tag).returncode == 0
        pulled = _docker("pull", tag)
        assert pulled.returncode == 0, pulled.stdout + pulled.stderr
        assert _docker("image", "inspect", "--format", "{{.Id}}", tag).stdout.strip() == wanted
    finally:
        _docker("rmi", "-f", tag)


def _build(context: Path, tag: str, *options: str) -> subprocess.CompletedProcess[str]:
    return _docker(
        "buildx", "build", "--progress=plain", "--label", f"{PROJECT_LABEL}={PROJECT_VALUE}",
        "-t", tag, *options, str(context),
    )  # fmt: skip


@pytest.fixture
def cache_context(tmp_path: Path) -> Path:
    """A two-step build whose RUN output is new to the engine (a token of this test run)."""
    (tmp_path / "token.txt").write_text(f"{time.time_ns()}\n")
    (tmp_path / "Dockerfile").write_text(
        "FROM python:3.11-slim\nCOPY token.txt /token.txt\nRUN cat /token.txt > /copied.txt\n"
    )
    return tmp_path


def _store() -> str:
    client = docker.from_env(timeout=30)
    try:
        return engine.image_store_of(client)
    finally:
        client.close()


@pytest.mark.seed
@pytest.mark.docker
@pytest.mark.parametrize("kind", ["registry", "local"])
def test_buildkit_exports_its_cache_and_imports_it_back(
    local_registry, cache_context: Path, tmp_path_factory, kind: str
) -> None:
    """`--cache-to ... mode=max` then `--cache-from`; the docker driver needs the containerd
    store for any cache export, and says so on the classic store."""
    tag = f"layer-cache-workshop-test:cache-{kind}-{time.time_ns()}"
    if kind == "registry":
        ref = local_registry.reference(f"layer-cache-workshop-cache:{time.time_ns()}")
        cache_to, cache_from = f"type=registry,ref={ref},mode=max", f"type=registry,ref={ref}"
    else:
        folder = tmp_path_factory.mktemp("cache")
        cache_to, cache_from = f"type=local,dest={folder},mode=max", f"type=local,src={folder}"
    try:
        exported = _build(cache_context, tag, "--cache-to", cache_to)
        if _store() == "classic":
            assert exported.returncode != 0
            assert "containerd image store" in exported.stderr, exported.stderr
            return
        assert exported.returncode == 0, exported.stderr[-3000:]
        if kind == "registry":
            name, _, version = ref.partition("/")[2].rpartition(":")
            request = urllib.request.Request(
                f"http://{local_registry.address}/v2/{name}/manifests/{version}",
                headers={"Accept": "application/vnd.oci.image.index.v1+json"},
            )
            manifest = json.load(urllib.request.urlopen(request))
            # mode=max: the COPY and the RUN layers are both in the exported cache
            assert len(manifest["manifests"]) >= 3, manifest
        else:
            assert (folder / "index.json").is_file()
        imported = _build(cache_context, tag, "--cache-from", cache_from)
        assert imported.returncode == 0, imported.stderr[-3000:]
        assert "importing cache manifest from" in imported.stderr, imported.stderr
        assert "RUN cat /token.txt" in imported.stderr
    finally:
        _docker("rmi", "-f", tag)
