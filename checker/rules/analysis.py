"""Everything the rules share about one Dockerfile, computed once per grade.

The central fact is :attr:`Analysis.app_prediction`: the cache model's answer to "a file of
application code changed: which steps rebuild?". Rules ask it, and the helpers here, rather
than matching instruction text themselves.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from fnmatch import fnmatchcase
from functools import cached_property
from typing import TYPE_CHECKING

from checker.cache import (
    REBUILT,
    ContextFiles,
    Prediction,
    built_stages,
    context_sources,
    jail,
    normalize,
    predict,
    source_matches,
    stage_index,
)
from checker.dockerfile.model import Dockerfile, Instruction
from checker.dockerfile.variables import environment_at
from checker.grading.findings import KEPT, NO_INSTALL, REINSTALLED, REINSTALLED_WITH_CACHE
from checker.rules.environments import (
    WHEELS,
    Environment,
    base_image,
    carried,
    chain_before,
    install_environment,
    lineage,
    points_at,
    same_place,
)
from checker.rules.requirement_files import (
    is_requirement_file,
    local_projects,
    nested_requirements,
)
from checker.shell.hidden_installs import (
    ScriptRun,
    assumed_install,
    installs_in_script,
    named_like_an_install,
    script_runs,
)
from checker.shell.installs import DependencyInstall, installs_in
from checker.shell.manifests import is_manifest, is_manifest_folder
from checker.shell.mounts import bind_sources as context_bind_sources
from checker.shell.mounts import mounts
from checker.shell.sources import run_commands
from checker.shell.wrappers import program

if TYPE_CHECKING:  # the fix planner loads when a fix is planned
    from checker.rules.edits import FixPlan

_GLOB = re.compile(r"[*?\[]")
_CLASS = re.compile(r"\[[^\]]*\]")
SYNTHETIC_APP = "app.py"
_MAX_SYNTHETIC = 64  # made-up application files: enough for any real Dockerfile


@dataclass(frozen=True)
class InstallStep:
    """A RUN step that installs Python dependencies."""

    instruction: Instruction
    installs: tuple[DependencyInstall, ...]

    @property
    def manifests(self) -> tuple[str, ...]:
        return tuple(path for install in self.installs for path in install.manifests)

    @property
    def installs_project(self) -> bool:
        return any(install.installs_project and not install.no_deps for install in self.installs)

    @property
    def assumed(self) -> bool:
        """An install hidden in a script the checker could not read (no context)."""
        return any(install.action == "assumed" for install in self.installs)

    @property
    def project_only(self) -> bool:
        """Adds only the project, never a dependency: ``pip install --no-deps .``. A
        ``--no-deps -r FILE`` (or ``--no-deps NAME``) still installs what FILE lists."""
        return all(
            install.no_deps and not install.requirement_files and not install.named_packages
            for install in self.installs
        )

    @property
    def isolated(self) -> bool:
        """Installs the project into an environment of its own that no earlier install
        reaches (``pipx install .``, ``uv tool install .``, ``hatch env create``)."""
        return all(
            (install.tool, install.action) in ISOLATED_INSTALLS
            for install in self.installs
            if install.installs_project
        )

    @property
    def tools_only(self) -> bool:
        """Installs only packaging tools by name (``pip install --upgrade pip``,
        ``pip install poetry``), none of the project's dependencies."""
        return all(
            not install.manifests
            and not install.installs_project
            and install.named_packages
            and all(_package_name(spec) in INSTALLER_TOOLS for spec in install.named_packages)
            for install in self.installs
        )

    @property
    def dependency_only(self) -> bool:
        """Installs dependencies from manifests or names, not the project itself."""
        return not self.installs_project and any(
            install.manifests or install.named_packages for install in self.installs
        )

    @property
    def has_cache_mount(self) -> bool:
        """A ``--mount=type=cache`` where the package manager really keeps its downloads
        (its cache directory for the RUN's user, HOME and ``*_CACHE_DIR``), in use."""
        return any(
            install.cache_mounted and install.keeps_download_cache for install in self.installs
        )


# Installs that make a venv of their own for the project: an earlier install never holds
# its dependencies.
ISOLATED_INSTALLS = frozenset(
    (("pipx", "install"), ("uv", "tool install"), ("hatch", "env create"))
)
# Packaging tools: an install of these alone installs no dependency of the project.
INSTALLER_TOOLS = frozenset(
    ("pip", "setuptools", "wheel", "poetry", "uv", "pipenv", "pdm", "hatch", "hatchling",
     "pip-tools", "virtualenv", "build", "pixi", "poetry-plugin-export", "flit")
)  # fmt: skip


def _package_name(spec: str) -> str:
    """``poetry==1.8.3`` -> ``poetry``; ``pip>=24`` -> ``pip``."""
    return re.split(r"[\[<>=!~;@ ]", spec, maxsplit=1)[0].strip().lower().replace("_", "-")


