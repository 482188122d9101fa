"""The seed experiment on a real engine, through both builders.

These reproduce what the lessons show: change the code and the install step comes from the
cache; change the requirements and it runs again; put ``ADD . /srv`` before the install and
every code change reinstalls. They assert on step records, never on timings. Every image a test
builds is removed by the ``built`` fixture. Files that must be new to the engine get a unique
marker, so leftovers of an earlier run (or a notebook's) cannot turn a "ran" into "cached".
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import docker
import pytest
from docker.errors import APIError, NotFound

from checker.build import (
    BuildError,
    BuildResult,
    BuildTimeout,
    NoBuildKitClient,
    build,
    cleanup,
    find_buildkit_client,
    prune_buildkit_cache,
)
from checker.build.buildkit import build_buildkit
from checker.build.classic import api_client
from checker.build.classic_stream import ClassicStreamParser
from checker.build.labels import PROJECT_LABEL, PROJECT_LABELS, PROJECT_VALUE, STAND_IN_LABEL
from checker.build.options import BuildOptions
from checker.build.records import Recorder

pytestmark = pytest.mark.docker

BASE = "python:3.11-slim"
REQUIRE = os.environ.get("CHECKER_REQUIRE_DOCKER") == "1"


def skip_or_fail(reason: str) -> None:
    if REQUIRE:
        pytest.fail(f"CHECKER_REQUIRE_DOCKER=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def api(docker_engine: None) -> Iterator[docker.APIClient]:
    client = api_client()
    try:
        client.inspect_image(BASE)
    except NotFound:
        skip_or_fail(f"the base image {BASE} is not on the engine; run `python -m checker env up`")
    yield client
    client.close()


@pytest.fixture(scope="module")
def network(api: docker.APIClient) -> str | None:
    """Host networking when the base image's pip index is on this machine's loopback.

    ``CHECKER_BUILD_NETWORK`` overrides the guess (``default`` for the bridge).
    """
    override = os.environ.get("CHECKER_BUILD_NETWORK")
    if override:
        return None if override == "default" else override
    env = api.inspect_image(BASE)["Config"].get("Env") or []
    index = " ".join(item for item in env if item.startswith(("PIP_INDEX_URL=", "PIP_EXTRA")))
    return "host" if ("127.0.0.1" in index or "localhost" in index) else None


class Builds:
    """Builds through the runner with the engine's network, remembering images to remove."""

    def __init__(self, api: docker.APIClient, network: str | None) -> None:
        self.api = api
        self.network = network
        self.images: list[str] = []

    def __call__(self, context: Path, **options: object) -> BuildResult:
        options.setdefault("network_mode", self.network)
        try:
            result = build(context, live=False, table=False, **options)  # type: ignore[arg-type]
        except BuildError as error:
            self.keep(error.result.image_id)
            raise
        self.keep(result.image_id)
        return result

    def keep(self, image_id: str | None) -> None:
        if image_id:
            self.images.append(image_id)

    def remove_all(self) -> None:
        """Newest first (children before parents); a second pass for any left by a conflict."""
        for _ in range(2):
            for image_id in reversed(self.images):
                with contextlib.suppress(NotFound, APIError):
                    self.api.remove_image(image_id, force=True)


@pytest.fixture
def built(api: docker.APIClient, network: str | None) -> Iterator[Builds]:
    builds = Builds(api, network)
    yield builds
    builds.remove_all()


@pytest.fixture(scope="module")
def buildkit_ready(api: docker.APIClient) -> None:
    try:
        find_buildkit_client()
    except NoBuildKitClient as error:
        skip_or_fail(str(error))


def change_run_py(context: Path) -> None:
    (context / "run.py").write_text(f'print("Hello, World")  # {uuid.uuid4().hex}\n')


def drop_a_requirement(context: Path) -> None:
    """Remove the last requirement; the marker comment makes the file new to the engine."""
    lines = (context / "requirements.txt").read_text().splitlines()
    kept = [line for line in lines if line.strip()][:-1]
    (context / "requirements.txt").write_text("\n".join([*kept, f"# {uuid.uuid4().hex}", ""]))


# --- the classic builder ------------------------------------------------------------------


