"""What a RUN needs from a copy that a fix moves it above, and how to split it when it must.

A fix moves a dependency install above the copy that rebuilds it. That is only right when
nothing the RUN runs needs what that copy brings:

* a file the RUN executes or names (``sh install.sh``, ``make install`` reads the Makefile,
  ``python tools/pip_install.py``, ``-r requirements.txt``) is a build input: the fix copies
  it by name, with the dependency files, before the install;
* a command that works on the copied source (``python -c "import app"``, ``python -m
  compileall .``, ``chown -R app .``, ``pip install -e .``) cannot run before the source
  arrives: the RUN is split, so the install moves and that command stays after the copy.

Splitting is done on the ``&&`` list the RUN is written as (``a && b && c``), never on
other shapes (``;``, ``||``, pipes, heredocs, JSON form), which are moved whole or not at all.
"""

from __future__ import annotations

import bisect
import posixpath
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from checker.cache import context_sources, normalize
from checker.dockerfile.model import Instruction
from checker.shell.hidden_installs import script_runs
from checker.shell.installs import DependencyInstall
from checker.shell.pip_installs import is_archive, is_local_path
from checker.shell.sources import RunCommand, run_commands
from checker.shell.wrappers import program

if TYPE_CHECKING:
    from checker.rules.analysis import Analysis

# ``python -m NAME`` for these runs a tool, not the project's code.
_TOOL_MODULES = frozenset(("pip", "venv", "ensurepip", "virtualenv", "uv", "pipx"))
_NO_READS = frozenset(("cd", "pushd", "mkdir"))  # name a folder without reading what is in it
_PIP_SHORT_WITH_VALUE = frozenset("rceti")  # -r -c -e -t -i (pip's short options with a value)
_PIP_LONG_WITH_VALUE = frozenset(
    ("--requirement", "--constraint", "--editable", "--target", "--prefix", "--root",
     "--index-url", "--extra-index-url", "--find-links", "--platform", "--python-version",
     "--implementation", "--abi", "--src", "--upgrade-strategy", "--progress-bar", "--log",
     "--proxy", "--retries", "--timeout", "--exists-action", "--trusted-host", "--cert",
     "--client-cert", "--cache-dir", "--global-option", "--config-settings", "--no-binary",
     "--only-binary", "--report", "--root-user-action", "--python", "--keyring-provider")
)  # fmt: skip
_FILE_OPTIONS = frozenset(("--requirement", "--constraint"))


@dataclass(frozen=True)
class Part:
    """One command of a RUN's ``&&`` list: its text as written and the commands in it."""

    text: str
    commands: tuple[RunCommand, ...]


def and_list(instruction: Instruction) -> list[Part] | None:
    """The ``&&``-joined parts of a shell-form RUN, each with its commands; None for any
    other shape (a single command is a list of one)."""
    if instruction.keyword != "RUN" or instruction.json_form or instruction.heredocs:
        return None
    spans = _split(instruction.text, "&&")
    if spans is None:
        return None
    commands = run_commands(instruction)
    offsets = sorted(run.command.offset for run in commands)
    by_offset = sorted(commands, key=lambda run: run.command.offset)
    parts = []
    for start, end in spans:  # each part's commands by bisection: linear in a long && list
        low, high = bisect.bisect_left(offsets, start), bisect.bisect_left(offsets, end)
        inside = tuple(sorted(by_offset[low:high], key=lambda run: run.index))
        parts.append(Part(instruction.text[start:end].strip(), inside))
    if sum(len(part.commands) for part in parts) != len(commands):
        return None
    return parts


def raw_words(text: str) -> list[str] | None:
    """The words of one simple command as written (quotes kept), or None when it is more
    than one command."""
    spans = _split(text, " ")
    if spans is None:
        return None
    return [text[start:end] for start, end in spans if text[start:end].strip()]


