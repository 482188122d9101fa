"""How to reorder a Dockerfile so that a dependency install stays in the cache.

For one install step that a code change rebuilds, :func:`plan_fix` returns the structured
edits (see :mod:`checker.rules.edits`) and the fixed lines to show the learner. Four
shapes cover the usual mistakes:

* the manifests are already copied on their own: move the install above the source copy;
* the manifests only arrive with ``COPY . .``: insert ``COPY <manifests> <dest>`` and move
  the install between the two copies;
* the install binds the whole context (``--mount=type=bind,source=.``): bind the manifests;
* the project is installed with its dependencies: install the dependencies alone first
  (``poetry install --no-root``, ``uv sync --no-install-project``, ``pip install -r``).
"""

from __future__ import annotations

import bisect
import posixpath
from collections.abc import Callable
from dataclasses import dataclass

from checker.cache import context_sources, normalize, stage_index
from checker.dockerfile.model import Instruction
from checker.rules.analysis import PROJECT_WITH_DEPENDENCIES, Analysis, InstallStep, Reinstall
from checker.rules.edits import Edit, FixPlan, Insert, Move, Replace, flag_text, with_flags
from checker.rules.requirement_files import local_projects, nested_requirements
from checker.rules.run_parts import and_list, copied_by, needs, pip_split
from checker.shell.hidden_installs import script_runs
from checker.shell.manifests import is_manifest, is_manifest_folder
from checker.shell.mounts import bind_sources as context_bind_sources
from checker.shell.mounts import mounts
from checker.shell.sources import run_commands
from checker.shell.wrappers import program

MAX_CARRIED = 100
"""Steps between the broad copy and the install a fix carries along; past it no exact fix
is planned (the learner gets the hint), which keeps planning linear on hostile files."""
_LOCK_FILES = frozenset({"poetry.lock", "uv.lock", "pipfile.lock", "pdm.lock", "pixi.lock"})
_COPY_FLAGS_KEPT = ("chown", "chmod", "link")
_PROJECT_TOOLS = {
    "poetry": (("pyproject.toml", "poetry.lock"), "poetry install", "--no-root"),
    "uv": (("pyproject.toml", "uv.lock"), "uv sync", "--no-install-project"),
    "pdm": (("pyproject.toml", "pdm.lock"), "pdm install", "--no-self"),
}


_GLOB_CHARS = frozenset("*?[")


def plan_fix(analysis: Analysis, reinstall: Reinstall) -> FixPlan | None:
    """The fix that keeps ``reinstall``'s step in the cache; None when we cannot tell one.

    Planned once per grade: the finding that shows it and the suggested Dockerfile share
    the plan."""
    plans = analysis.fix_plans
    key = reinstall.step.instruction.index
    if key not in plans:
        plans[key] = _plan_fix(analysis, reinstall)
    return plans[key]