@pytest.mark.seed
def test_code_change_keeps_the_install_cached(sample_context: Path, built: Builds, api):
    first = built(sample_context, no_cache=True)
    assert [step.outcome for step in first.learner_steps] == ["base"] + ["ran"] * 5
    assert [step.keyword for step in first.learner_steps] == [
        "FROM",
        "WORKDIR",
        "COPY",
        "RUN",
        "ADD",
        "CMD",
    ]
    labels = api.inspect_image(first.image_id)["Config"]["Labels"]
    assert labels[PROJECT_LABEL] == PROJECT_VALUE

    change_run_py(sample_context)
    second = built(sample_context)
    assert second.step("WORKDIR").outcome == "cached"
    assert second.step("COPY requirements.txt").outcome == "cached"
    assert second.step("RUN pip install").outcome == "cached"
    assert second.step("ADD . /srv").outcome == "ran"
    assert second.step("CMD").outcome == "ran"
    # The runner's LABEL step is recorded but not counted as the learner's.
    assert second.steps[-1].added_by_runner and second.steps[-1].keyword == "LABEL"
    assert len(second.learner_steps) == 6
    assert all(step.layer_id for step in second.steps)


def test_requirements_change_runs_the_install_again(sample_context: Path, built: Builds):
    built(sample_context)
    drop_a_requirement(sample_context)
    after = built(sample_context)
    assert after.step("WORKDIR").outcome == "cached"
    assert after.step("COPY requirements.txt").outcome == "ran"
    install = after.step("RUN pip install")
    assert install.outcome == "ran"
    assert install.output, "pip printed nothing: the install did not run"


def test_add_before_install_reinstalls_on_every_code_change(sample_context: Path, built: Builds):
    (sample_context / "Dockerfile").write_text(
        "FROM python:3.11-slim\n"
        "WORKDIR /srv\n"
        "ADD . /srv\n"
        "RUN pip install -r requirements.txt\n"
        'CMD ["python", "run.py"]\n'
    )
    built(sample_context)
    change_run_py(sample_context)
    after = built(sample_context)
    assert after.step("ADD . /srv").outcome == "ran"
    assert after.step("RUN pip install").outcome == "ran"


@pytest.mark.seed
def test_failing_run_names_the_step_and_leaves_no_container(
    tmp_path: Path, built: Builds, api: docker.APIClient
):
    (tmp_path / "Dockerfile").write_text(
        "FROM python:3.11-slim\nRUN echo about to fail && exit 3\n"
    )
    with pytest.raises(BuildError) as caught:
        built(tmp_path)
    error = caught.value
    assert error.step is not None and error.step.number == 2
    assert error.step.instruction.startswith("RUN echo about to fail")
    assert "step 2 `RUN echo about to fail && exit 3`" in str(error)
    assert "about to fail" in str(error) and "non-zero code: 3" in str(error)
    assert error.result.containers, "the RUN step's container was not seen in the stream"
    for container_id in error.result.containers:
        with pytest.raises(NotFound):
            api.inspect_container(container_id)


def test_mtime_does_not_break_the_cache_but_the_owner_does(
    sample_context: Path, built: Builds, api: docker.APIClient
):
    """What the docstring of checker.build.context says, on the real engine."""
    change_run_py(sample_context)
    built(sample_context)
    for path in sample_context.iterdir():
        os.utime(path, (1_000_000_000, 1_000_000_000))
    touched = built(sample_context)
    assert touched.step("COPY requirements.txt").outcome == "cached"
    assert touched.step("ADD . /srv").outcome == "cached"

    # docker-py's own tar keeps the host's owner: a uid other than 0 is a different COPY key.
    for path in sample_context.iterdir():
        os.chown(path, 4321, 4321)
    recorder, parser = Recorder(), ClassicStreamParser()
    for message in api.build(
        path=str(sample_context),
        rm=True,
        forcerm=True,
        decode=True,
        labels=dict(PROJECT_LABELS),
        network_mode=built.network,
    ):
        for event in parser.feed(message):
            recorder.handle(event)
    own_tar = recorder.finish("classic", added_labels=dict(PROJECT_LABELS))
    built.keep(own_tar.image_id)
    assert own_tar.step("COPY requirements.txt").outcome == "ran"
    # Ours resets the owner as the CLI does, so the chown changes nothing.
    ours = built(sample_context)
    assert ours.step("COPY requirements.txt").outcome == "cached"
    assert ours.step("ADD . /srv").outcome == "cached"


