"""Lesson 10's harness: builds with cache import/export flags, on the engine or a cold runner.

Why not :meth:`Workspace.build`: the CI lesson needs the flags a CI job passes to
``docker buildx build`` (``--cache-from``, ``--cache-to``, ``--secret``, ``--no-cache-filter``,
``--pull``) and a second engine that starts empty (:class:`checker.lessons.ci_runner.Runner`).
Each build prints one short table (the steps and whether each was cached or ran) and a line of
seconds, so a stored output shows each build once.

Why a fresh token: BuildKit's cache outlives images and is shared by every lesson. Each
:class:`CiProject` writes a fresh token into its ``requirements.txt`` comment, so the first
build of its dependency install is cold on any engine, and its registry references carry the
token, so no run imports another run's cache.
"""

from __future__ import annotations

import dataclasses
import subprocess
import textwrap
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from checker.build import BuildError, BuildResult
from checker.build.buildkit import BuildKitClient, build_buildkit
from checker.build.options import BuildOptions
from checker.dockerfile import parse_file
from checker.dockerfile.model import Dockerfile
from checker.lessons.exercise_proof import line_of
from checker.lessons.workspace import Workspace

if TYPE_CHECKING:
    from checker.lessons.ci_runner import Runner

REGISTRY = "127.0.0.1:5741"


def require_registry(registry: str = REGISTRY) -> str:
    """The registry's address, or an error that says how to get one."""
    try:
        with urllib.request.urlopen(f"http://{registry}/v2/", timeout=3) as answer:
            answer.read()
    except OSError as error:
        raise RuntimeError(
            f"no registry answers at http://{registry}/v2/ ({error}). `python -m checker env "
            "up` starts one; by hand: `apt-get install docker-registry`, then `docker-registry "
            "serve CONFIG.yml` with `http: {addr: 127.0.0.1:5741}` and a storage folder"
        ) from None
    return registry


@dataclass(frozen=True)
class _Client(BuildKitClient):
    """The docker CLI with extra ``buildx build`` arguments.

    Made from the client found with every field (buildx's version included): with
    ``--progress=plain`` a step taken from an imported cache prints its layer's download and
    ``DONE``, not ``CACHED``, so only ``rawjson`` tells it was a cache hit."""

    extra: tuple[str, ...] = field(default=())

    def command(self) -> list[str]:
        return [*super().command(), *self.extra]

    @classmethod
    def adding(cls, found: BuildKitClient, args: tuple[str, ...]) -> _Client:
        """``found`` (every field of it) with ``args`` added to its command."""
        return cls(**dataclasses.asdict(found), extra=args)


