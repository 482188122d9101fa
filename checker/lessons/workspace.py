"""An experiment workspace: a temporary copy of a project to change, build, run and compare.

Why a copy: lessons edit files to make the cache miss, and the repository (and the next
lesson) must never see those edits. Why it tracks images: a lesson must leave the engine as it
found it, so every image a workspace builds is removed when it closes, and the containers it
runs carry the project label and are removed at once. Why it also forgets BuildKit's records
of its steps when it closes: BuildKit's cache outlives the images, so the second run of a
lesson would find the layers the first run made for the very same edits and show ``cached``
where the lesson (and a learner's first run) shows ``ran``. Why the first build is cold: the engine
may hold cache from an earlier run or lesson, and a table that says ``cached`` on the second
run of a notebook but ``ran`` on the first would teach the wrong thing (and fail nbval).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import textwrap
import weakref
from pathlib import Path
from typing import Any

from checker.build import (
    BuildResult,
    build,
    compare,
    engine_time,
    forget_buildkit_steps,
    remove_image,
)
from checker.build.compare import Comparison
from checker.build.labels import PROJECT_LABELS
from checker.build.options import BuilderName
from checker.runtime.paths import REPO_ROOT

from .charts import chart
from .transcript import Transcript, cli_build

# Where named project variants live besides the repository root (``Workspace("anti_pattern")``).
VARIANTS = REPO_ROOT / "notebooks" / "projects"


def project_source(project: str | os.PathLike[str]) -> Path:
    """The folder a workspace copies: a path, a folder of the repo, or a variant's name."""
    given = Path(project)
    for candidate in (given, REPO_ROOT / given, VARIANTS / given):
        if candidate.is_dir():
            return candidate.resolve()
    raise FileNotFoundError(f"no project folder {project!r} (looked in ., {REPO_ROOT}, {VARIANTS})")


def _release(images: list[str], root: str, since: list[str]) -> None:
    """Remove the images, the BuildKit steps built ``since`` and the folder (also at exit)."""
    for image_id in reversed(images):
        with contextlib.suppress(Exception):
            remove_image(image_id)
    images.clear()
    if since:
        with contextlib.suppress(Exception):
            forget_buildkit_steps(since[0])
        since.clear()
    shutil.rmtree(root, ignore_errors=True)