# Folders that hold what the build needs rather than the code a developer edits daily: an
# overlay for the image's root, prebuilt wheels, Docker and CI files, scripts, settings.
BUILD_INPUT_FOLDERS = frozenset(
    ("rootfs", "root", "overlay", "wheels", "wheelhouse", "dist", "docker", ".docker",
     "dockerfiles", "deploy", "deployment", "ci", ".ci", "scripts", "bin", "config", "conf",
     "etc", "patches", "certs", "nginx", "supervisor", "s6", "files", "hack", "build-scripts")
)  # fmt: skip
# A package's files that a build backend reads for its version, copied with the manifests.
PACKAGE_METADATA = frozenset(
    ("__init__.py", "_version.py", "version.py", "__about__.py", "__version__.py", "_about.py")
)
# A Python file a RUN executes is a build tool only when its name says so (install_deps.py,
# tools/pip_install.py); ``python manage.py collectstatic`` runs application code.
INSTALL_LIKE = re.compile(r"install|deps|depend|requirement|bootstrap|venv|pip|setup|build")
_SCRIPT_RUNNERS = frozenset(("sh", "bash", "dash", "python", "python3", "perl", "ruby", "make"))


def read_context_file(context: ContextFiles, path: str) -> str | None:
    """A script of the context, read through the jail (no link out of the context, regular
    files only, size-capped); None where it is not there or not readable."""
    if context.root is None or not path:
        return None
    try:
        return jail.read_bytes(context.root, path).decode("utf-8", errors="replace")
    except jail.Unreadable:
        return None


def reads_context(instruction: Instruction) -> bool:
    """Does the step copy or bind files from the build context?"""
    return context_sources(instruction) is not None or bool(context_bind_sources(instruction))


def is_manifest_source(source: str) -> bool:
    """A COPY source or bind source that names only dependency files (``requirements/*``
    too: what a folder of requirement files holds)."""
    path = normalize(source)
    if path.endswith("/*"):
        path = path[:-2]
    return bool(path) and (is_manifest(path) or is_manifest_folder(path))


def landed_name(copy: Instruction) -> str:
    """The file name a COPY of one named file gives it in the image (its own, or the
    destination's when that is not a folder); empty for a pattern or a folder."""
    source, destination = copy.resolved_arguments[0], copy.resolved_arguments[-1]
    name = posixpath.basename(normalize(source))
    if not name or _GLOB.search(source) or "." not in name or source.endswith("/"):
        return ""
    if destination.endswith("/") or destination in (".", "./"):
        return name
    return posixpath.basename(destination)


