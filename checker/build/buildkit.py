"""Build with BuildKit through a docker CLI, parsing its progress output live.

buildx 0.13 and newer print BuildKit's own status updates with ``--progress=rawjson``
(:mod:`.buildkit_rawjson`): vertices with ``cached``, ``started``, ``completed`` and their logs,
so nothing is read from text meant for people. Older clients get ``--progress=plain``
(:mod:`.buildkit_stream`). Both give the same events, so the same step records.

docker-py has no BuildKit, so BuildKit builds go through a command-line client:

* ``docker buildx build --load`` where ``docker buildx version`` works;
* else ``DOCKER_BUILDKIT=1 docker build`` with a client older than 23.0, which has BuildKit built
  in (Debian's engine ships ``/usr/bin/docker`` 20.10). From 23.0 on the client needs the buildx
  plugin for BuildKit and ``DOCKER_BUILDKIT=1`` alone fails.

Candidates are the ``docker`` first on ``PATH`` and ``/usr/bin/docker``. ``DOCKER_HOST`` is passed
through (or set from ``BuildOptions.docker_host``). The image id comes from ``--iidfile``; the
project label is set with ``--label`` (BuildKit adds no step for it).

Limits: BuildKit takes no per-build memory or CPU limits from the CLI (they are the builder's,
set where ``buildkitd`` or the engine runs), so asking for them raises ``ValueError``; what
it does take is ``--cgroup-parent`` (``BuildOptions.cgroup_parent``): a cgroup whose limits then
hold for every ``RUN`` container (see ``checker.verify.sandbox.BuildkitCgroup``). The
wall-clock ``timeout`` works: the CLI is interrupted as with Ctrl-C, which cancels the build on
the engine (its ``RUN`` containers are BuildKit's own and go with the cancelled step).

BuildKit's cache (layers and ``RUN --mount=type=cache`` directories) carries no label: see
:func:`checker.build.cleanup.prune_buildkit_cache`.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..dockerfile import DockerfileSyntaxError, parse_file
from .buildkit_rawjson import BuildKitRawJsonParser
from .buildkit_stream import BuildKitPlainParser
from .context import resolve_dockerfile
from .errors import BuildError, BuildTimeout, NoBuildKitClient
from .events import BuildEvent, BuildFailed
from .labels import PROJECT_LABELS
from .listener import Listener, ignore
from .options import BuildOptions
from .records import (
    BuildResult,
    Recorder,
    in_dockerfile_order,
    with_every_base,
    without_stage_names,
)
from .watchdog import Watchdog

CANDIDATES = ("docker", "/usr/bin/docker")
# Seconds the CLI gets to cancel the build after an interrupt before it is killed.
CANCEL_GRACE = 15.0
_VERSION = re.compile(r"version (?P<major>\d+)\.(?P<minor>\d+)")
# `docker buildx version`: "github.com/docker/buildx v0.13.1 ..." or Debian's "... 0.13.1+ds1 ...".
_BUILDX_VERSION = re.compile(r"buildx v?(?P<major>\d+)\.(?P<minor>\d+)")
# The first buildx with `--progress=rawjson`.
RAWJSON_BUILDX = (0, 13)

HOW_TO_GET_ONE = (
    "no docker client here can build with BuildKit: the buildx plugin is missing "
    "(`docker buildx version` fails) and no client older than 23.0 (which has BuildKit "
    "built in) was found among {candidates}. Install the buildx plugin (Debian: "
    "`apt-get install docker-buildx`; Docker's packages: `docker-buildx-plugin`), or Debian's "
    "`docker.io` package, whose /usr/bin/docker 20.10 builds with DOCKER_BUILDKIT=1."
)


@dataclass(frozen=True)
class BuildKitClient:
    """A docker client that can build with BuildKit, and how to ask it to."""

    path: str
    buildx: bool
    version: str
    buildx_version: tuple[int, int] | None = None

    @property
    def progress(self) -> str:
        """``rawjson`` where buildx has it (0.13 and newer), else ``plain``."""
        rawjson = self.buildx and (self.buildx_version or (0, 0)) >= RAWJSON_BUILDX
        return "rawjson" if rawjson else "plain"

    def parser(self) -> BuildKitRawJsonParser | BuildKitPlainParser:
        """A parser for the progress output this client is asked for."""
        return BuildKitRawJsonParser() if self.progress == "rawjson" else BuildKitPlainParser()

    @property
    def buildx_release(self) -> str:
        """buildx's version as ``0.13``, empty where unknown or without buildx."""
        return ".".join(map(str, self.buildx_version or ()))

    def command(self) -> list[str]:
        return [self.path, "buildx", "build", "--load"] if self.buildx else [self.path, "build"]

    def cache_only(self, options: BuildOptions) -> bool:
        """Does this build go into BuildKit's cache only (``export=False``; buildx alone can)?"""
        return self.buildx and not options.export

    def environment(self, docker_host: str | None = None) -> dict[str, str]:
        env = dict(os.environ)
        env["PROGRESS_NO_TRUNC"] = "1"  # full instructions in step headers, not 72 characters
        if not self.buildx:
            env["DOCKER_BUILDKIT"] = "1"
        if docker_host:
            env["DOCKER_HOST"] = docker_host
        return env