def _plan_fix(analysis: Analysis, reinstall: Reinstall) -> FixPlan | None:
    step, culprit = reinstall.step, reinstall.culprit
    install = step.instruction
    if step.assumed:
        return None  # what the unread script needs is not known: no reorder is offered
    if culprit is install:
        return _bind_fix(analysis, step)  # it binds the context, or a folder of a stage
    if not reinstall.fixed_here:
        return None  # rebuilt because another stage was: that stage's install is the fix
    if culprit.stage != install.stage or culprit.keyword not in ("COPY", "ADD"):
        return None
    if reinstall.cause == PROJECT_WITH_DEPENDENCIES:
        return _project_fix(analysis, step, culprit)
    if step.installs_project:
        # It needs the source, so it stays below the copy; what reinstalls is the extra
        # requirement files it reads: install those first, on their own.
        extras = analysis.extra_requirements(step)
        copy = _manifest_copy_line(analysis, culprit, extras) if extras else None
        if copy is None:
            return None
        flags = [flag_text(flag.name, flag.value) for flag in install.flags]
        requirements = " ".join(f"-r {path}" for path in extras)
        dependencies = " ".join(["RUN", *flags, f"pip install {requirements}"])
        edits = (Insert(copy, culprit), Insert(dependencies, culprit))
        lines = "\n".join((copy, dependencies, culprit.original, install.original))
        return FixPlan("extras", edits, lines)
    manifest_copy = analysis.manifest_copy_before(step)
    copied = copied_by(analysis, culprit)
    split = _split_install(analysis, step, copied)
    if split is None:
        return None
    carried = _carried_between(analysis, culprit, install, manifest_copy, step.manifests, copied)
    if carried is None:
        return None
    carried_edits = [Move(item, culprit) for item in carried]
    carried_lines = [item.original for item in carried]
    earlier = manifest_copy if isinstance(manifest_copy, Instruction) else None
    if earlier is not None and (earlier.line < culprit.line or not context_sources(earlier)):
        earlier = None  # only a manifest COPY the fix moves up brings files in addition
    brought = copied_by(analysis, earlier, assume_inside=True) if earlier else None
    workdir = analysis.dockerfile.workdir_before(install)

    def missing(paths: list[str]) -> tuple[str, ...]:
        """The image paths among ``paths`` that nothing copies before the install moves."""
        found = (posixpath.normpath(path) for path in paths)
        return tuple(
            dict.fromkeys(
                path
                for path in found
                if not analysis.copied_before(culprit, path) and not (brought and brought(path))
            )
        )

    inputs = missing(list(split.inputs))
    unread = missing([posixpath.join(workdir, path) for path in step.manifests])
    install_edits, install_lines = _install_edits(install, culprit, split)
    if manifest_copy is not None or not step.manifests:
        edits: list[Edit] = list(carried_edits)
        shown = list(carried_lines)
        if manifest_copy is not None and manifest_copy is not install:
            # in its place among the carried steps: a WORKDIR after it must stay after it
            place = sum(item.line < manifest_copy.line for item in carried)
            if manifest_copy.line > culprit.line:
                edits.insert(place, Move(manifest_copy, culprit))
                shown.insert(place, manifest_copy.original)
            else:
                shown.append(manifest_copy.original)
        if inputs or unread:
            copy = _manifest_copy_line(analysis, culprit, (*unread, *inputs))
            if copy is None:
                return None
            edits.append(Insert(copy, culprit))
            shown.append(copy)
        edits.extend(install_edits)
        shown.extend((*install_lines, culprit.original, *split.staying_lines))
        return FixPlan("move", tuple(edits), "\n".join(shown))
    if any(not normalize(source) for source in context_bind_sources(install)):
        # The install binds the whole context itself: bind the manifests instead, and
        # move it above the broad copy.
        bind = _bind_fix(analysis, step)
        if bind is None or split.staying is not None or inputs:
            return None
        edits_: tuple[Edit, ...] = (*bind.edits, Move(install, culprit))
        return FixPlan("bind", edits_, f"{bind.lines}\n{culprit.original}")
    copy = _manifest_copy_line(analysis, culprit, (*step.manifests, *inputs))
    if copy is None:
        return None
    edits = [*carried_edits, Insert(copy, culprit), *install_edits]
    return FixPlan(
        "insert-copy",
        tuple(edits),
        "\n".join((*carried_lines, copy, *install_lines, culprit.original, *split.staying_lines)),
    )


@dataclass(frozen=True)
class _Split:
    """How an install RUN goes above the copy: whole (``moving`` None), or split into the
    text that moves and the text that stays below the copy; and the build inputs (image
    paths of files the copy brings) that must be copied by name before it."""

    moving: str | None
    staying: str | None
    inputs: tuple[str, ...]

    @property
    def staying_lines(self) -> tuple[str, ...]:
        return (self.staying,) if self.staying is not None else ()