class Analysis:
    """One Dockerfile with its context, its install steps and the app-change prediction."""

    def __init__(
        self,
        dockerfile: Dockerfile,
        text: str,
        context: ContextFiles | None,
        builder: str = "buildkit",
        notes: list[tuple[int, str]] | None = None,
    ) -> None:
        self.dockerfile = dockerfile
        # (line, message): what the grade assumed about build arguments without a value.
        self.argument_notes = list(notes or [])
        self.builder = builder
        self.text = text
        self.lines = text.splitlines()
        self.context = context
        self.built = built_stages(dockerfile, builder)
        self._lineage_sets: dict[int, frozenset[int]] = {}
        self._supplies: dict[int, tuple[InstallStep, list[Supply]]] = {}
        # Keyed by id(prediction); the prediction is kept alongside so the id stays unique.
        self._first_rebuilt: dict[int, tuple[Prediction, dict[int, Instruction | None]]] = {}
        # Install RUN -> its fix (checker.rules.reinstall_fixes.plan_fix), planned once.
        self.fix_plans: dict[int, FixPlan | None] = {}
        # RUN line -> (script as the RUN names it, whether its text was read): installs
        # hidden in a script, for LC008's message.
        self.hidden_scripts: dict[int, list[tuple[str, bool]]] = {}
        self.install_steps: tuple[InstallStep, ...] = tuple(
            InstallStep(instruction, installs)
            for stage in dockerfile.stages
            if stage.index in self.built
            for instruction in stage.instructions
            if instruction.trigger is None  # an ONBUILD runs only in images built FROM this
            for installs in (
                self._with_built_project(
                    self._with_nested(
                        installs_in(dockerfile, instruction) or self._hidden_installs(instruction),
                        instruction,
                    ),
                    instruction,
                ),
            )
            if installs
        )

    def _hidden_installs(self, instruction: Instruction) -> tuple[DependencyInstall, ...]:
        """Installs a RUN runs through a script: read from the context where the script is
        there, else assumed from the script's name (see ``checker.shell.hidden_installs``)."""
        if instruction.keyword != "RUN":
            return ()
        found: list[DependencyInstall] = []
        for script in script_runs(instruction):
            text = self._script_text(instruction, script)
            if text is not None:
                env = environment_at(self.dockerfile, instruction)
                installs = installs_in_script(script, text, env)
                if installs:
                    self.hidden_scripts.setdefault(instruction.line, []).append(
                        (script.script, True)
                    )
                found.extend(installs)
            elif named_like_an_install(script):
                self.hidden_scripts.setdefault(instruction.line, []).append((script.script, False))
                found.append(assumed_install(script))
        return tuple(found)

    def _script_text(self, instruction: Instruction, script: ScriptRun) -> str | None:
        """The text of the script a RUN runs, read from the context file a COPY put there."""
        context = self.context
        if context is None or context.root is None:
            return None
        workdir = self.dockerfile.workdir_before(instruction)
        where = posixpath.join(workdir, script.cwd or "", script.script)
        for path in self._context_paths(instruction, posixpath.normpath(where)):
            text = read_context_file(context, path)
            if text is not None:
                return text
        return None

    def _context_paths(self, instruction: Instruction, absolute: str) -> list[str]:
        """Context paths that COPY/ADD steps before ``instruction`` put at ``absolute``."""
        found = []
        for item in self.chain_before(instruction):
            sources = context_sources(item)
            if not sources:
                continue
            workdir = self.dockerfile.workdir_before(item)
            destination = posixpath.normpath(posixpath.join(workdir, item.resolved_arguments[-1]))
            for source in sources:
                path = normalize(source)
                if absolute == destination or absolute == posixpath.join(
                    destination, posixpath.basename(path)
                ):
                    found.append(path if path else posixpath.basename(absolute))
                if absolute.startswith(destination.rstrip("/") + "/"):
                    rest = absolute[len(destination.rstrip("/")) + 1 :]
                    found.append(posixpath.join(path, rest) if path else rest)
        return list(reversed(found))

    def copied_before(self, instruction: Instruction, absolute: str) -> bool:
        """May a COPY/ADD from the context before ``instruction`` have put a file at the
        image path ``absolute``? (With a context, only what the context holds counts.)"""
        from checker.rules.run_parts import copied_by

        return any(
            copied_by(self, item, assume_inside=True)(absolute) is not None
            for item in self.chain_before(instruction)
            if context_sources(item)
        )

    def _with_nested(
        self, installs: tuple[DependencyInstall, ...], instruction: Instruction
    ) -> tuple[DependencyInstall, ...]:
        """With a context: add the requirement files the install's files include, and the
        local projects they list (``-e .``)."""
        context = self.context
        if context is None or context.root is None or not installs:
            return installs
        if not any(is_requirement_file(path) for item in installs for path in item.manifests):
            return installs
        workdir = self.dockerfile.workdir_before(instruction)
        found = []
        for install in installs:
            nested = nested_requirements(context, install.manifests, workdir)
            if nested:
                install = replace(install, manifest_files=(*install.manifests, *nested))
            projects = local_projects(context, install.manifests, workdir)
            if projects and not install.installs_project:
                # `-e .` in requirements.txt: the install needs the project's source
                reads = (*install.reads, *projects)
                install = replace(install, reads=reads, installs_project=True)
            found.append(install)
        return tuple(found)

    def _with_built_project(
        self, installs: tuple[DependencyInstall, ...], instruction: Instruction
    ) -> tuple[DependencyInstall, ...]:
        """An install of ``dist/*.whl`` that an earlier RUN of its chain built from the
        project (``hatch build``, ``python -m build``, ``poetry build``) installs the
        project, with every dependency its wheel names."""
        if not any(_built_archive(install) for install in installs):
            return installs
        chain = self.chain_before(instruction)
        if not any(item.keyword == "RUN" and _builds_project_archive(item) for item in chain):
            return installs
        return tuple(
            replace(install, installs_project=True) if _built_archive(install) else install
            for install in installs
        )

    # ---- the application change ------------------------------------------------------

    def is_build_input(self, instruction: Instruction, source: str) -> bool:
        """A context source the build needs, not application code (see
        :meth:`build_input_reason`)."""
        return self.build_input_reason(instruction, source) is not None

    def build_input_reason(self, instruction: Instruction, source: str) -> str | None:
        """Why a context source is a build input rather than application code, in words for
        a finding; None for application code. Build inputs: a file or folder a later RUN of
        the stage executes, a folder such as ``rootfs/`` or ``wheels/``, a single non-Python
        file, or a package's version file copied on its own."""
        path = normalize(source)
        if not path or _GLOB.search(path):
            return None  # the broad copy, or a pattern: application code
        name = posixpath.basename(path)
        parts = path.split("/")
        runner = self.runner_of(instruction, path)
        if runner is not None:
            return f"a script that line {runner.line} runs"
        if name.lower() in BUILD_INPUT_FOLDERS and len(parts) == 1:
            return "a folder of build files (wheels, scripts, configuration, an overlay)"
        if parts[0].lower() in BUILD_INPUT_FOLDERS or name.lower() in BUILD_INPUT_FOLDERS:
            return f"a build file (in {parts[0]}/)"
        if name in PACKAGE_METADATA and len(parts) > 1:
            return "a package's version or marker file, which the build backend reads"
        if "." in name and not name.endswith(".py"):
            return "a single file that is not Python code (configuration, a script, data)"
        return None

    def runner_of(self, instruction: Instruction, path: str) -> Instruction | None:
        """The later RUN of the stage that runs the copied file (or a file of the copied
        folder) as a program or script, if any.

        A Python file counts when its name says it is a build tool (``install_deps.py``), or
        when it was copied by its exact name and the very next step runs it (``COPY
        gen_version.py .`` then ``RUN python gen_version.py``): copied alone to be run at once,
        it is a step of the build, whatever its name. ``python manage.py collectstatic`` after
        the code was copied runs the application, which stays application code."""
        if instruction.keyword not in ("COPY", "ADD") or not instruction.arguments:
            return None
        destination = instruction.resolved_arguments[-1]
        name = posixpath.basename(path)
        stage = self.dockerfile.stages[instruction.stage]
        later = [item for item in stage.instructions if item.line > instruction.line]
        for position, item in enumerate(later):
            if item.keyword != "RUN":
                continue
            copied_alone = position == 0 and name.endswith(".py")
            for run in run_commands(item):
                argv = run.command.argv
                if not argv:
                    continue
                runner = posixpath.basename(argv[0])
                words = list(argv[1:2]) if runner in _SCRIPT_RUNNERS else [argv[0]]
                if runner == "make":
                    words = ["Makefile"] if name == "Makefile" else []
                for word in words:
                    base = posixpath.basename(word)
                    tool = not base.endswith(".py") or bool(INSTALL_LIKE.search(base))
                    if not tool and not (copied_alone and base == name):
                        continue  # python manage.py collectstatic: application code runs
                    inside = word.startswith(destination.rstrip("/") + "/") or (f"{name}/" in word)
                    if base == name or ("." not in name and inside):
                        return item
        return None

    def app_sources(self, instruction: Instruction) -> tuple[str, ...]:
        """The context sources of a COPY/ADD or bind mount that bring application code."""
        sources = context_sources(instruction) or context_bind_sources(instruction)
        return tuple(source for source in sources if not self.is_build_input(instruction, source))

    @cached_property
    def _context_readers(self) -> tuple[Instruction, ...]:
        return tuple(
            instruction
            for stage in self.dockerfile.stages
            if stage.index in self.built
            for instruction in stage.instructions
            if reads_context(instruction)
        )

    @cached_property
    def app_files(self) -> tuple[str, ...]:
        """Representative application files: a change to any of them is what we grade.

        A file only build inputs bring (a script a RUN executes, ``rootfs/``, a version
        file) is not one: editing it reruns later steps too, which LC008 reports, but the
        verdict is about the code a developer edits every day."""
        if self.context is not None and self.context.root is not None:
            readers = [(item, self.app_sources(item)) for item in self._context_readers]
            files = [
                path
                for path in self.context.files()
                if path.endswith(".py")
                and not is_manifest(path)
                and not self._only_build_input(path, readers)
            ]
            if files:
                return tuple(files[:500])
        return self._synthetic_app_files()

    def _only_build_input(
        self, path: str, readers: list[tuple[Instruction, tuple[str, ...]]]
    ) -> bool:
        """Copied by name as a build input (a script a RUN executes, a file of ``rootfs/``),
        even if a broad copy brings it again later."""
        for item, app in readers:
            sources = context_sources(item) or context_bind_sources(item)
            inputs = [source for source in sources if source not in app]
            if any(source_matches(source, path) for source in inputs):
                return True
        return False

    def _synthetic_app_files(self) -> tuple[str, ...]:
        """Without a context: ``app.py`` plus one made-up ``.py`` file per source pattern
        that brings application code."""
        found = [SYNTHETIC_APP]
        for instruction in self._context_readers:
            for source in self.app_sources(instruction):
                path = _synthetic_file(source)
                fresh = path and not is_manifest(path) and path not in found
                if fresh and len(found) < _MAX_SYNTHETIC:
                    found.append(path)
        context = self.context
        if context is not None:
            found = [path for path in found if not context.is_ignored(path)] or found
        return tuple(found)

    @cached_property
    def app_prediction(self) -> Prediction:
        return self.predict(self.app_files)

    def predict(self, changed: tuple[str, ...] = (), **options: object) -> Prediction:
        """The cache model for this Dockerfile, context and builder."""
        return predict(
            self.dockerfile,
            changed,
            self.context,
            builder=self.builder,
            **options,  # type: ignore[arg-type]
        )

    def rebuilt(self, instruction: Instruction, prediction: Prediction | None = None) -> bool:
        prediction = prediction or self.app_prediction
        return prediction.status_of(instruction) == REBUILT

    # ---- stage lineage --------------------------------------------------------------

    @cached_property
    def _positions(self) -> dict[int, int]:
        """Each instruction's index within its stage, by its index in the file."""
        return {
            item.index: position
            for stage in self.dockerfile.stages
            for position, item in enumerate(stage.instructions)
        }

    def _is_before(self, item: Instruction, instruction: Instruction, inclusive: bool) -> bool:
        """Is ``item`` in the chain that ``instruction`` builds on?"""
        if item.stage == instruction.stage:
            mine, theirs = self._positions[item.index], self._positions[instruction.index]
            return mine <= theirs if inclusive else mine < theirs
        return item.stage in self._lineage_set(instruction.stage)

    def _lineage_set(self, index: int) -> frozenset[int]:
        cached = self._lineage_sets.get(index)
        if cached is None:
            cached = self._lineage_sets[index] = frozenset(self.lineage(index))
        return cached

    @cached_property
    def _manifest_copies(self) -> tuple[Instruction, ...]:
        """COPY/ADD steps and bind mounts of dependency files alone, in file order."""
        found = []
        for stage in self.dockerfile.stages:
            for item in stage.instructions:
                sources = context_sources(item)
                if sources is None:
                    sources = context_bind_sources(item)
                if sources and all(is_manifest_source(source) for source in sources):
                    found.append(item)
        return tuple(found)

    def lineage(self, index: int) -> list[int]:
        """The stage and the stages it is built FROM, oldest first."""
        return lineage(self.dockerfile, index)

    def chain_before(self, instruction: Instruction) -> list[Instruction]:
        """Instructions whose result the given one builds on (its layer's ancestors)."""
        return chain_before(self.dockerfile, instruction)

    def culprit(
        self, instruction: Instruction, prediction: Prediction | None = None
    ) -> Instruction | None:
        """The first rebuilt step of the chain leading to (or being) ``instruction``."""
        prediction = prediction or self.app_prediction
        firsts = self._first_rebuilt.setdefault(id(prediction), (prediction, {}))[1]
        for index in self.lineage(instruction.stage):
            if index not in firsts:
                firsts[index] = next(
                    (
                        item
                        for item in self.dockerfile.stages[index].instructions
                        if prediction.status_of(item) == REBUILT
                    ),
                    None,
                )
            first = firsts[index]
            if first is not None:
                if index != instruction.stage or self._is_before(first, instruction, True):
                    return first
                return None
        return None

    def stage_copy_reason(self, instruction: Instruction) -> str | None:
        """Why a ``COPY --from`` (or a RUN bind mount ``from=``) was rebuilt, when that is
        so: a rebuilt step of the other stage wrote what it copies (a stage that copied the
        whole context hands on the source with the manifests). None otherwise."""
        if not _stage_references(instruction) or not self.rebuilt(instruction):
            return None
        step = self.app_prediction.for_instruction(instruction)
        if step is None or "copies" not in step.reason or "from stage" not in step.reason:
            return None
        return step.reason

    def manifest_copy_before(self, step: InstallStep) -> Instruction | None:
        """A COPY/ADD or bind mount of dependency files alone, before or on the install; or
        a COPY of the one file the install reads, whatever its name in the context
        (``COPY env-docker.yml /tmp/env.yaml`` before ``micromamba install -f /tmp/env.yaml``).
        """
        names = {posixpath.basename(path) for path in step.manifests}
        for item in (*self._manifest_copies, *self._single_file_copies):
            if not self._is_before(item, step.instruction, True):
                continue
            if item in self._manifest_copies or landed_name(item) in names:
                return item
        return None

    @cached_property
    def _single_file_copies(self) -> tuple[Instruction, ...]:
        """COPY/ADD steps of one named context file, in file order."""
        found = []
        for stage in self.dockerfile.stages:
            for item in stage.instructions:
                sources = context_sources(item)
                if sources and len(sources) == 1 and landed_name(item):
                    found.append(item)
        return tuple(found)

    def is_broad_copy(self, copy: Instruction) -> bool:
        """Copies (or binds) the whole context, a pattern, or a folder of application code,
        rather than files named one by one (``COPY app.py requirements.txt ./``)."""
        for source in self.app_sources(copy):
            path = normalize(source)
            if not path or _GLOB.search(path) or "." not in posixpath.basename(path):
                return True
        return False

    def supplies_manifests(self, copy: Instruction, step: InstallStep) -> bool:
        """Does ``copy`` (a broad COPY or bind) bring in the files the install reads?"""
        sources = context_sources(copy)
        if sources is None:
            sources = context_bind_sources(copy)
        wanted = [_relative(path) for path in step.manifests] or ["."]
        if copy.keyword in ("COPY", "ADD") and copy.arguments:
            # the manifests as the copy brings them: /app/requirements.txt from `COPY app /app`
            into = self.dockerfile.workdir_before(copy)
            into = posixpath.normpath(posixpath.join(into, copy.resolved_arguments[-1]))
            here = self.dockerfile.workdir_before(step.instruction)
            for path in step.manifests:
                read = posixpath.normpath(posixpath.join(here, path))
                if read.startswith(into.rstrip("/") + "/"):
                    rest = read[len(into.rstrip("/")) + 1 :]
                    wanted += [normalize(posixpath.join(normalize(s), rest)) for s in sources]
        return any(source_matches(source, path) for source in sources for path in wanted)

    def earlier_dependency_install(self, step: InstallStep) -> InstallStep | None:
        """A dependency-only install, kept in the cache, that ``step``'s environment holds:
        earlier in the same chain, or in a stage whose files a cached ``COPY --from`` (or a
        bind mount ``from=``) brought in before it (a venv, ``~/.local``, ``/usr/local``
        built in a builder stage).

        Installing a tool by name (``pip install poetry``) is not installing the project's
        dependencies: only a manifest-reading install counts."""
        return next(iter(self._cached_dependency_installs(step)), None)

    def installed_manifests(self, step: InstallStep) -> set[str]:
        """Manifests that cached dependency-only installs before ``step`` already read."""
        return {
            path for other in self._cached_dependency_installs(step) for path in other.manifests
        }

    def _cached_dependency_installs(self, step: InstallStep) -> list[InstallStep]:
        found = [
            other
            for other in self._dependency_installs_before(step)
            if not self.rebuilt(other.instruction)
        ]
        found.extend(supply.install for supply in self.supplies(step) if supply.reaches)
        return found

    def _dependency_installs_before(self, step: InstallStep) -> Iterator[InstallStep]:
        """The dependency-only installs earlier in ``step``'s chain, cached or not."""
        for index in self.lineage(step.instruction.stage):
            for other in self._dependency_installs.get(index, ()):
                if self._is_before(other.instruction, step.instruction, False):
                    yield other

    def supplies(self, step: InstallStep) -> list[Supply]:
        """The cached dependency-only installs of other stages that a cached ``COPY --from``
        (or bind mount ``from=``) before ``step`` copies from, each with whether the copy
        brings their environment to where ``step`` installs (see :mod:`checker.rules.environments`).
        A copy of anything else (a stamp file, a venv ``step``'s pip does not belong to, a
        wheels folder it is not pointed at) leaves ``step`` to install every dependency."""
        key = id(step)
        if key not in self._supplies:
            self._supplies[key] = (step, self._find_supplies(step))
        return self._supplies[key][1]

    def _find_supplies(self, step: InstallStep) -> list[Supply]:
        receiver = next((item for item in step.installs if item.installs_project), step.installs[0])
        dockerfile = self.dockerfile
        here = install_environment(dockerfile, step.instruction, receiver)
        base = base_image(dockerfile, step.instruction.stage)
        lineage = self._lineage_set(step.instruction.stage)
        found: list[Supply] = []
        for item in self.chain_before(step.instruction):
            if self.rebuilt(item):
                continue
            for reference in _stage_references(item):
                index = stage_index(dockerfile, reference)
                if index is None or index in lineage or index >= step.instruction.stage:
                    continue
                for stage in self.lineage(index):
                    for other in self._dependency_installs.get(stage, ()):
                        if stage in lineage or self.rebuilt(other.instruction):
                            continue
                        found.append(self._supply(other, item, here, base, step, receiver))
        return found

    def _supply(
        self,
        other: InstallStep,
        copy: Instruction,
        here: Environment,
        base: str,
        step: InstallStep,
        receiver: DependencyInstall,
    ) -> Supply:
        dockerfile = self.dockerfile
        stage = dockerfile.stages[other.instruction.stage]
        name = stage.name or str(stage.index)
        environment = install_environment(dockerfile, other.instruction, other.installs[0])
        landed = carried(dockerfile, copy, environment)
        if landed is None:
            return Supply(other, copy, environment, here, False, "copies none of it", "", name)
        if environment.kind == WHEELS:
            pointed = landed.root is not None and points_at(
                dockerfile, step.instruction, receiver, landed.root
            )
            why = (
                ""
                if pointed
                else f"copies it to {landed.root}, but nothing points this install at it "
                f"(--find-links {landed.root} or PIP_FIND_LINKS), so pip downloads them"
            )
            return Supply(other, copy, environment, here, pointed, why, landed.assumed, name)
        if same_place(landed, environment, here, base):
            return Supply(other, copy, environment, here, True, "", landed.assumed, name)
        where = landed.root or environment.describe()
        why = f"puts it at {where}"
        return Supply(other, copy, environment, here, False, why, landed.assumed, name)

    def extra_requirements(self, step: InstallStep) -> tuple[str, ...]:
        """Requirement files a project install reads that no earlier install did."""
        already = self.installed_manifests(step)
        return tuple(
            dict.fromkeys(
                path
                for install in step.installs
                for path in install.manifests
                if path not in already and path.endswith((".txt", ".in"))
            )
        )

    @cached_property
    def _dependency_installs(self) -> dict[int, list[InstallStep]]:
        by_stage: dict[int, list[InstallStep]] = {}
        for step in self.install_steps:
            if step.dependency_only and step.manifests:
                by_stage.setdefault(step.instruction.stage, []).append(step)
        return by_stage

    def counts_as_reinstall(self, step: InstallStep) -> bool:
        """A rebuilt install reinstalls dependencies unless it only adds the project on top
        of an earlier, cached, dependency-only install (``poetry install --no-root`` then
        ``poetry install``; ``uv sync --no-install-project`` then ``uv sync``)."""
        if not self.rebuilt(step.instruction):
            return False
        if step.project_only or step.tools_only:
            return False  # rerunning it reinstalls no dependency of the project
        earlier = None
        if step.installs_project and not step.isolated:
            # a dependency install before it in its chain, rerun or not: if it reruns, the
            # dependencies are reinstalled there, and this step finds them in place
            earlier = self.earlier_dependency_install(step) or next(
                self._dependency_installs_before(step), None
            )
        if earlier is not None:
            already = self.installed_manifests(step) | set(earlier.manifests)
            project_only = all(
                install.no_deps or install.installs_project or not install.reads
                for install in step.installs
            ) and not any(
                install.named_packages or _extra_requirements(install, already)
                for install in step.installs
            )
            return not project_only
        return True

    @cached_property
    def reinstalling_steps(self) -> tuple[InstallStep, ...]:
        return tuple(step for step in self.install_steps if self.counts_as_reinstall(step))

    @cached_property
    def reinstalls(self) -> tuple[Reinstall, ...]:
        """Each reinstalling step with the first rebuilt step that reruns it and its one
        cause, decided here once: each rule reports the causes it owns, and none has to
        know which steps another rule reports."""
        found = []
        for step in self.reinstalling_steps:
            culprit = self.culprit(step.instruction)
            if culprit is not None:  # always found for a rebuilt step; kept safe
                found.append(Reinstall(step, culprit, self._cause(step, culprit)))
        return tuple(found)

    def reinstalls_for(self, *causes: str) -> tuple[Reinstall, ...]:
        """The reinstalls with one of ``causes``, in file order."""
        return tuple(item for item in self.reinstalls if item.cause in causes)

    def _cause(self, step: InstallStep, culprit: Instruction) -> str:
        """Why ``step`` reruns on a code change: the first of the causes (listed below the
        class) that fits."""
        own = culprit is step.instruction
        alone = step.isolated or self.earlier_dependency_install(step) is None
        if step.installs_project and alone:
            if reads_context(culprit):
                return PROJECT_WITH_DEPENDENCIES
        elif step.manifests and self.manifest_copy_before(step) is None:
            if self.stage_copy_reason(culprit) is not None:
                return THROUGH_STAGE
            if self.supplies_manifests(culprit, step) and self.is_broad_copy(culprit):
                return CONTEXT_BOUND if own else BROAD_COPY
        if own:
            return OWN_BIND
        if reads_context(culprit) or self.copies_source(culprit):
            return SOURCE_BEFORE_INSTALL
        if self._hands_on_project(culprit) and self.earlier_dependency_install(step) is None:
            return PROJECT_WITH_DEPENDENCIES
        return OTHER_STAGE

    def copies_source(self, copy: Instruction) -> bool:
        """Does a ``COPY --from`` take files that a rebuilt copy from the context brought
        into that stage (``COPY --from=dev /app/src /app``)? That is the application source
        itself, moved between stages: no install of the other stage is the fix, the copy
        belongs after this stage's install."""
        reference = copy.flag("from") if copy.keyword in ("COPY", "ADD") else None
        index = stage_index(self.dockerfile, reference) if reference else None
        if index is None or index >= copy.stage:
            return False
        taken = [
            posixpath.normpath("/" + _GLOB.split(path, 1)[0].lstrip("/"))
            for path in copy.resolved_arguments[:-1]
        ]
        for stage in self.lineage(index):
            for item in self.dockerfile.stages[stage].instructions:
                if not reads_context(item) or item.keyword == "RUN" or not self.rebuilt(item):
                    continue
                workdir = self.dockerfile.workdir_before(item)
                brought = posixpath.normpath(posixpath.join(workdir, item.resolved_arguments[-1]))
                for path in taken:
                    if not _overlaps(brought, path):
                        continue
                    below = path.startswith(brought.rstrip("/") + "/")
                    inside = path[len(brought) :].strip("/") if below else ""
                    # a folder below the copy, such as wheels/ or dist/, may be a build
                    # step's output rather than files from the context
                    if not inside or not self.is_build_input(item, inside):
                        return True
        return False

    def _hands_on_project(self, copy: Instruction) -> bool:
        """Does ``copy`` take from a stage where a rebuilt step built the project itself
        (``pip wheel --no-deps --wheel-dir /wheels .`` beside the dependency wheels,
        ``python -m build``)? The install of what it copies then installs the project with
        every dependency, and no install of that other stage is one to fix."""
        for reference in _stage_references(copy):
            index = stage_index(self.dockerfile, reference)
            if index is None or index >= copy.stage:
                continue
            for other in self.install_steps:
                if other.instruction.stage not in self._lineage_set(index):
                    continue
                building = any(install.installs_project for install in other.installs)
                if building and other.project_only and self.rebuilt(other.instruction):
                    return True
            for stage in self.lineage(index):
                for item in self.dockerfile.stages[stage].instructions:
                    built = item.keyword == "RUN" and _builds_project_archive(item)
                    if built and self.rebuilt(item):
                        return True
        return False

    @cached_property
    def verdict(self) -> str:
        if not self.install_steps:
            return NO_INSTALL
        steps = self.reinstalling_steps
        if not steps:
            return KEPT
        if all(step.has_cache_mount for step in steps):
            return REINSTALLED_WITH_CACHE
        return REINSTALLED

    # ---- helpers for messages ---------------------------------------------------------

    def app_file_for(self, copy: Instruction) -> str:
        """An application file that ``copy`` picks up (for messages)."""
        sources = context_sources(copy)
        if sources is None:
            sources = context_bind_sources(copy)
        for path in self.app_files:
            if any(source_matches(source, path) for source in sources):
                return path
        return self.app_files[0]