def _run(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, timeout=30, check=False)


def _candidate_paths() -> list[str]:
    seen: dict[str, str] = {}
    for name in CANDIDATES:
        found = shutil.which(name)
        if found and os.path.realpath(found) not in seen:
            seen[os.path.realpath(found)] = found
    return list(seen.values())


@lru_cache(maxsize=1)
def find_buildkit_client() -> BuildKitClient:
    """The first candidate with buildx, else the first client older than 23.0.

    Raises :class:`NoBuildKitClient`, saying how to get one, when there is neither. The answer
    is cached for the process; call ``find_buildkit_client.cache_clear()`` after installing one.
    """
    paths = _candidate_paths()
    legacy: BuildKitClient | None = None
    for path in paths:
        try:
            version_text = _run([path, "--version"]).stdout
        except (OSError, subprocess.SubprocessError):
            continue
        match = _VERSION.search(version_text)
        version = f"{match['major']}.{match['minor']}" if match else "unknown"
        try:
            answer = _run([path, "buildx", "version"])
        except (OSError, subprocess.SubprocessError):
            answer = None
        if answer is not None and answer.returncode == 0:
            found = _BUILDX_VERSION.search(answer.stdout)
            buildx = (int(found["major"]), int(found["minor"])) if found else None
            return BuildKitClient(path, buildx=True, version=version, buildx_version=buildx)
        if legacy is None and match and int(match["major"]) < 23:
            legacy = BuildKitClient(path, buildx=False, version=version)
    if legacy is not None:
        return legacy
    raise NoBuildKitClient(HOW_TO_GET_ONE.format(candidates=", ".join(paths) or CANDIDATES))


