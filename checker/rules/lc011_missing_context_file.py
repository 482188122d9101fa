"""LC011: a file the build copies or installs from is not in the build context, or not in
the image when the install runs."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from checker.cache import ContextFiles, context_sources, normalize
from checker.grading.findings import Finding
from checker.rules.analysis import Analysis, InstallStep
from checker.rules.base import Rule, describe
from checker.rules.image_files import Origin, origin, resolve
from checker.rules.requirement_files import context_path, is_requirement_file
from checker.shell.hidden_installs import script_runs
from checker.shell.mounts import mounts

_GLOB = frozenset("*?[")


class MissingContextFile(Rule):
    """A ``COPY`` source, or a requirements file an install reads, is not in the build context
    (or ``.dockerignore`` leaves it out).

    The build fails at that step (``COPY failed: file not found``, or pip's "Could not open
    requirements file"), so no layer order can help. Being in the context is not enough: a
    ``RUN`` sees only what earlier steps copied (or what it bind-mounts), where they put it, so
    a requirement or constraint file (and each file it includes with ``-r``/``-c``, read beside
    it) must be in the image at the path the install names, relative to the ``WORKDIR``. A
    project install needs the project's metadata there, and its code where the installed
    project is what runs (a ``src/`` layout, console scripts). The context itself is checked
    only when it is given; the base image is assumed not to ship the project's files.

    **Anti-pattern**

    .. code-block:: dockerfile

        COPY requirements/base.txt .
        RUN pip install -r requirements/base.txt

        WORKDIR /app
        RUN pip install -r requirements.txt   # nothing copied it into /app yet

    **Best practice**

    .. code-block:: dockerfile

        WORKDIR /app
        COPY requirements.txt .
        RUN pip install -r requirements.txt
    """

    id = "LC011"
    name = "missing-context-file"
    severity = "error"

    def check(self, analysis: Analysis) -> Iterator[Finding]:
        for step in analysis.install_steps:  # with a context or without: what is in the image
            if step.instruction.keyword == "ONBUILD" or _windows(analysis, step.instruction):
                continue  # runs in another build; or paths we do not model
            yield from self._project_inputs(analysis, step)
            yield from self._requirements_not_in_image(analysis, step)
        context = analysis.context
        if context is None or context.root is None:
            return
        files = set(context.files())
        folders = {posixpath.dirname(path) for path in files}
        folders |= {
            "/".join(path.split("/")[:depth])
            for path in folders
            for depth in range(1, path.count("/") + 1)
        }

        def present(path: str) -> bool:
            clean = normalize(path)
            if not clean or clean in files or clean in folders:
                return True
            # An empty folder lists no file, and BuildKit copies it all the same.
            return context.exists(clean) and not context.is_ignored(clean)

        for stage in analysis.dockerfile.stages:
            if stage.index not in analysis.built:
                continue
            for instruction in stage.instructions:
                for source in context_sources(instruction) or ():
                    if "$" in source or any(char in source for char in _GLOB):
                        continue
                    if not present(source):
                        yield self.finding(
                            instruction,
                            f"{describe(instruction)} copies {source}, which is not in the "
                            "build context (or .dockerignore excludes it): the build fails "
                            "here.",
                            f"# add {source} to the context, or copy the file that exists",
                        )
        yield from _scripts_not_copied(self, analysis)
        for step in analysis.install_steps:
            copied = {normalize(path) for path in _copied_names(analysis, step.instruction)}
            for install in step.installs:
                for path in install.requirement_files:
                    name = normalize(path)
                    if "$" in path or path.startswith(("/", "http", "~")) or present(name):
                        continue
                    if name in copied or posixpath.basename(name) in copied:
                        continue  # copied under another name, or written by the build
                    yield self.finding(
                        step.instruction,
                        f"{describe(step.instruction)} installs from {path}, which is not in "
                        "the build context: pip stops with 'Could not open requirements "
                        "file'.",
                        f"# add {path} to the context, or install from the file that exists",
                    )

    def _requirements_not_in_image(
        self, analysis: Analysis, step: InstallStep
    ) -> Iterator[Finding]:
        """A requirement or constraint file (or one they include) that is in the context,
        or may be, but that no step before the install puts where the install reads it."""
        context = analysis.context
        has_context = context is not None and context.root is not None
        instruction = step.instruction
        workdir = analysis.dockerfile.workdir_before(instruction)
        reported: set[str] = set()
        for install in step.installs:
            listed = (*install.requirement_files, *install.constraint_files)
            nested = [
                path
                for path in install.manifests
                if path not in listed and path not in install.reads and is_requirement_file(path)
            ]
            for path in (*listed, *nested):
                if "$" in path or ":" in path or "\\" in path or path.startswith("~"):
                    continue  # a variable, a URL, a home or a Windows path: not modelled
                source = context_path(context, path, workdir) if has_context else None  # type: ignore[arg-type]
                if has_context and source is None and not path.startswith("/"):
                    continue  # not in the context at all: reported as such below
                where = resolve(analysis, instruction, path, install.cwd)
                if where in reported or origin(analysis, instruction, where).present:
                    continue
                reported.add(where)
                included = (
                    ", which a requirement file it installs from includes (pip reads an "
                    "included file beside the one that names it),"
                    if path in nested
                    else ""
                )
                stops = (
                    "pip stops with 'Could not open requirements file'"
                    if install.tool == "pip"
                    else "the install fails"
                )
                yield self.finding(
                    instruction,
                    f"{describe(instruction)} reads {path}{included} but nothing before it puts "
                    f"that file at {where}: no COPY, ADD or bind mount brings it there, and a "
                    "RUN sees only what is in the image, not the build context (the base image "
                    f"is assumed not to ship it). {stops}.",
                    f"COPY {source or normalize(path)} {_folder(where, workdir)}",
                )

    def _project_inputs(self, analysis: Analysis, step: InstallStep) -> Iterator[Finding]:
        """A pip (or uv pip) install of a project directory: its metadata must be in the
        image; so must its code, where the installed project is what runs."""
        instruction = step.instruction
        for install in step.installs:
            if install.tool not in ("pip", "uv") or not install.installs_project:
                continue
            for read in install.reads:
                if read in install.manifests or read.endswith(_ARCHIVES) or "$" in read:
                    continue
                directory = resolve(analysis, instruction, read, install.cwd)
                named = "the working directory" if read == "." else read
                found = [
                    origin(analysis, instruction, posixpath.join(directory, name))
                    for name in _METADATA
                ]
                present = [item for item in found if item.present]
                if not present:
                    yield self.finding(
                        instruction,
                        f"{describe(instruction)} installs the project from {named} "
                        f"({directory}), but no pyproject.toml, setup.py or setup.cfg is there "
                        "at this point (none is copied before it, or the context has none): "
                        "the install fails.",
                        "COPY pyproject.toml ./   # and the package's source, before the install",
                    )
                    continue
                if not install.editable:
                    yield from self._code_missing(analysis, step, directory, named, present)

    def _code_missing(
        self,
        analysis: Analysis,
        step: InstallStep,
        directory: str,
        named: str,
        metadata: list[Origin],
    ) -> Iterator[Finding]:
        """The project's metadata without any of its modules: pip builds and installs it
        (the build goes on), but the installed project has no code. Reported where that
        code cannot run from elsewhere: it lives under ``src/``, or the project declares
        console scripts; and where no later install of the project brings the code."""
        context = analysis.context
        source = next((item for item in metadata if item.kind == "context"), None)
        if context is None or context.root is None or source is None:
            return
        project = posixpath.dirname(source.path)
        code = project_code(context, project)
        if not code:
            return
        scripts = declares_scripts(context, project)
        src_layout = any(path.startswith("src/") for path in code)
        if not (scripts or src_layout):
            return
        instruction = step.instruction
        if any(
            origin(analysis, instruction, posixpath.join(directory, path)).present
            for path in code[:_MAX_CODE_FILES]
        ):
            return
        if _installed_again_later(analysis, step):
            return
        top = code[0].split("/")[0]
        fails = (
            "its console script fails with ModuleNotFoundError"
            if scripts
            else "importing it fails with ModuleNotFoundError"
        )
        yield self.finding(
            instruction,
            f"{describe(instruction)} installs the project from {named}, but none of its code "
            f"({posixpath.join(project, code[0])} and the rest of {posixpath.join(project, top)}"
            f"{'/' if '/' in code[0] else ''}) is in the image at this point: pip builds the "
            f"project from {posixpath.basename(metadata[0].path) or 'its metadata'} alone, the "
            f"build goes on, and the installed project holds no module: {fails}.",
            f"COPY {posixpath.join(project, top)} {posixpath.join(directory, top)}"
            "   # the code, before the install",
        )


_METADATA = ("pyproject.toml", "setup.py", "setup.cfg")


def _scripts_not_copied(rule: MissingContextFile, analysis: Analysis) -> Iterator[Finding]:
    """A RUN that runs a script of the context (``sh install.sh``, ``make install``) that no
    COPY before it brought into the image: the shell finds no such file and the build
    fails. Only where nothing else can have put it there (no ``COPY --from``, no bind mount,
    no earlier RUN naming it)."""
    context = analysis.context
    assert context is not None
    for stage in analysis.dockerfile.stages:
        if stage.index not in analysis.built:
            continue
        for instruction in stage.instructions:
            if instruction.keyword != "RUN" or any(
                mount.type == "bind" for mount in mounts(instruction)
            ):
                continue
            for script in script_runs(instruction):
                if script.script.startswith(("/", "$", "~")) or "$" in (script.cwd or ""):
                    continue
                if script.kind == "make" and any(
                    word in ("-C", "-f", "--directory", "--file") or word.startswith(("-C", "-f"))
                    for word in instruction.text.split()
                ):
                    continue
                where = posixpath.normpath(
                    posixpath.join(
                        analysis.dockerfile.workdir_before(instruction),
                        script.cwd or "",
                        script.script,
                    )
                )
                name = normalize(script.script)
                if script.cwd or not context.is_file(name):
                    continue
                if analysis.copied_before(instruction, where) or _may_be_there(
                    analysis, instruction, posixpath.basename(name)
                ):
                    continue
                what = (
                    f"make, which reads {name}," if script.kind == "make" else f"{script.script},"
                )
                yield rule.finding(
                    instruction,
                    f"{describe(instruction)} runs {what} which is in the build "
                    "context, but no COPY before this step brings it into the image: the "
                    "build fails here (no such file).",
                    f"COPY {name} {posixpath.dirname(name) or '.'}/\n{instruction.original}",
                )


def _may_be_there(analysis: Analysis, instruction, name: str) -> bool:  # type: ignore[no-untyped-def]
    """Can a step before ``instruction`` have put ``name`` in the image other than by a
    COPY from the context (a ``COPY --from``, an ``ADD`` of a URL, a RUN naming it)?"""
    for item in analysis.chain_before(instruction):
        if item.keyword in ("COPY", "ADD") and context_sources(item) is None:
            return True
        if item.keyword == "RUN" and name in item.original:
            return True
    return False


_ARCHIVES = (".whl", ".tar.gz", ".zip", ".tgz", ".tar.bz2")
_MAX_CODE_FILES = 64
_NOT_CODE = frozenset(("tests", "test", "docs", "doc", "examples", "scripts", "benchmarks"))
_SCRIPT_TABLES = (
    "[project.scripts]",
    "[project.gui-scripts]",
    "[tool.poetry.scripts]",
    "console_scripts",
    "gui_scripts",
)


def project_code(context: ContextFiles, project: str) -> list[str]:
    """The project's modules in the context, relative to its folder: ``.py`` files, not
    ``setup.py``, not tests, docs or examples."""
    prefix = f"{project}/" if project else ""
    found = []
    for path in context.files():
        if not path.startswith(prefix) or not path.endswith(".py"):
            continue
        relative = path[len(prefix) :]
        parts = relative.split("/")
        if relative in ("setup.py", "conftest.py") or _NOT_CODE & set(parts[:-1]):
            continue
        found.append(relative)
    return found


def declares_scripts(context: ContextFiles, project: str) -> bool:
    """Does the project declare console or GUI scripts (or entry points of that kind)?"""
    for name in _METADATA:
        text = context.read_text(posixpath.join(project, name)) or ""
        if any(table in text for table in _SCRIPT_TABLES):
            return True
    return False


def _installed_again_later(analysis: Analysis, step: InstallStep) -> bool:
    """A later install of the project in the same image (this stage or one built FROM it)."""
    for other in analysis.install_steps:
        if other is step or not any(item.installs_project for item in other.installs):
            continue
        if step.instruction in analysis.chain_before(other.instruction):
            return True
    return False


def _folder(where: str, workdir: str) -> str:
    """The COPY destination for a file the install reads at ``where``."""
    folder = posixpath.dirname(where)
    return "./" if folder == (workdir.rstrip("/") or "/") else f"{folder}/"


def _copied_names(analysis: Analysis, instruction) -> list[str]:  # type: ignore[no-untyped-def]
    """Destinations written before the install (a file generated or renamed by the build),
    and the files a ``COPY --from`` brings from a stage under their own names."""
    names = []
    for item in analysis.chain_before(instruction):
        if item.keyword in ("COPY", "ADD") and item.arguments:
            names.append(posixpath.basename(item.resolved_arguments[-1].rstrip("/")))
            if item.flag("from") is not None:
                names.extend(
                    posixpath.basename(path.rstrip("/")) for path in item.resolved_arguments[:-1]
                )
        if item.keyword == "RUN":
            names.extend(word for word in item.text.split() if word.endswith((".txt", ".in")))
    return names


def _windows(analysis: Analysis, instruction) -> bool:  # type: ignore[no-untyped-def]
    """A Windows image's paths (``C:\\app``): not modelled."""
    workdir = analysis.dockerfile.workdir_before(instruction)
    return "\\" in workdir or ":" in workdir