def _split_install(
    analysis: Analysis, step: InstallStep, copied: Callable[[str], str | None]
) -> _Split | None:
    """Which part of the install RUN can go above the copy (see :mod:`run_parts`): the
    ``&&`` parts up to the first one that needs the copied source, when every install is
    among them; a pip command that also installs the project is split in two, the project
    part (with ``--no-deps``) staying. None when the install itself needs the source."""
    install = step.instruction
    workdir = analysis.dockerfile.workdir_before(install)
    parts = and_list(install)
    if parts is None:
        found = needs(install, run_commands(install), workdir, copied)
        if found.source or any(item.installs_project for item in step.installs):
            return None
        return _Split(None, None, found.files)
    hidden = any(item.source.startswith("script") for item in step.installs)
    scripts = script_runs(install) if hidden else []
    direct = {item.command_index: item for item in step.installs if item.source != "script"}
    pieces: list[tuple[str, bool, bool]] = []  # (text, installs, needs the source)
    inputs: list[str] = []
    changed = False
    for part in parts:
        installs = [direct[run.index] for run in part.commands if run.index in direct]
        runs_script = any(
            script.script in run.command.argv
            or (script.kind == "make" and program(run.command.argv[0]) == "make")
            for run in part.commands
            if run.command.argv
            for script in scripts
        )
        found = needs(install, part.commands, workdir, copied)
        project = [item for item in installs if item.installs_project]
        if project:
            halves = pip_split(part, project[0]) if len(installs) == 1 else None
            if halves is None:
                return None
            first, second = halves
            if first is not None:
                pieces.append((first, True, False))
            pieces.append((second, False, True))
            changed = True
            continue
        if installs or runs_script:
            if found.source:
                return None
            inputs.extend(found.files)
            pieces.append((part.text, True, False))
        else:
            pieces.append((part.text, False, found.source or bool(found.files)))
    stop = next((index for index, piece in enumerate(pieces) if piece[2]), len(pieces))
    if any(piece[1] for piece in pieces[stop:]) or not any(piece[1] for piece in pieces[:stop]):
        return None
    if stop == len(pieces) and not changed:
        return _Split(None, None, tuple(dict.fromkeys(inputs)))
    flags = [flag_text(flag.name, flag.value) for flag in install.flags]
    moving = with_flags(install, flags, " && ".join(piece[0] for piece in pieces[:stop]))
    staying = with_flags(install, flags, " && ".join(piece[0] for piece in pieces[stop:]))
    return _Split(moving, staying, tuple(dict.fromkeys(inputs)))


def _install_edits(
    install: Instruction, culprit: Instruction, split: _Split
) -> tuple[list[Edit], tuple[str, ...]]:
    """The edits that put the install (or its moving part) above ``culprit``."""
    if split.moving is None:
        return [Move(install, culprit)], (install.original,)
    assert split.staying is not None
    return [Insert(split.moving, culprit), Replace(install, split.staying)], (split.moving,)


def _carried_between(
    analysis: Analysis,
    culprit: Instruction,
    install: Instruction,
    manifest_copy: object,
    manifests: tuple[str, ...],
    copied: Callable[[str], str | None],
) -> list[Instruction] | None:
    """The steps between the broad copy and the install, which must stay above the install.

    Moving the install above the copy must not move it above a ``WORKDIR``, ``ENV``,
    ``USER`` or ``RUN apt-get install gcc`` it relies on: those steps go above the copy
    with it, in order. A ``RUN`` that uses what the copy brings (``RUN python
    gen_version.py`` after ``COPY gen_version.py .``) cannot go above it: it stays below
    the copy, and the install no longer waits for it. None when that would change the copy
    itself (a ``WORKDIR`` under a relative destination, an ``ENV``/``ARG`` its text expands,
    a ``RUN`` that names a dependency file and may write it from the copied source). None
    as well past :data:`MAX_CARRIED` steps.
    """
    members = analysis.dockerfile.stages[install.stage].instructions
    start = bisect.bisect_right(members, culprit.line, key=_line)
    end = bisect.bisect_left(members, install.line, key=_line)
    if end - start > MAX_CARRIED + 1:
        return None
    carried = [item for item in members[start:end] if item is not manifest_copy]
    destination = culprit.resolved_arguments[-1] if culprit.arguments else ""
    kept = []
    for item in carried:
        if item.keyword == "WORKDIR" and not destination.startswith("/"):
            return None
        if item.keyword in ("ENV", "ARG") and "$" in culprit.original:
            return None
        if item.keyword == "RUN" and any(
            posixpath.basename(path) in item.original for path in manifests
        ):
            return None  # it may write the manifest from the copied source
        if item.keyword == "RUN":
            found = needs(
                item, run_commands(item), analysis.dockerfile.workdir_before(item), copied
            )
            if found.source or found.files:
                continue  # it uses the copied files: it stays below the copy
        kept.append(item)
    return kept


def _line(instruction: Instruction) -> int:
    return instruction.line