def _kill_if_running(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.kill()


def buildkit_command(
    client: BuildKitClient, context_dir: Path, options: BuildOptions, iidfile: Path
) -> list[str]:
    """The CLI arguments for one build (no shell: every value is its own argument)."""
    _, dockerfile = resolve_dockerfile(context_dir, options.dockerfile)
    command = client.command()
    if client.cache_only(options):  # no image to load
        command = [*(word for word in command if word != "--load"), "--output", "type=cacheonly"]
    args = [*command, f"--progress={client.progress}", "--iidfile", str(iidfile)]
    args += ["--file", str(dockerfile)]
    for key, value in PROJECT_LABELS.items():
        args += ["--label", f"{key}={value}"]
    if options.no_cache:
        args.append("--no-cache")
    for key, value in options.buildargs.items():
        args += ["--build-arg", f"{key}={value}"]
    if options.target:
        args += ["--target", options.target]
    if options.tag:
        args += ["--tag", options.tag]
    if options.network_mode:
        args += ["--network", options.network_mode]
    if options.cgroup_parent:
        args += ["--cgroup-parent", options.cgroup_parent]
    args.append(str(context_dir))
    return args


def run_streaming(
    args: list[str], env: dict[str, str], timeout: float | None, on_line: Callable[[str], None]
) -> tuple[int, bool]:
    """Run a command, handing each output line (stdout and stderr) over as it is printed.

    Past ``timeout`` the command is interrupted as with Ctrl-C (the docker CLI then cancels the
    build) and killed if it has not ended ``CANCEL_GRACE`` seconds later. Returns the exit code
    and whether the timeout was hit.
    """
    process = subprocess.Popen(
        args,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
        errors="replace",
        bufsize=1,
        env=env,
    )

    def stop() -> None:
        process.send_signal(signal.SIGINT)
        killer = threading.Timer(CANCEL_GRACE, _kill_if_running, (process,))
        killer.daemon = True
        killer.start()

    try:
        with Watchdog(timeout, stop) as watchdog:
            assert process.stdout is not None
            for line in process.stdout:
                on_line(line)
            try:
                exit_code = process.wait(timeout=CANCEL_GRACE)
            except subprocess.TimeoutExpired:
                process.kill()
                exit_code = process.wait()
    finally:
        _kill_if_running(process)
        process.wait()
    return exit_code, watchdog.expired


def build_buildkit(
    context_dir: str | os.PathLike[str],
    options: BuildOptions | None = None,
    listener: Listener = ignore,
    client: BuildKitClient | None = None,
) -> BuildResult:
    """Build ``context_dir`` with BuildKit; raise :class:`BuildError` on failure."""
    options = options or BuildOptions()
    if options.container_limits():
        raise ValueError(
            "BuildKit takes no memory/CPU limits per build; use the classic builder "
            "(builder='classic') for limited builds of untrusted Dockerfiles"
        )
    cli = client or find_buildkit_client()
    context = Path(context_dir).resolve()
    parser = cli.parser()
    recorder = Recorder()

    def handle(event: BuildEvent) -> None:
        listener(event, recorder.handle(event))

    def on_line(line: str) -> None:
        for event in parser.feed_line(line):
            handle(event)

    with tempfile.TemporaryDirectory(prefix="checker-build-") as scratch:
        iidfile = Path(scratch) / "iid"
        args = buildkit_command(cli, context, options, iidfile)
        exit_code, expired = run_streaming(
            args, cli.environment(options.docker_host), options.timeout, on_line
        )
        for event in parser.close(exit_code):
            handle(event)
        image_id = iidfile.read_text().strip() if iidfile.is_file() else ""
    if expired:
        running = recorder.running_step
        reason = f"stopped after the {options.timeout:g} s limit"
        handle(BuildFailed(reason, running.key if running else None))
    if image_id and exit_code == 0:
        recorder.image_id = image_id
    result = recorder.finish("buildkit")
    result.exported = not cli.cache_only(options)
    names, image_stages = _stages(context, options)
    if len(names) > 1:
        result.steps = with_every_base(result.steps, image_stages)
    elif len(names) == 1:
        result.steps = without_stage_names(result.steps)
    result.steps = in_dockerfile_order(result.steps, names)
    if options.tag and exit_code == 0:
        result.tags.append(options.tag)
    if expired:
        result.error = f"stopped after the {options.timeout:g} s limit"
        raise BuildTimeout(result.error, result, recorder.failed_step)
    if not result.succeeded:
        raise BuildError(result.error or "no image was built", result, recorder.failed_step)
    return result


def _stages(context: Path, options: BuildOptions) -> tuple[list[str], list[str]]:
    """Every stage's name as BuildKit prints it (the ``AS`` name, else ``stage-N``), and the
    names of the stages that start from an image rather than from an earlier stage."""
    try:
        parsed = parse_file(resolve_dockerfile(context, options.dockerfile)[1])
    except (OSError, DockerfileSyntaxError):
        return [], []
    names = [stage.name or f"stage-{stage.index}" for stage in parsed.stages]
    earlier: set[str] = set()
    image_stages = []
    for stage, name in zip(parsed.stages, names, strict=True):
        if stage.base.lower() not in earlier and stage.base.lower() != "scratch":
            image_stages.append(name)
        earlier.update({name, str(stage.index)})
    return names, image_stages
