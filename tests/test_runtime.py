"""The workshop runtime: env up's parts, the stand-in base image, the local index, processes.

Engine tests run `env up` themselves (idempotent: seconds when everything is there), so they
pass on a fresh machine as in a session that already ran it.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import docker
import pytest

from checker.build.labels import PROJECT_FILTER, PROJECT_LABEL, PROJECT_VALUE
from checker.runtime import base_image, environment, package_index, paths, processes, registry

# --- without an engine -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tag", "version"),
    [("python:3.11-slim", "3.11"), ("python:3.9", "3.9"), ("library/python:3.13.1-slim", "3.13")],
)
def test_python_version_of_a_tag(tag: str, version: str) -> None:
    assert base_image.python_version(tag) == version


def test_a_non_python_tag_is_refused_with_a_reason() -> None:
    with pytest.raises(base_image.BaseImageUnavailable, match=r"not a python:3\.x tag"):
        base_image.python_version("debian:bookworm")


def test_a_python_no_debian_ships_names_the_tags_that_work(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("WORKSHOP_HOME", str(tmp_path))
    with pytest.raises(base_image.BaseImageUnavailable, match=r"python:3\.11-slim"):
        base_image.rootfs_tarball("3.12")


def test_wanted_tag_reads_the_sample_dockerfile() -> None:
    assert base_image.wanted_tag() == "python:3.11-slim"


def test_stand_in_config_puts_the_venv_first_and_points_pip_at_the_index() -> None:
    index = package_index.LocalIndex("172.17.0.1", 8741)
    lines = base_image.image_config("python:3.11-slim", "3.11", index.environment(), index.url)
    assert lines[0].startswith("ENV PATH=/opt/venv/bin:")
    assert "ENV PIP_INDEX_URL=http://172.17.0.1:8741/simple/" in lines
    assert "ENV PIP_TRUSTED_HOST=172.17.0.1" in lines
    assert 'CMD ["python3"]' in lines
    assert f'LABEL {base_image.INDEX_LABEL}="{index.url}"' in lines


def test_wheelhouse_covers_every_lesson_requirements_file() -> None:
    files = package_index.requirement_files()
    assert paths.SAMPLE_PROJECT / "requirements.txt" in files
    assert files[-1] == package_index.TOOLS_FILE
    tools = package_index.TOOLS_FILE.read_text()
    for needed in ("setuptools", "wheel", "pip"):
        assert f"\n{needed}\n" in f"\n{tools}"


def test_wheels_for_another_python_are_binary_only() -> None:
    other = "3.13" if sys.version_info[:2] != (3, 13) else "3.11"
    options = package_index._target_options(other)
    assert "--only-binary=:all:" in options
    assert options[options.index("--python-version") + 1] == other


def test_processes_are_stopped_only_when_the_pid_still_runs_our_command(
    tmp_path, monkeypatch
) -> None:
    monkeypatch.setenv("WORKSHOP_HOME", str(tmp_path))
    started = processes.start("sleeper", ["sleep", "60"])
    try:
        assert processes.remembered("sleeper") == started
        impostor = processes.Started("sleeper", started.pid, ["sleep", "61"], started.log)
        assert not processes.is_running(impostor)  # same pid, other command: not ours
        assert processes.stop(started, timeout=5)
        assert processes.remembered("sleeper") is None
    finally:
        if processes.is_running(started):
            processes.stop(started, timeout=1)


def test_status_without_an_engine_says_how_to_start_one(monkeypatch) -> None:
    monkeypatch.setattr(environment.engine, "connect", lambda timeout=10: None)
    parts = environment.status()
    assert [part.name for part in parts][:2] == ["engine", "base image"]
    assert not parts[0].ready and "env up" in parts[0].detail
    assert "MISSING engine" in environment.render(parts)


# --- on a real engine --------------------------------------------------------------------


@pytest.fixture(scope="module")
def ready() -> Iterator[list[environment.Part]]:
    """`env up`; the registry it starts is stopped again unless one already answered."""
    registry_was_up = registry.answers()
    yield environment.up()
    if not registry_was_up:
        client = docker.from_env(timeout=30)
        registry.stop_registry(client)
        client.close()


@pytest.mark.seed
@pytest.mark.docker
def test_env_up_makes_every_part_ready(ready) -> None:
    assert all(part.ready for part in ready), environment.render(ready)
    again = environment.status()
    assert [part.ready for part in again] == [True] * len(again)


@pytest.mark.docker
def test_the_base_image_has_python_and_pip_on_path_without_pep668(ready) -> None:
    script = (
        "python --version && pip --version && pip install -q --no-deps idna"
        " && python -c 'import idna'"
    )
    result = subprocess.run(
        ["docker", "run", "--rm", "--label", f"{PROJECT_LABEL}={PROJECT_VALUE}",
         "python:3.11-slim", "sh", "-c", script],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Python 3.11" in result.stdout
    assert "externally-managed" not in result.stderr


@pytest.mark.docker
def test_the_stand_in_index_serves_the_sample_requirements(ready) -> None:
    import docker

    image = base_image.inspect(docker.from_env(), "python:3.11-slim")
    if image is None or not image.index_url:
        pytest.skip("the base image uses PyPI here; no local index to check")
    for name in ("requests", "numpy", "pandas", "setuptools", "wheel"):
        with urllib.request.urlopen(f"{image.index_url}{name}/", timeout=5) as page:
            assert b".whl" in page.read(), name


def _terminal_step_cached(output: str, step: str) -> bool:
    """Whether a terminal `docker build` reported ``step`` as a cache hit (either builder)."""
    buildkit = re.search(r"^#(\d+) \[[^\]]*\] " + re.escape(step), output, re.MULTILINE)
    if buildkit is not None:
        return re.search(rf"^#{buildkit.group(1)} CACHED$", output, re.MULTILINE) is not None
    after = output.split(step, 1)[1]
    return after.lstrip().startswith("---> Using cache")


@pytest.mark.seed
@pytest.mark.docker
def test_a_terminal_build_twice_uses_the_cache_for_pip_after_a_code_change(
    ready, sample_context: Path
) -> None:
    """The issue's own check: `docker build sample_project`, change run.py, build again."""
    tag = f"layer-cache-workshop-test:{int(time.time())}"
    argv = ["docker", "build", "--label", f"{PROJECT_LABEL}={PROJECT_VALUE}", "-t", tag,
            str(sample_context)]  # fmt: skip
    # BuildKit (what `docker build` is with buildx) writes plain progress to stderr when it is
    # not a terminal; the classic builder writes "---> Using cache" to stdout.
    env = {**os.environ, "BUILDKIT_PROGRESS": "plain"}
    try:
        first = subprocess.run(argv, capture_output=True, text=True, timeout=600, env=env)
        assert first.returncode == 0, first.stdout[-2000:] + first.stderr[-2000:]
        # A text no earlier run built: BuildKit keeps the cache of every content it has seen.
        (sample_context / "run.py").write_text(f'print("Hello again at {time.time_ns()}")\n')
        second = subprocess.run(argv, capture_output=True, text=True, timeout=600, env=env)
        assert second.returncode == 0, second.stderr[-2000:]
        output = second.stdout + second.stderr
        assert _terminal_step_cached(output, "RUN pip install -r requirements.txt"), output
        assert not _terminal_step_cached(output, "ADD . /srv"), output
    finally:
        subprocess.run(["docker", "rmi", "-f", tag], capture_output=True)
        leftovers = subprocess.run(
            ["docker", "ps", "-aq", "--filter", f"label={PROJECT_FILTER}"],
            capture_output=True, text=True,
        )  # fmt: skip
        assert leftovers.stdout.strip() == ""