def _manifest_copy_line(
    analysis: Analysis, culprit: Instruction, manifests: tuple[str, ...]
) -> str | None:
    """``COPY <manifests> <dest>`` for a broad ``COPY <dir> <dest>``, or for the manifests
    among files named one by one (``COPY app.py requirements.txt ./``); None otherwise."""
    sources = context_sources(culprit)
    named_files = sources and all(
        "." in posixpath.basename(normalize(item)) and not _GLOB_CHARS & set(item)
        for item in sources
    )
    if sources and len(sources) > 1 and named_files:
        wanted = {posixpath.basename(normalize(path)) for path in manifests}
        named = [item for item in sources if posixpath.basename(normalize(item)) in wanted]
        if named and len(named) < len(sources):
            flags = [
                flag_text(flag.name, flag.value)
                for flag in culprit.flags
                if flag.name in _COPY_FLAGS_KEPT
            ]
            return " ".join(["COPY", *flags, *named, culprit.arguments[-1]])
    if not sources or len(sources) != 1 or any(char in sources[0] for char in "*?["):
        return None
    source_dir = normalize(sources[0])
    # The destination as the learner wrote it (``$APP``): the new COPY goes just above the
    # broad one, where the same ENV/ARG values are in effect. Paths are resolved expanded.
    dest = culprit.arguments[-1]
    dest_dir = dest.rstrip("/") or "/"
    resolved_dir = culprit.resolved_arguments[-1].rstrip("/") or "/"
    names = []
    for manifest in manifests:
        relative = manifest
        if manifest.startswith("/"):
            absolute = posixpath.join(analysis.dockerfile.workdir_before(culprit), resolved_dir)
            prefix = posixpath.normpath(absolute).rstrip("/") + "/"
            if not manifest.startswith(prefix):
                return None
            relative = manifest[len(prefix) :]
        relative = normalize(relative)
        if not relative or relative.startswith(".."):
            return None
        names.append(relative)
    groups: dict[str, list[str]] = {}
    for name in dict.fromkeys(names):
        groups.setdefault(posixpath.dirname(name), []).append(name)
    flags = [
        flag_text(flag.name, flag.value) for flag in culprit.flags if flag.name in _COPY_FLAGS_KEPT
    ]
    lines = []  # one COPY per folder (nested requirement files may sit in another)
    for folder, members in groups.items():
        context_paths = [
            _present_or_glob(analysis, posixpath.join(source_dir, name)) for name in members
        ]
        whole = _whole_manifest_folder(analysis, posixpath.join(source_dir, folder), members)
        if whole is not None:
            context_paths = [whole]
        target = dest_dir if dest_dir not in (".", "./") else "."
        target = posixpath.join(target, folder) if folder else target
        target = "./" if target == "." else target.rstrip("/") + "/"
        lines.append(" ".join(["COPY", *flags, *context_paths, target]))
    return "\n".join(lines)


def _whole_manifest_folder(analysis: Analysis, folder: str, members: list[str]) -> str | None:
    """``requirements/`` when the install reads several files of a folder that, in the
    context, holds requirement files only (``COPY requirements/ ./requirements/``)."""
    context = analysis.context
    if len(members) < 2 or not folder or not is_manifest_folder(folder):
        return None
    if context is None or context.root is None or not (context.root / folder).is_dir():
        return None
    prefix = folder.rstrip("/") + "/"
    inside = [path for path in context.files() if path.startswith(prefix)]
    if not inside or not all(is_manifest(path) for path in inside):
        return None
    return prefix


def _present_or_glob(analysis: Analysis, path: str) -> str:
    """Lock files that may be missing get a ``*`` so the COPY cannot fail on them."""
    context = analysis.context
    if context is not None and context.root is not None:
        if context.exists(path):
            return path
        return path + "*"
    return path + "*" if posixpath.basename(path).lower() in _LOCK_FILES else path


def _bind_fix(analysis: Analysis, step: InstallStep) -> FixPlan | None:
    """Replace a bind mount of the whole context, or of a whole folder of a stage that
    copied the source (``from=src,source=/src``), by bind mounts of the manifests alone:
    BuildKit keys a bind mount on the content of what it mounts."""
    install = step.instruction
    if not step.manifests:
        return None
    workdir = analysis.dockerfile.workdir_before(install)
    flags: list[str] = []
    mount_values = iter(mounts(install))
    replaced = False
    for flag in install.flags:
        if flag.name != "mount":
            flags.append(flag_text(flag.name, flag.value))
            continue
        mount = next(mount_values)
        target = (mount.target or "").rstrip("/") or "/"
        if mount.type == "bind" and mount.from_ is None and not normalize(mount.source or ""):
            for manifest in step.manifests:
                relative = manifest
                if manifest.startswith("/"):
                    if not manifest.startswith(target + "/"):
                        return None
                    relative = manifest[len(target) + 1 :]
                relative = normalize(relative)
                flags.append(
                    f"--mount=type=bind,source={relative},target={posixpath.join(target, relative)}"
                )
            replaced = True
            continue
        inside = [
            path
            for path in (posixpath.join(workdir, manifest) for manifest in step.manifests)
            if path.startswith(target.rstrip("/") + "/")
        ]
        stage = stage_index(analysis.dockerfile, mount.from_) if mount.from_ else None
        if mount.type != "bind" or stage is None or not inside:
            flags.append(flag_text(flag.name, flag.value))
            continue
        folder = "/" + normalize(mount.source or "/")
        for path in inside:
            relative = path[len(target.rstrip("/")) + 1 :]
            source = posixpath.join(folder, relative)
            flags.append(f"--mount=type=bind,from={mount.from_},source={source},target={path}")
        replaced = True
    if not replaced:
        return None
    text = with_flags(install, flags)
    return FixPlan("bind", (Replace(install, text),), text)


