"""LC011: a file the build copies or installs from is not in the build context."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from checker.cache_model import context_sources, normalize
from checker.report import Finding
from checker.rules.analysis import Analysis
from checker.rules.base import Rule, describe
from checker.shell.hidden_installs import script_runs
from checker.shell.mounts import mounts

_GLOB = frozenset("*?[")


class MissingContextFile(Rule):
    """A ``COPY`` source, or a requirements file an install reads, is not in the build context
    (or ``.dockerignore`` leaves it out).

    The build fails at that step (``COPY failed: file not found``, or pip's "Could not open
    requirements file"), so no layer order can help. Checked only when the build context is
    given.

    **Anti-pattern**

    .. code-block:: dockerfile

        COPY requirements/base.txt .
        RUN pip install -r requirements/base.txt

    **Best practice**

    .. code-block:: dockerfile

        COPY requirements.txt .
        RUN pip install -r requirements.txt
    """

    id = "LC011"
    name = "missing-context-file"
    severity = "error"

    def check(self, analysis: Analysis) -> Iterator[Finding]:
        for step in analysis.install_steps:  # with a context or without: by position
            missing = _project_metadata_missing(analysis, step.instruction, step.installs)
            if missing is not None:
                yield self.finding(
                    step.instruction,
                    f"{describe(step.instruction)} installs the project from {missing}, but "
                    "no pyproject.toml, setup.py or setup.cfg is there at this point (none is "
                    "copied before it, or the context has none): the install fails.",
                    "COPY pyproject.toml ./   # and the package's source, before the install",
                )
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
            return not clean or clean in files or clean in folders

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
                        analysis.workdir_at(instruction), script.cwd or "", script.script
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


def _project_metadata_missing(analysis: Analysis, instruction, installs) -> str | None:  # type: ignore[no-untyped-def]
    """The project directory a pip install reads (``.``) where the context holds no project
    metadata at all, or where nothing copied before the install can have brought it."""
    if not any(
        install.tool == "pip" and install.installs_project and "." in install.reads
        for install in installs
    ):
        return None
    context = analysis.context
    has_context = context is not None and context.root is not None
    if has_context and not any(context.exists(name) for name in _METADATA):  # type: ignore[union-attr]
        return "the working directory"
    for item in analysis.chain_before(instruction):
        if item.keyword in ("COPY", "ADD"):
            sources = context_sources(item)
            if sources is None or any(
                not normalize(source)
                or any(char in source for char in _GLOB)
                or posixpath.basename(normalize(source)) in _METADATA
                or "." not in posixpath.basename(normalize(source))
                for source in sources
            ):
                return None  # a stage copy, the whole context, a folder or the metadata
        if item.keyword == "RUN" and any(name in item.text for name in _METADATA):
            return None  # written by the build
    return "the working directory"


def _copied_names(analysis: Analysis, instruction) -> list[str]:  # type: ignore[no-untyped-def]
    """Destinations written before the install (a file generated or renamed by the build)."""
    names = []
    for item in analysis.chain_before(instruction):
        if item.keyword in ("COPY", "ADD") and item.arguments:
            names.append(posixpath.basename(item.resolved_arguments[-1].rstrip("/")))
        if item.keyword == "RUN":
            names.extend(word for word in item.text.split() if word.endswith((".txt", ".in")))
    return names
