"""What is in the image at a step: where a path of the image comes from, if anywhere.

Why LC011 needs this beside the build context: a file that is in the context but was never
copied reaches no ``RUN``. ``pip install -r requirements.txt`` before any ``COPY`` fails with
"Could not open requirements file" however complete the context is, and so does a
``prod.txt`` copied alone when it includes ``-r base.txt``: pip reads ``base.txt`` beside
``prod.txt`` in the image. So for a path an install reads, we walk the steps its layer builds
on, latest first, and ask which one put something there: a ``COPY``/``ADD`` from the context
(and which context file), a bind mount of the step itself, or a step whose effect we cannot
know (a ``COPY --from`` a stage, an archive ``ADD`` extracts, a script, a program that writes
files we do not track). Where we cannot know, the path counts as present: a finding must be
sure. The base image is assumed to hold none of the project's files (the findings say so).
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from checker.cache import context_sources, normalize
from checker.dockerfile.model import Instruction
from checker.rules.analysis import Analysis
from checker.rules.environments import steps_back
from checker.shell.commands import once_per_grade
from checker.shell.installs import MAX_RUN_TEXT, install_command, installs_in
from checker.shell.mounts import mounts
from checker.shell.sources import run_commands

_GLOB = re.compile(r"[*?\[]")
# How many steps back the origin of a path is looked for; past it the path may be there (a
# finding must be sure), so a file of thousands of steps stays linear.
MAX_LOOKBACK = 32
_ARCHIVES = (".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar.zst")
# Programs that write no file they do not name (in their words or a redirection): package
# managers write their environments and system folders, the rest only what they are given.
_NAMING_PROGRAMS = frozenset(
    ("pip", "pip3", "uv", "poetry", "pipenv", "pdm", "pip-sync", "pip-compile", "conda",
     "mamba", "micromamba", "virtualenv", "apt-get", "apt", "dpkg", "apk", "yum", "dnf",
     "microdnf", "zypper", "useradd", "adduser", "groupadd", "addgroup", "usermod",
     "update-ca-certificates", "locale-gen", "mkdir", "chmod", "chown", "chgrp", "rm", "ln",
     "echo", "printf", "true", "false", "set", "export", "cd", "ls", "test", "[", "which",
     "command", "id", "whoami", "sleep", "umask", ":", "ldconfig", "touch", "sed", "grep",
     "cat", "tee", "curl", "wget", "find", "env", "unset")
)  # fmt: skip
_PYTHON_MODULES = frozenset(("pip", "venv", "ensurepip", "compileall", "virtualenv"))
_PYTHON = re.compile(r"^python(\d+(\.\d+)*)?$")


@dataclass(frozen=True)
class Origin:
    """Where an image path comes from at a step.

    ``kind``: "context" (``path`` is the context file or folder copied or bind-mounted
    there), "unknown" (a step may have put it there; we cannot tell what), "none" (nothing
    before the step puts it there).
    """

    kind: str
    path: str = ""
    step: Instruction | None = None

    @property
    def present(self) -> bool:
        return self.kind != "none"


NOWHERE = Origin("none")


def origin(analysis: Analysis, instruction: Instruction, path: str) -> Origin:
    """Where the absolute image path ``path`` comes from when ``instruction`` runs."""
    path = posixpath.normpath(path)
    own = _bind_origin(analysis, instruction, path)
    if own is None and instruction.keyword == "RUN":
        own = _run_origin(analysis, instruction, path)  # an earlier command of the same RUN
    if own is not None:
        return own
    for looked, item in enumerate(steps_back(analysis.dockerfile, instruction)):
        if looked >= MAX_LOOKBACK:
            return Origin("unknown", step=item)  # too far back to follow: may be there
        found: Origin | None = None
        if item.keyword in ("COPY", "ADD"):
            workdir = analysis.dockerfile.workdir_before(item)
            found = _copy_origin(analysis, item, workdir, path)
        elif item.keyword == "RUN":
            found = _run_origin(analysis, item, path)
        if found is not None:
            return found
    if _base_may_hold_files(analysis, instruction):
        return Origin("unknown")
    return NOWHERE


def resolve(analysis: Analysis, instruction: Instruction, path: str, cwd: str | None) -> str:
    """The absolute image path of ``path`` as a command of ``instruction`` names it."""
    base = posixpath.join(analysis.dockerfile.workdir_before(instruction), cwd or "")
    return posixpath.normpath(posixpath.join(base, path))


def _base_may_hold_files(analysis: Analysis, instruction: Instruction) -> bool:
    """An ``onbuild`` image copies the context itself when a stage is built FROM it."""
    lineage = analysis.lineage(instruction.stage)
    root = analysis.dockerfile.stages[lineage[0]] if lineage else None
    return root is not None and "onbuild" in root.base.lower()


def _inside(path: str, folder: str) -> str | None:
    """``path`` relative to ``folder`` ("" for the folder itself), or None if outside."""
    folder = folder.rstrip("/") or "/"
    if path == folder:
        return ""
    prefix = folder if folder == "/" else folder + "/"
    return path[len(prefix) :] if path.startswith(prefix) else None


def _context_origin(analysis: Analysis, source: str, item: Instruction) -> Origin | None:
    """The context entry ``source`` as what a step brings, or None where the context (when
    given) has no such file or folder: then that step did not put it there."""
    context = analysis.context
    if context is None or context.root is None or not source:
        return Origin("context", source, item)
    if context.is_ignored(source) or not context.exists(source):
        return None
    return Origin("context", source, item)


def _copy_origin(analysis: Analysis, item: Instruction, workdir: str, path: str) -> Origin | None:
    arguments = item.resolved_arguments
    if len(arguments) < 2:
        return None
    raw = arguments[-1]
    destination = posixpath.normpath(posixpath.join(workdir, raw))
    relative = _inside(path, destination)
    sources = context_sources(item)
    if sources is None:  # --from a stage or an image, a URL, a heredoc: contents unknown
        return Origin("unknown", step=item) if relative is not None else None
    into_folder = raw.endswith("/") or len(arguments) > 2 or raw in (".", "./")
    for source in reversed(sources):
        clean = normalize(source)
        if (
            "$" in source
            or _GLOB.search(clean)
            or (item.keyword == "ADD" and clean.endswith(_ARCHIVES))
        ):
            if relative is not None:
                return Origin("unknown", step=item)
            continue
        name = posixpath.basename(clean)
        candidates: list[str] = []
        context = analysis.context
        has_context = context is not None and context.root is not None
        # A folder's contents (or the whole context) land under the destination; without a
        # context, a source named like a file (app.py) is taken to be one.
        if relative is not None and (has_context or not clean or "." not in name):
            candidates.append(posixpath.join(clean, relative) if relative else clean)
        if path == posixpath.join(destination, name) and clean:
            candidates.append(clean)  # a file copied into the destination folder
        if relative == "" and clean and not into_folder:
            candidates.append(clean)  # a file copied to the destination's name
        for candidate in dict.fromkeys(candidates):
            found = _context_origin(analysis, normalize(candidate), item)
            if found is not None:
                return found
        if candidates and has_context and not context.exists(clean):  # type: ignore[union-attr]
            return Origin("unknown", step=item)  # LC011 reports the missing source itself
    return None


def _bind_origin(analysis: Analysis, instruction: Instruction, path: str) -> Origin | None:
    """A bind mount of the step itself that holds ``path``."""
    workdir = analysis.dockerfile.workdir_before(instruction)
    for mount in reversed(mounts(instruction)):
        if mount.type != "bind":
            continue
        target = posixpath.normpath(posixpath.join(workdir, mount.target or ""))
        relative = _inside(path, target)
        if relative is None:
            continue
        if mount.from_ is not None or "$" in (mount.source or ""):
            return Origin("unknown", step=instruction)
        source = normalize(mount.source or ".")
        found = _context_origin(analysis, normalize(posixpath.join(source, relative)), instruction)
        if found is not None:
            return found
    return None


def _run_origin(analysis: Analysis, item: Instruction, path: str) -> Origin | None:
    """A RUN that may have written ``path``: one that runs a program we do not know (a
    script, ``cp``, ``git clone``, ``tar``...), or names the file outside an install
    (``poetry export -o requirements.txt``, ``echo ... > requirements.txt``)."""
    name = posixpath.basename(path)
    text, unknown, named = _run_writes(analysis, item)
    if unknown or name in named:
        return Origin("unknown", step=item)
    if name in text and _redirects_into(text, name):
        return Origin("unknown", step=item)
    return None


_REDIRECT_TARGET = re.compile(r"(?=>\s*(\S*))")  # at every ">", overlapping


def _redirects_into(text: str, name: str) -> bool:
    """Does ``text`` redirect output to a path that holds ``name`` up to a word boundary
    (``> requirements.txt``, ``>>/app/requirements.txt``)? One compiled pattern for every
    name: a pattern per name would be compiled afresh for each install of a long file."""
    for match in _REDIRECT_TARGET.finditer(text):
        target, end_of_target = match.group(1), match.end(1)
        start = target.find(name)
        while start != -1:
            end = match.start(1) + start + len(name)
            after = text[end] if end < len(text) else ""
            if _is_word(name[-1]) != (after != "" and _is_word(after)):
                return True
            if end >= end_of_target:
                break
            start = target.find(name, start + 1)
    return False


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


def _run_writes(analysis: Analysis, item: Instruction) -> tuple[str, bool, frozenset[str]]:
    """(its text, whether it runs a program that may write anything, the file names its
    commands name outside an install), once per RUN and grade: asked per install and path."""
    return once_per_grade("run_writes", item, lambda: _writes_of(analysis, item))


def _writes_of(analysis: Analysis, item: Instruction) -> tuple[str, bool, frozenset[str]]:
    target = item.trigger or item
    text = target.text + "".join(heredoc.content for heredoc in target.heredocs)
    unknown, named = False, set()
    # The RUN's installs as the analysis read them (memoized), by command: an install
    # reads the files it names, an export, a wheel build or a download writes them.
    readers = {
        record.command_index
        for record in installs_in(analysis.dockerfile, item)
        if record.action not in ("export", "wheel", "download")
    }
    long_text = len(text) > MAX_RUN_TEXT  # not read for installs: recognise each command
    for run in run_commands(item):
        argv = run.command.argv
        if not argv:
            continue
        program = run.command.program
        if _PYTHON.match(program):
            module = argv[2] if len(argv) > 2 and argv[1] == "-m" else None
            if module not in _PYTHON_MODULES:
                unknown = True
                break
        elif program not in _NAMING_PROGRAMS:
            unknown = True
            break
        if run.index in readers:
            continue
        if long_text:
            record = install_command(run.command)
            if record is not None and record.action not in ("export", "wheel", "download"):
                continue
        for word in argv[1:]:
            value = word.partition("=")[2] if word.startswith("-") and "=" in word else word
            named.add(posixpath.basename(value.rstrip("/")))
    return text, unknown, frozenset(named)