def test_a_terminal_docker_build_shares_the_notebook_cache(sample_context: Path, built: Builds):
    change_run_py(sample_context)
    ours = built(sample_context)
    docker_cli = shutil.which("docker") or "/usr/bin/docker"
    iidfile = sample_context.parent / "iid"
    args = [docker_cli, "build", "--iidfile", str(iidfile)]
    args += ["--label", f"{PROJECT_LABEL}={PROJECT_VALUE}"]
    if built.network:
        args += ["--network", built.network]
    done = subprocess.run(
        [*args, str(sample_context)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "DOCKER_BUILDKIT": "0"},
        check=False,
    )
    if iidfile.exists():
        built.keep(iidfile.read_text().strip())
    assert done.returncode == 0, done.stderr
    parser, recorder = ClassicStreamParser(), Recorder()
    for line in done.stdout.splitlines():
        for event in parser.feed({"stream": line + "\n"}):
            recorder.handle(event)
    terminal = recorder.finish("classic", added_labels=dict(PROJECT_LABELS))
    assert terminal.step("COPY requirements.txt").outcome == "cached"
    assert terminal.step("RUN pip install").outcome == "cached"
    assert terminal.step("ADD . /srv").outcome == "cached"
    assert ours.image_id and terminal.image_id and ours.image_id.startswith("sha256:")


def test_timeout_stops_the_build_and_removes_its_container(
    tmp_path: Path, built: Builds, api: docker.APIClient
):
    (tmp_path / "Dockerfile").write_text(f"FROM python:3.11-slim\nRUN sleep 300 # {uuid.uuid4()}\n")
    with pytest.raises(BuildTimeout) as caught:
        built(tmp_path, timeout=5)
    assert caught.value.step is not None and caught.value.step.keyword == "RUN"
    for container_id in caught.value.result.containers:
        with pytest.raises(NotFound):
            api.inspect_container(container_id)


def test_memory_limit_applies_to_run_steps(tmp_path: Path, built: Builds):
    (tmp_path / "Dockerfile").write_text(
        "FROM python:3.11-slim\n"
        f"RUN python -c 'b = bytearray(400 * 1024 * 1024); print(len(b))' # {uuid.uuid4()}\n"
    )
    with pytest.raises(BuildError) as caught:
        built(tmp_path, memory=64 * 2**20, memswap=64 * 2**20)
    assert caught.value.step is not None and caught.value.step.keyword == "RUN"


def test_buildargs_target_and_a_dockerfile_outside_the_context(
    sample_context: Path, tmp_path: Path, built: Builds
):
    dockerfile = tmp_path / "outside.Dockerfile"
    dockerfile.write_text(
        "FROM python:3.11-slim AS first\n"
        "ARG GREETING\n"
        f'RUN echo "greeting=$GREETING" # {uuid.uuid4()}\n'
        "FROM first AS second\n"
        "RUN echo second\n"
    )
    result = built(
        sample_context, dockerfile=dockerfile, target="first", buildargs={"GREETING": "hi"}
    )
    assert "greeting=hi" in result.step("RUN echo").output
    assert not any("second" in step.instruction for step in result.learner_steps)


def test_tag_is_applied_only_when_asked(sample_context: Path, built: Builds, api):
    tag = f"checker-build-test:{uuid.uuid4().hex[:8]}"
    result = built(sample_context, tag=tag)
    assert tag in (api.inspect_image(result.image_id).get("RepoTags") or [])
    untagged = built(sample_context)
    assert not any(t.startswith("checker-build-test") for t in untagged.tags)


def test_cleanup_removes_labelled_images_and_keeps_the_base(
    tmp_path: Path, built: Builds, api: docker.APIClient
):
    (tmp_path / "Dockerfile").write_text(f"FROM python:3.11-slim\nENV MARK={uuid.uuid4().hex}\n")
    ours = built(tmp_path, tag="checker-build-cleanup:test")
    unlabelled = next(
        m["aux"]["ID"]
        for m in api.build(
            fileobj=io.BytesIO(f"FROM python:3.11-slim\nENV OTHER={uuid.uuid4().hex}\n".encode()),
            rm=True,
            decode=True,
        )
        if "aux" in m
    )
    try:
        report = cleanup()
        assert ours.image_id in report.images
        with pytest.raises(NotFound):
            api.inspect_image(ours.image_id)
        assert api.inspect_image(BASE)["Config"]["Labels"].get(STAND_IN_LABEL) is not None
        api.inspect_image(unlabelled)  # a learner's image without our label stays
    finally:
        api.remove_image(unlabelled, force=True)