class CiProject(Workspace):
    """A temporary copy of ``projects/ci`` whose dependency install no cache holds yet."""

    def __init__(self, project: str = "ci") -> None:
        super().__init__(project, builder="buildkit")
        self.token = ""
        self._tags: list[str] = []
        self.fresh()

    def fresh(self) -> None:
        """A new token in ``requirements.txt``: its install is cold again, on every engine."""
        old = f"# run {self.token}\n"
        self.token = uuid.uuid4().hex[:12]
        text = self.read("requirements.txt")
        text = text.replace(old, "") if old in text else text
        self.write("requirements.txt", text + f"# run {self.token}\n")

    def next_commit(self) -> None:
        """The next push: ``app.py`` changes and the requirements do not, as between two CI
        jobs. (It also keeps the last step's outcome certain: BuildKit sometimes reruns the
        final step of a build it imported from a registry, even with nothing changed.)"""
        self.append("app.py", f"# commit after run {self.token}\n")

    def scratch(self, name: str) -> Path:
        """A folder for this run's files (a local cache, a secret), deleted by :meth:`close`."""
        folder = self.path.parent / name
        folder.mkdir(exist_ok=True)
        return folder

    def index_secret(self, token: str) -> tuple[str, str]:
        """``--secret`` arguments for a file holding the package index's address with ``token``
        as its password, as a private index's would (deleted by :meth:`close`).

        The workshop's own index accepts any user and token; PyPI is left as it is (a learner
        with internet builds from it, and it has no use for a password).
        """
        from checker.lessons.local_index import base_env

        index = base_env().get("PIP_INDEX_URL", "https://pypi.org/simple/")
        if "pypi.org" not in index:
            index = index.replace("://", f"://ci:{token}@", 1)
        secret = self.scratch("secret") / "index_url"
        secret.write_text(index)
        return ("--secret", f"id=index_url,src={secret}")

    def close(self) -> None:
        """Remove the tags pushed from here, the images built here and the temporary copy."""
        for tag in self._tags:
            subprocess.run(["docker", "rmi", tag], capture_output=True)
        self._tags.clear()
        super().close()

    def ref(self, name: str) -> str:
        """A registry reference of this run: ``127.0.0.1:5741/lessons/<name>:<token>``."""
        return f"{REGISTRY}/lessons/{name}:{self.token}"

    def ci_build(
        self,
        label: str,
        *args: str,
        runner: Runner | None = None,
        dockerfile: str = "Dockerfile",
        show: bool = True,
        fresh: bool = True,
    ) -> BuildResult:
        """``docker buildx build ARGS`` of this project, on the engine or on ``runner``.

        A build on ``runner`` starts on an empty runner (:meth:`Runner.reset`), as each job of
        an ephemeral CI runner does; ``fresh=False`` keeps what its last build left, as a
        long-lived runner does. Builds on the learner's engine see whatever its cache holds,
        which is why the lesson's cold builds run on the runner."""
        from checker.build import find_buildkit_client

        client = _Client.adding(find_buildkit_client(), args)
        host = runner.host if runner is not None else None
        if runner is not None and fresh:
            runner.reset()
        options = BuildOptions(dockerfile=self.file(dockerfile), docker_host=host)
        try:
            result = build_buildkit(self.path, options, client=client)
        except BuildError as error:
            if show:
                print(f"{label}: the build failed: {str(error).splitlines()[0][:200]}")
            raise
        if runner is None:
            self._keep(result.image_id)
            self._tags += [args[i + 1] for i, arg in enumerate(args[:-1]) if arg == "--tag"]
        self.results[label] = result
        if show:
            where = "this engine"
            if runner is not None:
                where = "a fresh CI runner" if fresh else "the runner, as its last job left it"
            print(summary(label, result, where, parse_file(self.file(dockerfile))))
        return result

    def output(self, label: str, step: str) -> list[str]:
        """The output lines of the first step of build ``label`` whose text holds ``step``."""
        for record in self.results[label].learner_steps:
            if step in record.instruction:
                return record.output
        raise KeyError(step)


def summary(label: str, result: BuildResult, where: str, dockerfile: Dockerfile) -> str:
    """The short text of one build: each step's outcome, in the Dockerfile's order (BuildKit's
    own order varies between runs of a multi-stage build), then the seconds."""
    lines = [f"{label} (on {where}):"]
    steps = [step for step in result.learner_steps if step.outcome != "base"]
    for step in sorted(steps, key=lambda step: (line_of(dockerfile, step), step.stage or "")):
        stage = f"[{step.stage}] " if step.stage else ""
        text = textwrap.shorten(f"{stage}{step.instruction}", 92, placeholder=" ...")
        lines.append(f"  {step.outcome:<6}  {text}")
    ran = sum(step.outcome == "ran" for step in result.learner_steps)
    lines.append(f"  {ran} step{'' if ran == 1 else 's'} ran, {result.seconds:.2f} s in total")
    return "\n".join(lines)


def registry_tags(repository: str, registry: str = REGISTRY) -> list[str]:
    """The tags the registry holds for ``lessons/<repository>``."""
    import json

    url = f"http://{registry}/v2/lessons/{repository}/tags/list"
    with urllib.request.urlopen(url, timeout=5) as answer:
        return sorted(json.loads(answer.read()).get("tags") or [])


def cache_layers(ref: str) -> int:
    """How many layers a cache manifest in the registry lists (``docker buildx imagetools``)."""
    import json

    shown = subprocess.run(
        ["docker", "buildx", "imagetools", "inspect", "--raw", ref],
        capture_output=True,
        text=True,
        check=True,
    )
    manifest = json.loads(shown.stdout)
    # A registry cache is an index of layer blobs plus one cache-config blob.
    items = manifest.get("layers") or manifest.get("manifests") or []
    return sum(1 for item in items if "cacheconfig" not in item.get("mediaType", ""))


def pip_downloads(lines: list[str]) -> tuple[int, int]:
    """How many wheels pip downloaded and how many it took from its cache, in these lines."""
    downloaded = sum(1 for line in lines if "Downloading" in line and ".whl" in line)
    reused = sum(1 for line in lines if "Using cached" in line and ".whl" in line)
    return downloaded, reused
