"""Choosing a BuildKit client and the command line it is given (no engine needed)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from checker.build import buildkit
from checker.build.buildkit import BuildKitClient, buildkit_command, find_buildkit_client
from checker.build.errors import NoBuildKitClient
from checker.build.options import BuildOptions


def fake_clients(monkeypatch: pytest.MonkeyPatch, clients: dict[str, tuple[str, bool]]) -> None:
    """``clients`` maps a path to (``--version`` output, whether ``buildx version`` works)."""
    monkeypatch.setattr(buildkit, "_candidate_paths", lambda: list(clients))

    def run(args: list[str]) -> subprocess.CompletedProcess[str]:
        version, buildx = clients[args[0]]
        if args[1:] == ["--version"]:
            return subprocess.CompletedProcess(args, 0, version, "")
        return subprocess.CompletedProcess(args, 0 if buildx else 1, "", "")

    monkeypatch.setattr(buildkit, "_run", run)
    find_buildkit_client.cache_clear()


@pytest.fixture(autouse=True)
def fresh_cache():
    find_buildkit_client.cache_clear()
    yield
    find_buildkit_client.cache_clear()


def test_buildx_is_preferred(monkeypatch: pytest.MonkeyPatch):
    fake_clients(
        monkeypatch,
        {
            "/usr/local/bin/docker": ("Docker version 28.2.2, build e6534b4", True),
            "/usr/bin/docker": ("Docker version 20.10.24+dfsg1, build 297e128", False),
        },
    )
    client = find_buildkit_client()
    assert client.path == "/usr/local/bin/docker" and client.buildx
    assert client.command()[:4] == ["/usr/local/bin/docker", "buildx", "build", "--load"]
    assert "DOCKER_BUILDKIT" not in client.environment() or client.buildx


def test_a_client_older_than_23_without_buildx_is_used_with_docker_buildkit(
    monkeypatch: pytest.MonkeyPatch,
):
    fake_clients(
        monkeypatch,
        {
            "/usr/local/bin/docker": ("Docker version 28.2.2, build e6534b4", False),
            "/usr/bin/docker": ("Docker version 20.10.24+dfsg1, build 297e128", False),
        },
    )
    client = find_buildkit_client()
    assert client == BuildKitClient("/usr/bin/docker", buildx=False, version="20.10")
    assert client.environment()["DOCKER_BUILDKIT"] == "1"
    assert client.environment("tcp://127.0.0.1:2375")["DOCKER_HOST"] == "tcp://127.0.0.1:2375"


def test_no_buildkit_client_says_how_to_get_one(monkeypatch: pytest.MonkeyPatch):
    fake_clients(monkeypatch, {"/usr/local/bin/docker": ("Docker version 28.2.2, build x", False)})
    with pytest.raises(NoBuildKitClient, match="buildx") as error:
        find_buildkit_client()
    assert "docker.io" in str(error.value)


def test_command_carries_every_option(sample_context: Path, tmp_path: Path):
    client = BuildKitClient("/usr/bin/docker", buildx=False, version="20.10")
    options = BuildOptions(
        tag="hello:1",
        no_cache=True,
        buildargs={"PIP_INDEX_URL": "http://127.0.0.1:8080/simple"},
        target="final",
        network_mode="host",
    )
    args = buildkit_command(client, sample_context, options, tmp_path / "iid")
    assert args[:2] == ["/usr/bin/docker", "build"]
    assert "--progress=plain" in args
    assert args[args.index("--iidfile") + 1] == str(tmp_path / "iid")
    assert args[args.index("--file") + 1] == str(sample_context / "Dockerfile")
    label = args[args.index("--label") + 1]
    assert label == "org.layer-cache-workshop.project=docker-layer-cache-workshop"
    assert "--no-cache" in args
    assert args[args.index("--build-arg") + 1] == "PIP_INDEX_URL=http://127.0.0.1:8080/simple"
    assert args[args.index("--target") + 1] == "final"
    assert args[args.index("--tag") + 1] == "hello:1"
    assert args[args.index("--network") + 1] == "host"
    assert args[-1] == str(sample_context)


def test_no_tag_by_default(sample_context: Path, tmp_path: Path):
    client = BuildKitClient("/usr/bin/docker", buildx=False, version="20.10")
    args = buildkit_command(client, sample_context, BuildOptions(), tmp_path / "iid")
    assert "--tag" not in args and "-t" not in args


def test_a_cache_only_build_asks_buildx_for_no_image(sample_context: Path, tmp_path: Path):
    client = BuildKitClient("/usr/local/bin/docker", buildx=True, version="28.2")
    cached = buildkit_command(client, sample_context, BuildOptions(export=False), tmp_path / "i")
    assert "--load" not in cached
    assert cached[cached.index("--output") + 1] == "type=cacheonly"
    loaded = buildkit_command(client, sample_context, BuildOptions(), tmp_path / "i")
    assert "--load" in loaded and "--output" not in loaded
    legacy = BuildKitClient("/usr/bin/docker", buildx=False, version="20.10")
    old = buildkit_command(legacy, sample_context, BuildOptions(export=False), tmp_path / "i")
    assert "--output" not in old  # no buildx: the image is made as before


def test_limits_are_refused_for_buildkit(sample_context: Path):
    client = BuildKitClient("/usr/bin/docker", buildx=False, version="20.10")
    with pytest.raises(ValueError, match="classic"):
        buildkit.build_buildkit(sample_context, BuildOptions(memory=256 * 2**20), client=client)


@pytest.mark.parametrize(
    ("answer", "progress"),
    [
        ("github.com/docker/buildx 0.13.1+ds1 0.13.1+ds1-3", "rawjson"),  # Debian's package
        ("github.com/docker/buildx v0.29.1 a1b2c3d", "rawjson"),
        ("github.com/docker/buildx v0.12.1 30feaa1", "plain"),
        ("", "plain"),  # a version we cannot read: the text form every client has
    ],
)
def test_buildx_013_and_newer_get_rawjson_progress(
    monkeypatch: pytest.MonkeyPatch,
    sample_context: Path,
    tmp_path: Path,
    answer: str,
    progress: str,
):
    monkeypatch.setattr(buildkit, "_candidate_paths", lambda: ["/usr/local/bin/docker"])

    def run(args: list[str]) -> subprocess.CompletedProcess[str]:
        text = "Docker version 28.2.2, build e6534b4" if args[1:] == ["--version"] else answer
        return subprocess.CompletedProcess(args, 0, text, "")

    monkeypatch.setattr(buildkit, "_run", run)
    client = find_buildkit_client()
    assert client.progress == progress
    args = buildkit_command(client, sample_context, BuildOptions(), tmp_path / "iid")
    assert f"--progress={progress}" in args
    assert type(client.parser()).__name__ == (
        "BuildKitRawJsonParser" if progress == "rawjson" else "BuildKitPlainParser"
    )