def test_wait_ready_stops_a_process_that_never_gets_ready(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("WORKSHOP_HOME", str(tmp_path))
    started = processes.start("never-ready", ["sleep", "60"])
    assert not processes.wait_ready(started, lambda: False, timeout=0.5, interval=0.05)
    assert not processes.is_running(started)
    assert processes.remembered("never-ready") is None


def test_wait_ready_returns_early_when_the_process_exits(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("WORKSHOP_HOME", str(tmp_path))
    started = processes.start("quits", ["sh", "-c", "echo bad flag >&2; exit 3"])
    begun = time.monotonic()
    assert not processes.wait_ready(started, lambda: False, timeout=30, interval=0.05)
    assert time.monotonic() - begun < 10
    assert "bad flag" in processes.log_tail(started)


@pytest.mark.docker
def test_an_official_image_is_pointed_at_the_index_and_back(ready) -> None:
    """For a room with no internet prepared from a pulled image (`env up --offline`)."""
    import docker

    client = docker.from_env()
    tarball = base_image.rootfs_tarball("3.11")  # built by env up where no registry answers
    tag = f"layer-cache-workshop-test/python:official-{int(time.time())}"
    repository, _, image_tag = tag.rpartition(":")
    client.api.import_image(src=str(tarball), repository=repository, tag=image_tag)
    try:
        official = base_image.inspect(client, tag)
        assert official is not None and official.origin == "official"
        index = package_index.LocalIndex("172.17.0.1", 8741)
        pointed = base_image.point_at_index(client, official, index.environment(), index.url)
        assert pointed.official_id == official.image_id and pointed.index_url == index.url
        env = client.images.get(tag).attrs["Config"]["Env"]
        assert f"PIP_INDEX_URL={index.url}" in env
        back = base_image.point_at_index(client, pointed, {}, None)
        assert back.image_id == official.image_id and back.index_url is None
        with pytest.raises(docker.errors.ImageNotFound):
            client.images.get(pointed.image_id)  # the one-step image is gone
    finally:
        with contextlib.suppress(docker.errors.APIError):
            client.images.remove(tag, force=True)


def test_the_index_listens_on_the_gateway_where_it_is_ours_else_on_loopback() -> None:
    here = package_index.index_address("127.0.0.1")  # an address of this machine
    assert (here.host, here.listen) == ("127.0.0.1", "")
    desktop = package_index.index_address("203.0.113.7")  # a bridge inside a VM (Docker Desktop)
    assert desktop.host == package_index.DESKTOP_HOST and desktop.listen == "127.0.0.1"
    assert desktop.url.startswith("http://host.docker.internal:")
    assert desktop.local_url.startswith("http://127.0.0.1:")
    assert desktop.environment()["PIP_TRUSTED_HOST"] == package_index.DESKTOP_HOST


# --- the bridge gateway, as engines really report it ---------------------------------------


class _Network:
    """The one Engine API call bridge_gateway makes, answering what a real engine answered."""

    def __init__(self, answer: dict) -> None:
        self.answer = answer

    def inspect_network(self, name: str) -> dict:
        assert name == "bridge"
        return self.answer


class _Client:
    def __init__(self, answer: dict) -> None:
        self.api = _Network(answer)


# `docker network inspect bridge` on an engine's very first start (Engine 20.10, no docker0 yet
# when it read its config): a Subnet and no Gateway (ENGINE-NOTES, 2026-12-02).
FIRST_START = {
    "Name": "bridge",
    "Driver": "bridge",
    "IPAM": {"Driver": "default", "Options": None, "Config": [{"Subnet": "172.17.0.0/16"}]},
    "Options": {
        "com.docker.network.bridge.default_bridge": "true",
        "com.docker.network.bridge.name": "docker0",
    },
}


def test_a_first_start_bridge_without_gateway_gives_the_subnets_first_host(monkeypatch) -> None:
    monkeypatch.setattr(package_index, "interface_address", lambda name: None)  # no docker0
    assert package_index.bridge_gateway(_Client(FIRST_START)) == "172.17.0.1"


def test_a_first_start_bridge_prefers_the_bridge_interfaces_own_address() -> None:
    # `lo` stands in for a bridge interface that exists on this machine: its address wins
    # over the subnet's first host, as docker0's does when the engine chose another one.
    answer = {**FIRST_START, "Options": {"com.docker.network.bridge.name": "lo"}}
    assert package_index.bridge_gateway(_Client(answer)) == "127.0.0.1"


def test_a_bridge_with_a_gateway_uses_it_and_skips_ipv6_entries() -> None:
    answer = {
        **FIRST_START,
        "IPAM": {
            "Config": [
                {"Subnet": "fd00::/64", "Gateway": "fd00::1"},
                {"Subnet": "10.99.0.0/16", "Gateway": "10.99.0.254"},
            ]
        },
    }
    assert package_index.bridge_gateway(_Client(answer)) == "10.99.0.254"


def test_a_bridge_with_no_ipam_config_says_what_the_engine_answered(monkeypatch) -> None:
    monkeypatch.setattr(package_index, "interface_address", lambda name: None)
    answer = {**FIRST_START, "IPAM": {"Driver": "default", "Config": []}}
    with pytest.raises(package_index.IndexUnavailable, match="no IPv4 gateway, subnet"):
        package_index.bridge_gateway(_Client(answer))


def test_the_default_route_is_read_from_a_proc_net_route_table() -> None:
    table = (
        "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\n"
        "eth0\t00000000\t010011AC\t0003\t0\t0\t0\t00000000\n"
        "eth0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\n"
    )
    assert package_index.default_route(table) == "172.17.0.1"
    assert package_index.default_route(table.splitlines()[0]) is None


@pytest.mark.docker
def test_a_container_on_the_bridge_sees_the_gateway_as_its_default_route(ready) -> None:
    client = docker.from_env()
    seen = package_index._route_seen_from_container(client, base_image.wanted_tag())
    assert seen == package_index.bridge_gateway(client)


# --- installing a current engine --------------------------------------------------------------


def test_debian_package_versions_give_their_engine_major() -> None:
    from checker.runtime import engine_packages

    assert engine_packages.major("20.10.24+dfsg1-1+deb12u1+b6") == 20
    assert engine_packages.major("5:26.1.5+dfsg1-9") == 26
    assert engine_packages.major("26.1.5+dfsg1-9+b2") >= engine_packages.BUILDKIT_DEFAULT_MAJOR


def test_the_machines_debian_mirror_is_found_in_one_line_and_deb822_sources() -> None:
    from checker.runtime import engine_packages

    deb822 = (
        "Types: deb\nURIs: http://mirror.example/debian\nSuites: bookworm\n\n"
        "Types: deb\nURIs: http://mirror.example/debian-security\nSuites: bookworm-security\n"
    )
    assert engine_packages.mirror_in_sources(deb822) == "http://mirror.example/debian"
    one_line = "deb http://security.example/debian-security bookworm-security main\n" + (
        "deb [arch=amd64] http://ftp.example/debian/ bookworm main\n"
    )
    assert engine_packages.mirror_in_sources(one_line) == "http://ftp.example/debian"
    assert engine_packages.mirror_in_sources("deb https://download.docker.com/linux x y") is None


@pytest.mark.docker
def test_status_names_buildxs_version_the_default_builder_and_its_driver() -> None:
    from checker.build import find_buildkit_client

    part = next(part for part in environment.status() if part.name == "builders")
    client = find_buildkit_client()
    if not client.buildx:
        pytest.skip("no buildx here: the line names the DOCKER_BUILDKIT=1 client instead")
    assert re.search(r"BuildKit via buildx \d+\.\d+ ", part.detail), part.detail
    assert re.search(r"default builder \S+ \(\w[\w-]* driver\)", part.detail), part.detail
    assert f"--progress={client.progress}" in part.detail


@pytest.mark.docker
def test_status_says_how_big_buildkits_cache_is_as_the_engine_counts_it() -> None:
    import docker

    part = next(part for part in environment.status() if part.name == "build cache")
    match = re.search(r"([\d.]+) GB in (\d+) records", part.detail)
    assert match, part.detail
    records = docker.from_env().api.df().get("BuildCache") or []
    size = sum(record["Size"] for record in records if not record.get("Shared"))
    # Other builds may run between the two reads: the figures agree within a few records.
    assert abs(int(match[2]) - len(records)) <= 5
    assert abs(float(match[1]) - size / 1e9) < 1.0
    assert "--prune-build-cache" in part.detail