# Why a reinstalling step reruns on a code change: one cause per step (Analysis._cause).
PROJECT_WITH_DEPENDENCIES = "project-with-dependencies"  # LC005: no dependency-only install
THROUGH_STAGE = "through-stage"  # LC002: the manifests come in a whole folder of a stage
CONTEXT_BOUND = "context-bound"  # LC002: the install binds the whole context for them
BROAD_COPY = "broad-copy"  # LC002, LC003: the manifests come only with ``COPY . .``
SOURCE_BEFORE_INSTALL = "source-before-install"  # LC001: source copied above the install
OWN_BIND = "own-bind"  # a bind mount of the install changed, none of the causes above
OTHER_STAGE = "other-stage"  # a rebuilt step of another stage: its own install is the fix


@dataclass(frozen=True)
class Reinstall:
    """An install step that a code change reruns, the first rebuilt step of its chain
    (``culprit``, the install itself when one of its bind mounts changed), and why."""

    step: InstallStep
    culprit: Instruction
    cause: str  # PROJECT_WITH_DEPENDENCIES ... OTHER_STAGE

    @property
    def fixed_here(self) -> bool:
        """Is the fix in this step's own chain? Not when it reruns only because another
        stage's step was rebuilt: that stage's install is the one to fix (unless what it
        copies is the source itself: then the copy moves, as a context copy would)."""
        return (
            self.culprit is self.step.instruction
            or reads_context(self.culprit)
            or self.cause == SOURCE_BEFORE_INSTALL
        )


