"""How to reorder a Dockerfile so that a dependency install stays in the cache.

For one install step that a code change rebuilds, :func:`plan_fix` returns the structured
edits (see :mod:`checker.rules.rewrite`) and the fixed lines to show the learner. Four
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
from dataclasses import dataclass

from checker.cache_model import context_bind_sources, context_sources, normalize
from checker.dockerfile.model import Instruction
from checker.rules.analysis import Analysis, InstallStep, reads_context
from checker.rules.requirement_files import nested_requirements
from checker.rules.rewrite import Edit, Insert, Move, Replace, flag_text, with_flags
from checker.shell.manifests import is_manifest, is_manifest_folder
from checker.shell.mounts import mounts

MAX_CARRIED = 100
"""Steps between the broad copy and the install a fix carries along; past it no exact fix
is planned (the learner gets the hint), which keeps planning linear on hostile files."""
_LOCK_FILES = frozenset({"poetry.lock", "uv.lock", "pipfile.lock", "pdm.lock"})
_COPY_FLAGS_KEPT = ("chown", "chmod", "link")
_PROJECT_TOOLS = {
    "poetry": (("pyproject.toml", "poetry.lock"), "poetry install", "--no-root"),
    "uv": (("pyproject.toml", "uv.lock"), "uv sync", "--no-install-project"),
    "pdm": (("pyproject.toml", "pdm.lock"), "pdm install", "--no-self"),
}


@dataclass(frozen=True)
class FixPlan:
    """Edits that keep one install in the cache, and the fixed lines to show."""

    kind: str  # move | insert-copy | bind | project
    edits: tuple[Edit, ...]
    lines: str


_GLOB_CHARS = frozenset("*?[")


def plan_fix(analysis: Analysis, step: InstallStep, culprit: Instruction) -> FixPlan | None:
    """The fix for ``step``, rebuilt because of ``culprit``; None when we cannot tell one."""
    install = step.instruction
    if not reads_context(culprit):
        return None  # rebuilt because another stage was: that stage's install is the fix
    if step.assumed:
        return None  # what the unread script needs is not known: no reorder is offered
    if culprit is install:
        return _bind_fix(analysis, step)
    if culprit.stage != install.stage or culprit.keyword not in ("COPY", "ADD"):
        return None
    if step.installs_project and analysis.earlier_dependency_install(step) is None:
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
    carried = _carried_between(analysis, culprit, install, manifest_copy, step.manifests)
    if carried is None:
        return None
    carried_edits = [Move(item, culprit) for item in carried]
    carried_lines = [item.original for item in carried]
    if manifest_copy is not None or not step.manifests:
        edits: list[Edit] = list(carried_edits)
        shown = list(carried_lines)
        if manifest_copy is not None and manifest_copy is not install:
            if manifest_copy.line > culprit.line:
                edits.append(Move(manifest_copy, culprit))
            shown.append(manifest_copy.original)
        edits.append(Move(install, culprit))
        shown.extend((install.original, culprit.original))
        return FixPlan("move", tuple(edits), "\n".join(shown))
    if any(not normalize(source) for source in context_bind_sources(install)):
        # The install binds the whole context itself: bind the manifests instead, and
        # move it above the broad copy.
        bind = _bind_fix(analysis, step)
        if bind is None:
            return None
        edits_: tuple[Edit, ...] = (*bind.edits, Move(install, culprit))
        return FixPlan("bind", edits_, f"{bind.lines}\n{culprit.original}")
    copy = _manifest_copy_line(analysis, culprit, step.manifests)
    if copy is None:
        return None
    edits = [*carried_edits, Insert(copy, culprit), Move(install, culprit)]
    return FixPlan(
        "insert-copy",
        tuple(edits),
        "\n".join((*carried_lines, copy, install.original, culprit.original)),
    )


def _carried_between(
    analysis: Analysis,
    culprit: Instruction,
    install: Instruction,
    manifest_copy: object,
    manifests: tuple[str, ...],
) -> list[Instruction] | None:
    """The steps between the broad copy and the install, which must stay above the install.

    Moving the install above the copy must not move it above a ``WORKDIR``, ``ENV``,
    ``USER`` or ``RUN apt-get install gcc`` it relies on: those steps go above the copy
    with it, in order. None when that would change the copy itself (a ``WORKDIR`` under a
    relative destination, an ``ENV``/``ARG`` its text expands, a ``RUN`` that names a
    dependency file and may write it from the copied source). None as well past
    :data:`MAX_CARRIED` steps.
    """
    members = analysis.dockerfile.stages[install.stage].instructions
    start = bisect.bisect_right(members, culprit.line, key=_line)
    end = bisect.bisect_left(members, install.line, key=_line)
    if end - start > MAX_CARRIED + 1:
        return None
    carried = [item for item in members[start:end] if item is not manifest_copy]
    destination = culprit.resolved_arguments[-1] if culprit.arguments else ""
    for item in carried:
        if item.keyword == "WORKDIR" and not destination.startswith("/"):
            return None
        if item.keyword in ("ENV", "ARG") and "$" in culprit.original:
            return None
        if item.keyword == "RUN" and any(
            posixpath.basename(path) in item.original for path in manifests
        ):
            return None  # it may write the manifest from the copied source
    return carried


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
            absolute = posixpath.join(analysis.workdir_at(culprit), resolved_dir)
            prefix = posixpath.normpath(absolute).rstrip("/") + "/"
            if not manifest.startswith(prefix):
                return None
            relative = manifest[len(prefix) :]
        relative = normalize(relative)
        if not relative or relative.startswith(".."):
            return None
        names.append(relative)
    groups: dict[str, list[str]] = {}
    for name in names:
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
    """Replace a bind mount of the whole context by bind mounts of the manifests."""
    install = step.instruction
    if not step.manifests:
        return None
    flags: list[str] = []
    mount_values = iter(mounts(install))
    replaced = False
    for flag in install.flags:
        if flag.name != "mount":
            flags.append(flag_text(flag.name, flag.value))
            continue
        mount = next(mount_values)
        if mount.type != "bind" or mount.from_ is not None or normalize(mount.source or ""):
            flags.append(flag_text(flag.name, flag.value))
            continue
        target = (mount.target or "").rstrip("/") or "/"
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
        pip = _pip_words(install)
        requirements = _context_requirements(analysis)
        if requirements:
            copy = _manifest_copy_line(analysis, culprit, _and_nested(analysis, requirements))
            listed = " ".join(f"-r {path}" for path in requirements)
            dependencies = " ".join(["RUN", *flags, f"{pip} {listed}"])
        else:
            files = _dynamic_requirement_files(analysis)
            if files is None:
                return None
            if files:  # [tool.setuptools.dynamic] dependencies = {file = [...]}
                copy = _manifest_copy_line(analysis, culprit, _and_nested(analysis, files))
                listed = " ".join(f"-r {path}" for path in files)
                dependencies = " ".join(["RUN", *flags, f"{pip} {listed}"])
            else:
                copy = _manifest_copy_line(analysis, culprit, ("pyproject.toml",))
                if copy is None:
                    return None
                folder = copy.split()[-1]
                path = normalize(posixpath.join(folder, "pyproject.toml"))
                if folder.startswith("/"):
                    path = "/" + path
                run = pyproject_dependencies_command(path, _extras(step), pip)
                dependencies = " ".join(["RUN", *flags, run])
                kind = "pyproject"
    else:
        return None
    if copy is None:
        return None
    edits = (Insert(copy, culprit), Insert(dependencies, culprit))
    lines = "\n".join((copy, dependencies, culprit.original, install.original))
    return FixPlan(kind, edits, lines)


PYPROJECT_NOTE = (
    "pip cannot install only the dependencies of a project from its pyproject.toml, so the "
    "fix copies pyproject.toml alone, lists its [project] dependencies with Python's "
    "tomllib (Python 3.11+) into /tmp/requirements.txt and installs those; that layer "
    "changes only when pyproject.toml does. The project install after the full copy then finds "
    "every dependency installed and adds only your code."
)


def pyproject_dependencies_command(
    path: str = "pyproject.toml", extras: tuple[str, ...] = (), pip: str = "pip install"
) -> str:
    """A shell command that installs the ``[project]`` dependencies (and ``extras``) listed
    in ``path`` without the project's source: only Python 3.11's tomllib and pip."""
    groups = ""
    if extras:
        names = ", ".join(repr(name) for name in extras)
        groups = (
            f" + [d for x in ({names},) for d in p.get('optional-dependencies', {{}}).get(x, [])]"
        )
    script = (
        f"import tomllib; p = tomllib.load(open('{path}', 'rb'))['project']; "
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


def project_hint(tool: str, analysis: Analysis | None = None) -> tuple[str, str]:
    """(the dependency-only install to show when no exact fix can be planned, a note for
    the message). The hint copies the manifests the install reads first, so it builds."""
    if tool in _PROJECT_TOOLS:
        manifests, command, no_project = _PROJECT_TOOLS[tool]
        names = " ".join(f"{name}*" if name.lower() in _LOCK_FILES else name for name in manifests)
        if tool == "uv":
            return f"COPY {names} ./\nRUN uv sync --locked --no-install-project", ""
        return f"COPY {names} ./\nRUN {command} {no_project}", ""
    if tool == "pip" and analysis is not None and _dynamic_requirement_files(analysis) is None:
        return "COPY requirements.txt ./\nRUN pip install -r requirements.txt", REQUIREMENTS_NOTE
    return f"COPY pyproject.toml ./\nRUN {pyproject_dependencies_command()}", PYPROJECT_NOTE


def _has_context_file(analysis: Analysis, name: str) -> bool:
    context = analysis.context
    return context is not None and context.exists(name)
