"""LC012: a build input copied by name before the install reruns it when edited."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from checker.cache import (
    context_sources,
    normalize,
    source_matches,
)
from checker.dockerfile.model import Instruction
from checker.grading.findings import Finding
from checker.rules.analysis import Analysis, InstallStep, is_manifest_source, landed_name
from checker.rules.base import Rule, describe
from checker.shell.manifests import PROJECT_SETTINGS
from checker.shell.mounts import bind_sources as context_bind_sources

_MAX_COPIES = 24  # a cache prediction per copy: enough for any real Dockerfile


class BuildInputBeforeInstall(Rule):
    """A build input (a script a ``RUN`` executes, ``wheels/``, ``rootfs/``, a configuration
    file) is copied by its name before the dependency install.

    Such files are not the application code a developer edits every day, so the verdict does
    not rest on them: a change to the code still finds the install cached. But BuildKit keys
    a ``COPY`` on the files it copies, so editing one of them reruns that ``COPY``, the
    install after it and every later step. That is fine for files that rarely change and that
    the install needs (a ``pip.conf``, the wheels it installs from); a file the install does
    not need can go after it.

    **Anti-pattern**

    .. code-block:: dockerfile

        COPY docker/entrypoint.sh /usr/local/bin/
        COPY requirements.txt .
        RUN pip install -r requirements.txt

    **Best practice**

    .. code-block:: dockerfile

        COPY requirements.txt .
        RUN pip install -r requirements.txt
        COPY docker/entrypoint.sh /usr/local/bin/
    """

    id = "LC012"
    name = "build-input-before-install"
    severity = "info"

    def check(self, analysis: Analysis) -> Iterator[Finding]:
        if not analysis.install_steps:
            return
        checked = 0
        for stage in analysis.dockerfile.stages:
            if stage.index not in analysis.built:
                continue
            for item in stage.instructions:
                inputs = _build_inputs(analysis, item)
                if not inputs:
                    continue
                if checked >= _MAX_COPIES:
                    return
                checked += 1
                found = _rerun_install(analysis, item, inputs)
                if found is None:
                    continue
                source, reason, step = found
                verb = "binds" if context_sources(item) is None else "copies"
                runner = analysis.runner_of(item, normalize(source))
                moved = [step.instruction.original, item.original]
                if runner is not None and runner is not step.instruction:
                    moved.append(runner.original)
                advice = "If the install does not need it and it changes often, copy it after."
                if _read_by(analysis, item, source, step):
                    advice = "The install reads it, so it belongs before the install."
                    moved = [item.original, step.instruction.original]
                yield self.finding(
                    item,
                    f"{describe(item)} {verb} {source}, {reason}, before the install on "
                    f"{describe(step.instruction)}. It is not application code, so the verdict "
                    "does not count it, but BuildKit keys this step on the files it copies: "
                    f"editing {source} reruns it, the install and every later step. {advice}",
                    "\n".join(moved),
                )


def _read_by(analysis: Analysis, item: Instruction, source: str, step: InstallStep) -> bool:
    """Does the install name the copied input (``--find-links /wheels``, ``-c pip.conf``)?"""
    if item is step.instruction:
        return True  # a bind mount of the install itself
    words = step.instruction.text.replace("=", " ").split()
    destination = item.resolved_arguments[-1] if item.arguments else ""
    workdir = analysis.dockerfile.workdir_before(item)
    where = posixpath.normpath(posixpath.join(workdir, destination)) if destination else ""
    name = posixpath.basename(normalize(source))
    for word in words:
        path = posixpath.normpath(
            posixpath.join(analysis.dockerfile.workdir_before(step.instruction), word)
        )
        if where and where != "/" and (path == where or path.startswith(where + "/")):
            return True
        if posixpath.basename(word.rstrip("/")) == name:
            return True
    return False


def _build_inputs(analysis: Analysis, item: Instruction) -> list[tuple[str, str]]:
    """(source, why it is a build input) for the context sources of a COPY/ADD or a RUN's
    bind mounts that are build inputs and not dependency files."""
    sources = context_sources(item)
    if sources is None:
        sources = context_bind_sources(item) if item.keyword == "RUN" else ()
    found = []
    for source in sources:
        if is_manifest_source(source):
            continue
        reason = analysis.build_input_reason(item, source)
        if reason is not None:
            found.append((source, reason))
    return found


def _rerun_install(
    analysis: Analysis, item: Instruction, inputs: list[tuple[str, str]]
) -> tuple[str, str, InstallStep] | None:
    """The first input whose edit reruns a dependency install, with that install. An input
    the install reads as its dependency file (``env.yaml``, ``requirements.lock``) or runs as
    its own script (LC009 says what editing that does) is not reported."""
    for source, reason in inputs:
        changed = _a_file_of(analysis, source)
        if changed is None:
            continue
        if any(_a_manifest_of(step, item, source) for step in analysis.install_steps):
            continue
        prediction = analysis.predict((changed,))
        runner = analysis.runner_of(item, normalize(source))
        for step in analysis.install_steps:
            if step.instruction is item and item.keyword != "RUN":
                continue
            if runner is step.instruction:
                continue
            before = step.instruction is item or item in analysis.chain_before(step.instruction)
            if before and analysis.rebuilt(step.instruction, prediction):
                return source, reason, step
    return None


def _a_manifest_of(step: InstallStep, item: Instruction, source: str) -> bool:
    """Does the install read ``source`` as a dependency file, under its own name or the one
    the copy gives it (``COPY env-docker.yml /tmp/env.yaml``), or as its settings
    (``.python-version``)?"""
    names = {posixpath.basename(normalize(source))}
    if item.keyword != "RUN" and len(context_sources(item) or ()) == 1:
        names.add(landed_name(item))
    if names & PROJECT_SETTINGS:
        return True
    read = (*step.manifests, *(path for install in step.installs for path in install.reads))
    return any(posixpath.basename(path) in names for path in read)


def _a_file_of(analysis: Analysis, source: str) -> str | None:
    """A context file ``source`` brings (a made-up one inside a folder without a context)."""
    context = analysis.context
    if context is not None and context.root is not None:
        return next((path for path in context.files() if source_matches(source, path)), None)
    clean = source.strip("/").removeprefix("./")
    name = posixpath.basename(clean)
    return clean if "." in name else f"{clean}/file"