@dataclass(frozen=True)
class Supply:
    """A dependency install of another stage, a copy from that stage before a rerun
    install, and whether the copy brings the packages to where the rerun installs."""

    install: InstallStep
    copy: Instruction
    environment: Environment  # where ``install`` wrote
    receiver: Environment  # where the rerun install writes
    reaches: bool
    why: str = ""  # why not, in words ("copies none of it", "puts it at /venv")
    assumed: str = ""  # what the checker assumed to say it does
    stage: str = ""  # the name of the stage ``install`` is in

    def explain(self) -> str:
        """For a finding: why the rerun install does not find these packages."""
        verb = (
            "builds the dependencies' wheels"
            if self.environment.kind == WHEELS
            else "installs the dependencies"
        )
        return (
            f"line {self.install.instruction.line} (stage '{self.stage}') {verb} "
            f"into {self.environment.describe()}, and line {self.copy.line} "
            f"({_first_line(self.copy)}) {self.why}; this install writes into "
            f"{self.receiver.describe()}, so it does not find them and installs every one again"
        )


def _first_line(instruction: Instruction) -> str:
    text = " ".join(instruction.original.split("\n", 1)[0].split())
    return text if len(text) <= 60 else text[:57] + "..."


_PROJECT_BUILDERS = frozenset(("hatch", "poetry", "uv", "pdm", "flit", "rye"))