class Workspace:
    """A private copy of ``project`` with builds, runs and comparisons in one or two calls.

    ``builder`` is the default builder of :meth:`build`: BuildKit, as in a learner's ``docker
    build`` (lessons ask for the classic builder only to read its output or to set it beside
    BuildKit); ``output_lines`` how many of each step's output lines the live view shows (0:
    pip's lines, with their download speeds, stay in the build's record only). With
    ``forget=False`` closing leaves BuildKit's records of the steps in place, for experiments
    whose every change is new (a fresh token), which a cache from an earlier run cannot hold.
    """

    def __init__(
        self,
        project: str | os.PathLike[str] = "sample_project",
        *,
        builder: BuilderName = "buildkit",
        output_lines: int = 0,
        forget: bool = True,
    ) -> None:
        source = project_source(project)
        self._root = tempfile.mkdtemp(prefix="lesson-")
        self.path = Path(self._root) / source.name
        shutil.copytree(source, self.path, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        self.builder: BuilderName = builder
        self.output_lines = output_lines
        self.results: dict[str, BuildResult] = {}
        self._images: list[str] = []
        self._cold_done: set[str] = set()
        self._forget = forget
        # The engine's time before the first BuildKit build (steps made since are forgotten).
        self._since: list[str] = []
        self._finalizer = weakref.finalize(self, _release, self._images, self._root, self._since)

    # -- files --------------------------------------------------------------------------------

    def file(self, name: str) -> Path:
        """The path of ``name`` inside the workspace (it must stay inside)."""
        path = (self.path / name).resolve()
        if self.path.resolve() not in (path, *path.parents):
            raise ValueError(f"{name!r} is outside the workspace")
        return path

    def files(self) -> list[str]:
        """Every file, relative and sorted (what a ``COPY . .`` would see before .dockerignore)."""
        found = (path for path in self.path.rglob("*") if path.is_file())
        return sorted(path.relative_to(self.path).as_posix() for path in found)

    def read(self, name: str) -> str:
        return self.file(name).read_text()

    def show(self, name: str = "Dockerfile") -> None:
        """Print a file, under its name."""
        print(f"--- {name}")
        print(self.read(name), end="")

    def write(self, name: str, text: str) -> Path:
        """Write ``text`` to ``name`` (created with its folders if missing)."""
        path = self.file(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return path

    def dockerfile(self, text: str, name: str = "Dockerfile") -> Path:
        """Write a Dockerfile (indentation of a triple-quoted string is removed)."""
        return self.write(name, textwrap.dedent(text).lstrip("\n"))

    def append(self, name: str, text: str) -> Path:
        path = self.file(name)
        with path.open("a") as handle:
            handle.write(text)
        return path

    def replace(self, name: str, old: str, new: str) -> Path:
        """Replace text in a file; fails loudly when ``old`` is not there."""
        text = self.read(name)
        if old not in text:
            raise ValueError(f"{old!r} is not in {name}")
        return self.write(name, text.replace(old, new))

    def touch(self, name: str) -> Path:
        """Give a file a new modification time without changing its content."""
        path = self.file(name)
        stat = path.stat()
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 60 * 10**9))
        return path

    def chmod(self, name: str, mode: int) -> Path:
        """Change a file's permission bits (``0o755``) without changing its content."""
        path = self.file(name)
        path.chmod(mode)
        return path

    def remove(self, name: str) -> None:
        path = self.file(name)
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()

    def git_commit(self, message: str = "work") -> None:
        """Commit everything in a git repository in the workspace (created on first use)."""
        env = {
            **os.environ,
            "GIT_AUTHOR_NAME": "Learner",
            "GIT_AUTHOR_EMAIL": "learner@example.invalid",
            "GIT_COMMITTER_NAME": "Learner",
            "GIT_COMMITTER_EMAIL": "learner@example.invalid",
        }
        commands = [["add", "-A"], ["commit", "-q", "--allow-empty", "-m", message]]
        if not (self.path / ".git").is_dir():
            commands.insert(0, ["init", "-q"])
        for args in commands:
            subprocess.run(["git", *args], cwd=self.path, env=env, check=True, capture_output=True)

    # -- builds -------------------------------------------------------------------------------

    def build(
        self,
        label: str | None = None,
        *,
        builder: BuilderName | None = None,
        cold: bool | None = None,
        live: bool = True,
        table: bool = True,
        **options: Any,
    ) -> BuildResult:
        """Build the workspace and remember the result under ``label``.

        ``cold=None`` makes the first build with each builder cold (``no_cache``), so it runs
        every step whatever an earlier lesson left in the cache; later builds use the cache.
        Other keyword arguments go to :func:`checker.build.build`.
        """
        chosen: BuilderName = builder or self.builder
        if cold is None:
            cold = chosen not in self._cold_done
        label = label or f"build {len(self.results) + 1}"
        options.setdefault("output_lines", self.output_lines)
        if chosen == "buildkit" and self._forget and not self._since:
            self._since.append(engine_time())
        try:
            result = build(
                self.path,
                builder=chosen,
                no_cache=cold,
                live=live,
                table=table,
                title=label,
                **options,
            )
        finally:
            self._cold_done.add(chosen)
        self._keep(result.image_id)
        self.results[label] = result
        return result

    def transcript(
        self, builder: BuilderName | None = None, *, cold: bool = False, full: bool = False
    ) -> None:
        """Build through the docker CLI and print what the builder itself says.

        Only the lines about steps are printed unless ``full``; the whole text is kept in
        ``last_transcript``. Nothing is returned, so a notebook shows the text only once.
        """
        chosen: BuilderName = builder or self.builder
        if chosen == "buildkit" and self._forget and not self._since:
            self._since.append(engine_time())
        transcript = cli_build(self.path, chosen, no_cache=cold)
        self._keep(transcript.image_id)
        self.last_transcript: Transcript | None = transcript
        print(transcript.text if full else transcript.steps_only())
        if transcript.exit_code != 0:
            raise RuntimeError(f"the {chosen} build failed:\n{transcript.text[-3000:]}")

    def _keep(self, image_id: str | None) -> None:
        if image_id and image_id not in self._images:
            self._images.append(image_id)

    def last(self) -> BuildResult:
        if not self.results:
            raise RuntimeError("nothing was built in this workspace yet")
        return list(self.results.values())[-1]

    # -- running ------------------------------------------------------------------------------

    def run(
        self,
        result: BuildResult | str | None = None,
        command: list[str] | None = None,
        *,
        quiet: bool = False,
    ) -> str | None:
        """Run an image (default: the last build's) once and print what it printed.

        With ``quiet`` the output is returned instead of printed (a notebook would otherwise
        show it twice, as the cell's value). The container carries the project label and is
        removed afterwards, whatever happens.
        """
        import docker

        if isinstance(result, str):
            result = self.results[result]
        image_id = (result or self.last()).image_id
        if image_id is None:
            raise RuntimeError("that build made no image")
        client = docker.from_env()
        container = client.containers.run(
            image_id, command, labels=dict(PROJECT_LABELS), detach=True
        )
        try:
            container.wait(timeout=120)
            output = container.logs(stdout=True, stderr=True).decode(errors="replace")
        finally:
            with contextlib.suppress(Exception):
                container.remove(force=True)
            client.close()
        if quiet:
            return output
        print(output, end="" if output.endswith("\n") else "\n")
        return None

    # -- comparing ----------------------------------------------------------------------------

    def compare(self, *labels: str) -> Comparison:
        """A side-by-side table of builds by label (default: all, in build order)."""
        chosen = list(labels) or list(self.results)
        return compare([self.results[label] for label in chosen], chosen)

    def chart(self, *labels: str) -> Any:
        """Step seconds for builds by label (default: all): one panel per build, cached marked."""
        chosen = list(labels) or list(self.results)
        return chart([self.results[label] for label in chosen], chosen)

    def grade(self, dockerfile: str = "Dockerfile") -> Any:
        """The checker's report on this workspace's Dockerfile, with the workspace as context."""
        from checker.grading.grade import grade

        # The text, not the path: the report names its file, and the temporary path differs
        # from run to run.
        return grade(self.read(dockerfile), context=self.path)

    # -- clean-up -----------------------------------------------------------------------------

    @property
    def images(self) -> list[str]:
        """Ids of the images this workspace built and has not removed yet."""
        return list(self._images)

    @property
    def closed(self) -> bool:
        return not self._finalizer.alive

    def close(self) -> None:
        """Remove this workspace's images, BuildKit's records of its steps and its folder.

        Safe to call twice. The records are those made since the workspace's first BuildKit
        build, by any build on the engine (see :func:`checker.build.forget_buildkit_steps`).
        A cold build re-makes the record of every step it shares with another workspace (same
        files, same instruction on the same parent), so two workspaces open side by side should
        not share steps: closing one would cost the other its cache of them.
        """
        self._finalizer()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self.closed else f"{len(self._images)} image(s)"
        return f"<Workspace {self.path.name} ({state})>"