def _split(text: str, separator: str) -> list[tuple[int, int]] | None:
    """Spans of ``text`` between top-level ``separator`` (``&&``, or blanks for words);
    None when another top-level operator (``;``, ``|``, ``||``, ``&``) joins commands."""
    spans = []
    start = 0
    index = 0
    quote = ""
    depth = 0
    while index < len(text):
        char = text[index]
        if char == "\\" and quote != "'":
            index += 2
            continue
        if quote:
            if char == quote:
                quote = ""
            elif char == "(" and text[index - 1 : index] == "$" and quote == '"':
                return None  # a command substitution inside quotes: not split
            index += 1
            continue
        if char in "'\"":
            quote = char
        elif char in "({":
            depth += 1
        elif char in ")}":
            depth -= 1
        elif depth == 0 and text.startswith("&&", index):
            if separator != "&&":
                return None
            spans.append((start, index))
            start = index + 2
            index += 2
            continue
        elif depth == 0 and char in ";|&\n":
            return None
        elif depth == 0 and separator == " " and char in " \t":
            spans.append((start, index))
            start = index + 1
        index += 1
    if quote or depth:
        return None
    spans.append((start, len(text)))
    return spans


# ---- what a part needs from the copy ------------------------------------------------------


@dataclass(frozen=True)
class Needs:
    """Build inputs (image paths of single files) and whether the source itself is needed."""

    files: tuple[str, ...]
    source: bool


def needs(
    instruction: Instruction,
    commands: tuple[RunCommand, ...],
    workdir: str,
    copied: Callable[[str], str | None],
) -> Needs:
    """What ``commands`` (of ``instruction``, run in ``workdir``) need from the files that
    ``copied(path) -> "file" | "folder" | None`` says a copy puts at an image path.

    A script a command runs (the Makefile for ``make``) and a file named as an argument are
    build inputs when the copy brings them as files; the working directory itself or a folder
    it brings, ``python -c``/``python -m MODULE`` (Python puts the working directory first
    on ``sys.path``, so they may import the copied code) and a project install (``.``) need
    the source."""
    files: list[str] = []
    source = False
    for script in script_runs(instruction):
        for run in commands:
            argv = run.command.argv
            if argv and (
                script.script in argv or (script.kind == "make" and program(argv[0]) == "make")
            ):
                where = posixpath.normpath(
                    posixpath.join(workdir, run.command.cwd or "", script.script)
                )
                if copied(where) == "file":
                    files.append(where)
    for run in commands:
        argv = run.command.argv
        if not argv:
            continue
        if program(argv[0]) in _NO_READS:
            continue
        if program(argv[0]).startswith("python") and _runs_python_code(argv[1:]):
            source = True
        here = posixpath.normpath(posixpath.join(workdir, run.command.cwd or ""))
        for word in argv[1:] if "/" not in argv[0] else argv:
            if word.startswith("-") and word not in ("-",):
                word = word.partition("=")[2]
                if not word:
                    continue
            if "://" in word or "$" in word:
                continue
            word = word.strip("'\"").split("[")[0]
            path = posixpath.normpath(
                word if word.startswith("/") else f"{here.rstrip('/')}/{word}"
            )
            kind = copied(path)
            if kind == "file":
                files.append(path)
            elif kind == "folder":
                source = True
    return Needs(tuple(dict.fromkeys(files)), source)


def _runs_python_code(words: tuple[str, ...]) -> bool:
    """``python -c CODE`` or ``python -m MODULE`` for a module that is not a packaging tool."""
    if words[:1] == ("-c",):
        return True
    return words[:1] == ("-m",) and len(words) > 1 and words[1] not in _TOOL_MODULES