def _project_fix(analysis: Analysis, step: InstallStep, culprit: Instruction) -> FixPlan | None:
    """Install the dependencies alone before the broad copy; keep the project install."""
    install = step.instruction
    tools = {item.tool for item in step.installs if item.installs_project}
    if len(tools) != 1:
        return None
    tool = tools.pop()
    kind = "project"
    flags = [flag_text(flag.name, flag.value) for flag in install.flags]
    if tool in _PROJECT_TOOLS:
        manifests, command, no_project = _PROJECT_TOOLS[tool]
        copy = _manifest_copy_line(analysis, culprit, manifests)
        if copy is None or command not in install.text:
            return None
        text = install.text.replace(command, f"{command} {no_project}", 1)
        dependencies = with_flags(install, flags, text)
    elif tool == "pip":
        project_step = _project_no_deps(step)
        extra = project_step[1] if project_step is not None else ()
        pip = _pip_words(install)
        requirements = _context_requirements(analysis)
        if _lists_own_project(analysis, requirements):
            return None  # installing it alone would need the source: the hint says what to do
        if not requirements:
            files = _dynamic_requirement_files(analysis)
            if files is None:
                return None
            requirements = files  # [tool.setuptools.dynamic] dependencies = {file = [...]}
        if requirements:
            requirements = tuple(dict.fromkeys((*requirements, *extra)))
            copy = _manifest_copy_line(analysis, culprit, _and_nested(analysis, requirements))
            listed = " ".join(f"-r {path}" for path in requirements)
            dependencies = " ".join(["RUN", *flags, f"{pip} {listed}"])
        else:
            copy = _manifest_copy_line(
                analysis, culprit, ("pyproject.toml", *_and_nested(analysis, extra))
            )
            if copy is None:
                return None
            folder = copy.splitlines()[0].split()[-1]
            path = normalize(posixpath.join(folder, "pyproject.toml"))
            if folder.startswith("/"):
                path = "/" + path
            run = pyproject_dependencies_command(path, _extras(step), pip)
            run += "".join(f" -r {name}" for name in extra)
            dependencies = " ".join(["RUN", *flags, run])
            kind = "pyproject"
        if copy is None:
            return None
        edits: tuple[Edit, ...] = (Insert(copy, culprit), Insert(dependencies, culprit))
        project = install.original
        if project_step is not None:
            project = with_flags(install, flags, project_step[0])
            edits = (*edits, Replace(install, project))
        lines = "\n".join((copy, dependencies, culprit.original, project))
        return FixPlan(kind, edits, lines)
    else:
        return None
    if copy is None:
        return None
    edits = (Insert(copy, culprit), Insert(dependencies, culprit))
    lines = "\n".join((copy, dependencies, culprit.original, install.original))
    return FixPlan(kind, edits, lines)


def _project_no_deps(step: InstallStep) -> tuple[str, tuple[str, ...]] | None:
    """The project install's RUN text with ``--no-deps`` on its pip command, which then adds
    only the project (the dependencies come from the step the fix puts before the copy), and
    the requirement files that command also named (they move to that step). None when it
    cannot be rewritten word for word (a wrapper, packages named beside the project)."""
    parts = and_list(step.instruction)
    if parts is None:
        return None
    by_index = {item.command_index: item for item in step.installs if item.source != "script"}
    texts = []
    moved: list[str] = []
    for part in parts:
        found = [by_index[run.index] for run in part.commands if run.index in by_index]
        project = [item for item in found if item.installs_project]
        if not project:
            texts.append(part.text)
            continue
        item = project[0]
        halves = pip_split(part, item) if len(found) == 1 else None
        if halves is None or item.named_packages or item.constraint_files:
            return None
        moved.extend(item.requirement_files)
        texts.append(halves[1])
    return " && ".join(texts), tuple(dict.fromkeys(moved))