# --- BuildKit -----------------------------------------------------------------------------


@pytest.mark.seed
@pytest.mark.usefixtures("buildkit_ready")
def test_buildkit_code_change_keeps_the_install_cached(sample_context: Path, built: Builds, api):
    first = built(sample_context, builder="buildkit")
    assert [step.keyword for step in first.learner_steps] == [
        "FROM",
        "WORKDIR",
        "COPY",
        "RUN",
        "ADD",
    ], "BuildKit lists no step for CMD (it only changes the image config)"
    assert api.inspect_image(first.image_id)["Config"]["Labels"][PROJECT_LABEL] == PROJECT_VALUE
    change_run_py(sample_context)
    second = built(sample_context, builder="buildkit")
    assert second.step("COPY requirements.txt").outcome == "cached"
    assert second.step("RUN pip install").outcome == "cached"
    assert second.step("ADD . /srv").outcome == "ran"
    assert not any(step.added_by_runner for step in second.steps)


@pytest.mark.usefixtures("buildkit_ready")
def test_buildkit_rawjson_and_plain_progress_record_the_same_steps(
    sample_context: Path, built: Builds
):
    """The same rebuild (after a run.py change) read from --progress=rawjson and from plain."""
    client = find_buildkit_client()
    if client.progress != "rawjson":
        pytest.skip(f"buildx {client.buildx_version} has no --progress=rawjson (0.13 and newer)")
    plain_client = replace(client, buildx_version=None)
    assert plain_client.progress == "plain"
    options = BuildOptions(network_mode=built.network)
    built.keep(build_buildkit(sample_context, options, client=client).image_id)
    results = []
    for cli in (client, plain_client):
        change_run_py(sample_context)
        result = build_buildkit(sample_context, options, client=cli)
        built.keep(result.image_id)
        results.append(result)
    structured, plain = (
        [(s.number, s.instruction, s.outcome, s.output) for s in result.steps] for result in results
    )
    assert structured == plain
    assert [outcome for _, _, outcome, _ in structured] == [
        "base",
        "cached",
        "cached",
        "cached",
        "ran",
    ]


@pytest.mark.usefixtures("buildkit_ready")
def test_buildkit_requirements_change_runs_the_install_again(sample_context: Path, built: Builds):
    built(sample_context, builder="buildkit")
    drop_a_requirement(sample_context)
    after = built(sample_context, builder="buildkit")
    assert after.step("COPY requirements.txt").outcome == "ran"
    assert after.step("RUN pip install").outcome == "ran"
    assert after.step("RUN pip install").output


@pytest.mark.usefixtures("buildkit_ready")
def test_buildkit_failing_run_names_the_step(tmp_path: Path, built: Builds):
    (tmp_path / "Dockerfile").write_text(
        f"FROM python:3.11-slim\nRUN echo about to fail {uuid.uuid4().hex} && exit 3\n"
    )
    with pytest.raises(BuildError) as caught:
        built(tmp_path, builder="buildkit")
    assert caught.value.step is not None and caught.value.step.number == 2
    assert "about to fail" in str(caught.value) and "exit code: 3" in str(caught.value)


@pytest.mark.usefixtures("buildkit_ready")
def test_buildkit_cache_mount_builds_and_can_be_emptied(sample_context: Path, built: Builds):
    (sample_context / "Dockerfile").write_text(
        "FROM python:3.11-slim\n"
        "WORKDIR /srv\n"
        "COPY requirements.txt /srv/requirements.txt\n"
        "RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt\n"
        "ADD . /srv\n"
    )
    drop_a_requirement(sample_context)
    result = built(sample_context, builder="buildkit")
    assert result.step("RUN --mount=type=cache").outcome == "ran"
    assert prune_buildkit_cache(cache_mounts_only=True) >= 0


@pytest.mark.usefixtures("buildkit_ready")
def test_buildkit_timeout_stops_the_build(tmp_path: Path, built: Builds):
    (tmp_path / "Dockerfile").write_text(f"FROM python:3.11-slim\nRUN sleep 300 # {uuid.uuid4()}\n")
    with pytest.raises(BuildTimeout):
        built(tmp_path, builder="buildkit", timeout=8)