def copied_by(
    analysis: Analysis, culprit: Instruction, assume_inside: bool = False
) -> Callable[[str], str | None]:
    """``copied(path)``: "file" or "folder" when ``culprit`` (a COPY/ADD from the context)
    puts a file or a folder at the image path ``path``, None otherwise.

    With a build context the context says what is there; without one only the destination,
    the files the copy names one by one and the folders it names are known to be brought;
    with ``assume_inside`` any path inside a copied folder is taken to be brought too."""
    sources = [normalize(source) for source in context_sources(culprit) or ()]
    sources = [name for name in sources if not any(char in name for char in "*?[")]
    workdir = analysis.dockerfile.workdir_before(culprit)
    destination = posixpath.normpath(posixpath.join(workdir, culprit.resolved_arguments[-1]))
    context = analysis.context
    known = context is not None and context.root is not None

    def is_folder(name: str) -> bool:
        if not name:
            return True
        if known:
            return context.exists(name) and not context.is_file(name)  # type: ignore[union-attr]
        return "." not in posixpath.basename(name)

    def copied(path: str) -> str | None:
        for name in sources:
            if not is_folder(name):  # a file: into the destination folder, or as it
                if path in (destination, posixpath.join(destination, posixpath.basename(name))):
                    return "file"
                continue
            # A folder's contents (the whole context's, for ``.``) go into the destination.
            if path == destination:
                return "folder"
            if not path.startswith(destination.rstrip("/") + "/"):
                continue
            if not known:
                if assume_inside:
                    return "file"
                continue
            relative = posixpath.join(name, path[len(destination.rstrip("/")) + 1 :])
            if context.is_file(relative):  # type: ignore[union-attr]
                return "file"
            if context.exists(relative):  # type: ignore[union-attr]
                return "folder"
        return None

    return copied


# ---- pip commands that install the project and its requirements at once -----------------


def pip_split(part: Part, install: DependencyInstall) -> tuple[str | None, str] | None:
    """A pip command that installs requirements and the project (``pip install --no-deps -r
    requirements.txt -e .``) as (the requirements part or None, the project part with
    ``--no-deps``), spelled with the words as written; None where the command is wrapped
    (``sudo``, ``sh -c``) or not read word for word."""
    if len(part.commands) != 1 or part.commands[0].command.via or install.tool != "pip":
        return None
    words = raw_words(part.text)
    argv = part.commands[0].command.argv
    if words is None or len(words) != len(argv) or "install" not in argv:
        return None
    start = argv.index("install") + 1
    head, shared, dependencies, project = list(words[:start]), [], [], []
    index = start
    while index < len(argv):
        word, raw = argv[index], words[index]
        taken = [raw]
        name, value = _option(word)
        if name is not None and value is None and index + 1 < len(argv):
            index += 1
            value = argv[index]
            taken.append(words[index])
        index += 1
        if name in _FILE_OPTIONS:
            dependencies.extend(taken)
        elif name == "--editable" and value is not None and is_local_path(value):
            project.extend(taken)
        elif name is not None:
            shared.extend(taken)
        elif is_local_path(word) and not is_archive(word):
            project.extend(taken)
        else:
            dependencies.extend(taken)
    if not project:
        return None
    deps_text = " ".join([*head, *shared, *dependencies]) if dependencies else None
    no_deps = [] if "--no-deps" in argv[start:] else ["--no-deps"]
    return deps_text, " ".join([*head, *shared, *no_deps, *project])


def _option(word: str) -> tuple[str | None, str | None]:
    """(the option's long name, its value when in the same word) for an option taking a
    value; ("--switch", "") for a switch; (None, None) for a positional."""
    if word.startswith("--"):
        name, sep, value = word.partition("=")
        if name in _PIP_LONG_WITH_VALUE:
            return name, value if sep else None
        return name, ""
    if word.startswith("-") and len(word) > 1:
        for offset, letter in enumerate(word[1:]):
            if letter in _PIP_SHORT_WITH_VALUE:
                long = {"r": "--requirement", "c": "--constraint", "e": "--editable"}.get(
                    letter, f"-{letter}"
                )
                rest = word[offset + 2 :]
                return long, rest or None
        return word, ""
    return None, None