PYPROJECT_NOTE = (
    "pip cannot install only the dependencies of a project from its pyproject.toml, so the "
    "fix copies pyproject.toml alone, lists its [project] dependencies into "
    "/tmp/requirements.txt (read with Python's tomllib, or on Python before 3.11 with the "
    "TOML reader pip itself carries) and installs those; that layer changes only when "
    "pyproject.toml does. The project install after the full copy, with --no-deps, then adds "
    "only your code."
)
TOML_READERS = ("tomllib", "pip._vendor.tomli", "pip._vendor.toml")
"""Where the fix's one-liner finds a TOML reader, first found first: the standard library's
(Python 3.11+), else the one pip vendors to read ``pyproject.toml``'s ``[build-system]``
itself (PEP 518): ``tomli`` since pip 21.2, ``toml`` from pip 19.0 to 21.1. Any pip that
honours pyproject.toml can therefore parse it, on any Python 3 the image has; all three
readers offer ``loads(str)``, so the one-liner reads the file as text."""


def pyproject_dependencies_command(
    path: str = "pyproject.toml", extras: tuple[str, ...] = (), pip: str = "pip install"
) -> str:
    """A shell command that installs the ``[project]`` dependencies (and ``extras``) listed
    in ``path`` without the project's source: only the image's Python and pip (see
    :data:`TOML_READERS` for why it needs no Python 3.11)."""
    groups = ""
    if extras:
        names = ", ".join(repr(name) for name in extras)
        groups = (
            f" + [d for x in ({names},) for d in p.get('optional-dependencies', {{}}).get(x, [])]"
        )
    readers = ", ".join(repr(name) for name in TOML_READERS)
    script = (
        "import importlib, importlib.util as u; "
        f"t = importlib.import_module(next(n for n in ({readers}) if u.find_spec(n))); "
        f"p = t.loads(open('{path}', encoding='utf-8').read())['project']; "
        f"print('\\n'.join(p.get('dependencies', []){groups}))"
    )
    return f'python -c "{script}" > /tmp/requirements.txt && {pip} -r /tmp/requirements.txt'


def _and_nested(analysis: Analysis, files: tuple[str, ...]) -> tuple[str, ...]:
    """``files`` and the requirement files they include (``-r base.txt``)."""
    if analysis.context is None:
        return files
    return (*files, *nested_requirements(analysis.context, files))


def _pip_words(install: Instruction) -> str:
    """``pip install`` as the learner spelled it, with ``--no-cache-dir`` if they used it."""
    text = install.text
    command = "python -m pip install" if "-m pip install" in text else "pip install"
    if "uv pip install" in text:
        command = "uv pip install --system" if "--system" in text else "uv pip install"
    if "--no-cache-dir" in text:
        command += " --no-cache-dir"
    return command


def _extras(step: InstallStep) -> tuple[str, ...]:
    """The extras a project install asks for (``pip install -e ".[dev,test]"``)."""
    found: list[str] = []
    for item in step.installs:
        if not item.installs_project:
            continue
        for word in item.command.split():
            head, bracket, rest = word.strip("\"'").partition("[")
            if bracket and head.startswith(".") and rest.endswith("]"):
                found.extend(name.strip() for name in rest[:-1].split(",") if name.strip())
    return tuple(dict.fromkeys(found))


def _lists_own_project(analysis: Analysis, requirements: tuple[str, ...]) -> bool:
    """Does a requirement file list the project itself (``-e .``)?"""
    context = analysis.context
    return context is not None and bool(local_projects(context, requirements))


def _context_requirements(analysis: Analysis) -> tuple[str, ...]:
    """The context's requirement file for the project: ``requirements.txt``, or the only
    top-level ``requirements*.txt``. Empty without a context or without such a file."""
    context = analysis.context
    if context is None or context.root is None:
        return ()
    if context.exists("requirements.txt"):
        return ("requirements.txt",)
    found = sorted(
        path.name
        for path in context.root.glob("requirements*.txt")
        if context.is_file(path.name) and not context.is_ignored(path.name)
    )
    return (found[0],) if len(found) == 1 else ()