def _builds_project_archive(instruction: Instruction) -> bool:
    """Does the RUN build the project's wheel or sdist into ``dist/`` (``hatch build``,
    ``uv build``, ``python -m build``, ``python setup.py bdist_wheel``)?"""
    for run in run_commands(instruction):
        argv = run.command.argv
        name = program(argv[0]) if argv else ""
        if name in _PROJECT_BUILDERS and argv[1:2] == ("build",):
            return True
        if name.startswith("python") and (
            argv[1:3] == ("-m", "build")
            or (argv[1:2] == ("setup.py",) and argv[2:3] in (("bdist_wheel",), ("sdist",)))
        ):
            return True
    return False


def _built_archive(install: DependencyInstall) -> bool:
    """An install, not yet of the project, of archives in a ``dist/`` folder."""
    return not install.installs_project and any(
        "dist" in normalize(path).split("/")[:-1] and path.endswith((".whl", ".tar.gz", "*"))
        for path in install.reads
    )


def _overlaps(one: str, other: str) -> bool:
    """Is one absolute path the other, or inside it?"""
    one, other = one.rstrip("/") + "/", other.rstrip("/") + "/"
    return one.startswith(other) or other.startswith(one)


def _stage_references(instruction: Instruction) -> list[str]:
    """The stages (or images) a COPY/ADD ``--from`` or a RUN's bind mounts ``from=`` name."""
    references = []
    if instruction.keyword in ("COPY", "ADD") and instruction.flag("from"):
        references.append(instruction.flag("from"))
    references.extend(
        mount.from_ for mount in mounts(instruction) if mount.type == "bind" and mount.from_
    )
    return references


