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

import posixpath
from dataclasses import dataclass

from checker.cache_model import context_bind_sources, context_sources, mounts, normalize
from checker.dockerfile.model import Instruction
from checker.rules.analysis import Analysis, InstallStep, reads_context
from checker.rules.rewrite import Edit, Insert, Move, Replace, flag_text, with_flags

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


def plan_fix(analysis: Analysis, step: InstallStep, culprit: Instruction) -> FixPlan | None:
    """The fix for ``step``, rebuilt because of ``culprit``; None when we cannot tell one."""
    install = step.instruction
    if not reads_context(culprit):
        return None  # rebuilt because another stage was: that stage's install is the fix
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
    dependency file and may write it from the copied source).
    """
    stage = analysis.dockerfile.stages[install.stage]
    carried = [
        item
        for item in stage.instructions
        if culprit.line < item.line < install.line and item is not manifest_copy
    ]
    destination = culprit.arguments[-1] if culprit.arguments else ""
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


def _manifest_copy_line(
    analysis: Analysis, culprit: Instruction, manifests: tuple[str, ...]
) -> str | None:
    """``COPY <manifests> <dest>`` for a broad ``COPY <dir> <dest>``, or None."""
    sources = context_sources(culprit)
    if not sources or len(sources) != 1 or any(char in sources[0] for char in "*?["):
        return None
    source_dir = normalize(sources[0])
    dest = culprit.arguments[-1]
    dest_dir = dest.rstrip("/") or "/"
    names = []
    for manifest in manifests:
        relative = manifest
        if manifest.startswith("/"):
            absolute = posixpath.join(workdir_at(analysis, culprit), dest_dir)
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
    if len(groups) != 1:
        return None
    ((folder, members),) = groups.items()
    context_paths = [
        _present_or_glob(analysis, posixpath.join(source_dir, name)) for name in members
    ]
    target = dest_dir if dest_dir not in (".", "./") else "."
    target = posixpath.join(target, folder) if folder else target
    target = "./" if target == "." else target.rstrip("/") + "/"
    flags = [
        flag_text(flag.name, flag.value) for flag in culprit.flags if flag.name in _COPY_FLAGS_KEPT
    ]
    return " ".join(["COPY", *flags, *context_paths, target])


def workdir_at(analysis: Analysis, instruction: Instruction) -> str:
    """The WORKDIR in effect for ``instruction`` (following its stage's FROM lineage)."""
    workdir = "/"
    for item in analysis.chain_before(instruction):
        if item.keyword == "WORKDIR" and item.arguments:
            workdir = posixpath.join(workdir, item.arguments[0])
    return workdir


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
        if mount.type != "bind" or mount.from_ is not None or normalize(mount.source):
            flags.append(flag_text(flag.name, flag.value))
            continue
        target = mount.target.rstrip("/") or "/"
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
    if tool in _PROJECT_TOOLS:
        manifests, command, no_project = _PROJECT_TOOLS[tool]
        copy = _manifest_copy_line(analysis, culprit, manifests)
        if copy is None or command not in install.text:
            return None
        text = install.text.replace(command, f"{command} {no_project}", 1)
        flags = [flag_text(flag.name, flag.value) for flag in install.flags]
        dependencies = with_flags(install, flags, text)
    elif tool == "pip" and _has_context_file(analysis, "requirements.txt"):
        copy = _manifest_copy_line(analysis, culprit, ("requirements.txt",))
        if copy is None:
            return None
        flags = [flag_text(flag.name, flag.value) for flag in install.flags]
        dependencies = " ".join(["RUN", *flags, "pip install -r requirements.txt"])
    else:
        return None
    edits = (Insert(copy, culprit), Insert(dependencies, culprit))
    lines = "\n".join((copy, dependencies, culprit.original, install.original))
    return FixPlan("project", edits, lines)


def _has_context_file(analysis: Analysis, name: str) -> bool:
    context = analysis.context
    return context is not None and context.exists(name)