def _dynamic_requirement_files(analysis: Analysis) -> tuple[str, ...] | None:
    """What the pyproject.toml fix needs, read from the context:

    () when ``[project] dependencies`` is listed there (or there is no context to read);
    the requirement files of ``[tool.setuptools.dynamic] dependencies`` when the list is
    dynamic; None when pyproject.toml is missing or names no dependencies we can read.
    """
    context = analysis.context
    if context is None or context.root is None:
        return ()
    if context.is_ignored("pyproject.toml"):
        return None
    text = context.read_text("pyproject.toml")  # never out of the context, never blocks
    if text is None:
        return None
    try:
        import tomllib

        data = tomllib.loads(text)
    except (ValueError, ImportError):
        return None
    project = data.get("project")
    if not isinstance(project, dict):
        return None
    if "dependencies" in project.get("dynamic", ()):
        dynamic = data.get("tool", {}).get("setuptools", {}).get("dynamic", {})
        files = dynamic.get("dependencies", {}).get("file") if isinstance(dynamic, dict) else None
        if isinstance(files, str):
            files = [files]
        if not files or not all(isinstance(name, str) for name in files):
            return None
        return tuple(normalize(name) for name in files)
    return ()


REQUIREMENTS_NOTE = (
    "Your project lists its dependencies where pip cannot read them without the source "
    "(setup.py, or a dynamic pyproject.toml): list them in a requirements.txt (setup.py can "
    "read it for install_requires), copy it alone and install it first."
)
ISOLATED_NOTE = (
    "pipx and uv tool install put the project in a venv of their own, which no earlier "
    "install reaches: make that venv yourself and fill it with the dependencies from "
    "pyproject.toml copied alone; after the full copy, `/opt/venv/bin/pip install --no-deps .` "
    "adds the project and PATH=/opt/venv/bin:$PATH runs it."
)
OWN_PROJECT_NOTE = (
    "Your requirements file lists the project itself (-e . or a local path), which needs "
    "the source: install every other line of it first, from the file copied alone; the "
    "install after the full copy then adds only the project."
)
HATCH_NOTE = (
    "A hatch environment installs the project with its dependencies, and hatch has no "
    "dependency-only mode: list the dependencies from pyproject.toml alone with `hatch dep "
    "show requirements`, install those first with pip, and after the full copy install the "
    "project with `pip install --no-deps .` rather than in a hatch environment."
)


def project_hint(tool: str, analysis: Analysis | None = None) -> tuple[str, str]:
    """(the dependency-only install to show when no exact fix can be planned, a note for
    the message). The hint copies the manifests the install reads first, so it builds."""
    if tool in _PROJECT_TOOLS:
        manifests, command, no_project = _PROJECT_TOOLS[tool]
        names = " ".join(f"{name}*" if name.lower() in _LOCK_FILES else name for name in manifests)
        if tool == "uv":
            return f"COPY {names} ./\nRUN uv sync --locked --no-install-project", ""
        return f"COPY {names} ./\nRUN {command} {no_project}", ""
    if tool == "pipx":
        venv = "python -m venv /opt/venv && "
        run = venv + pyproject_dependencies_command(pip="/opt/venv/bin/pip install")
        return f"COPY pyproject.toml ./\nRUN {run}", ISOLATED_NOTE
    if tool == "hatch":
        listed = "hatch dep show requirements > /tmp/requirements.txt"
        return f"COPY pyproject.toml ./\nRUN {listed} && pip install -r /tmp/requirements.txt", (
            HATCH_NOTE
        )
    if tool == "pip" and analysis is not None:
        requirements = _context_requirements(analysis)
        if _lists_own_project(analysis, requirements):
            name = requirements[0]
            own = r"^\s*(-e|--editable)?\s*(\.|file:)"
            listed = f"grep -Ev '{own}' {name} > /tmp/requirements.txt"
            run = f"RUN {listed} && pip install -r /tmp/requirements.txt"
            return f"COPY {name} ./\n{run}", OWN_PROJECT_NOTE
    if tool == "pip" and analysis is not None and _dynamic_requirement_files(analysis) is None:
        return "COPY requirements.txt ./\nRUN pip install -r requirements.txt", REQUIREMENTS_NOTE
    return f"COPY pyproject.toml ./\nRUN {pyproject_dependencies_command()}", PYPROJECT_NOTE