def context_name(path: str) -> str:
    """How to name a manifest to a learner: as a context path, not a container path."""
    return _relative(path)


def _relative(path: str) -> str:
    """A manifest path as the install names it, reduced to a context-relative guess."""
    return normalize(path).rsplit("/", 1)[-1] if path.startswith("/") else normalize(path)


def _extra_requirements(install: DependencyInstall, already: set[str]) -> bool:
    """A project install that also reads requirement files the earlier dependency-only
    install did not (``pip install -r dev.txt .``): those are installed afresh."""
    return any(path not in already and path.endswith((".txt", ".in")) for path in install.manifests)


def _synthetic_file(source: str) -> str | None:
    """A made-up ``.py`` path that the COPY source would copy."""
    path = normalize(source)
    if not path:
        return SYNTHETIC_APP
    if is_manifest_source(path):
        return None
    parts = path.split("/")
    last = parts[-1]
    if _GLOB.search(path):
        folders = [_CLASS.sub("a", part).replace("*", "app").replace("?", "a") for part in parts]
        if fnmatchcase(SYNTHETIC_APP, parts[-1].replace("[^", "[!")):
            return "/".join([*folders[:-1], SYNTHETIC_APP])
        if "." in folders[-1]:
            return None  # a pattern for other files (poetry.lock*, *.txt)
        return "/".join([*folders, SYNTHETIC_APP])
    if last.endswith(".py"):
        return path
    if "." in last:
        return None  # a single non-Python file (README.md, config.yaml)
    return f"{path}/{SYNTHETIC_APP}"
