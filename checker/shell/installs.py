"""Recognise Python dependency installs among the commands of a RUN instruction.

The layer-order lesson turns on three facts about each install: which build-context files
it reads (a layer that reads only ``requirements.txt`` can be cached across code edits; one
that reads ``.`` cannot), whether it installs the project itself, and whether it leaves a
download cache in the image. Each :class:`DependencyInstall` records those facts for one
command, read from its parsed argv, never from a regular expression over the text.

The recognisers live by tool family (``pip_installs``, ``project_installs``,
``conda_installs``); this module finds the commands, dispatches on the program, and works
out whether each install's download cache stays in the layer (see ``record`` for what
each tool caches).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping
from dataclasses import replace

from checker.dockerfile.model import Dockerfile, Instruction
from checker.dockerfile.variables import environment_at, try_expand
from checker.shell.commands import once_per_grade
from checker.shell.conda_installs import recognise_conda
from checker.shell.mounts import Mount, cache_mounts
from checker.shell.pip_installs import (
    recognise_pip,
    recognise_pip_sync,
    recognise_pipx,
    recognise_setup_py,
    recognise_uv,
)
from checker.shell.project_installs import (
    recognise_hatch,
    recognise_pdm,
    recognise_pipenv,
    recognise_pixi,
    recognise_poetry,
)
from checker.shell.record import Context, DependencyInstall
from checker.shell.script import ShellCommand
from checker.shell.sources import RunCommand, run_commands
from checker.shell.wrappers import program

__all__ = ["DependencyInstall", "find_installs", "install_command", "installs_in"]

MAX_RUN_TEXT = 128 * 1024
"""A RUN longer than this is not read for installs (LC008 says so): real ones are short,
and reading 1 MiB of one line word by word takes seconds."""
# A RUN without any of these words cannot install Python packages: no shell parsing needed.
_HINT_WORDS = (
    "pip", "uv", "poetry", "pipenv", "pdm", "conda", "mamba", "pixi", "hatch", "setup.py",
)  # fmt: skip
# Programs that are the tool of their own name.
_TOOLS = frozenset(
    ("uv", "poetry", "pipenv", "pip-sync", "pipx", "conda", "mamba", "micromamba", "pdm", "pixi",
     "hatch")
)  # fmt: skip


def installs_in(dockerfile: Dockerfile, instruction: Instruction) -> tuple[DependencyInstall, ...]:
    """The dependency installs of one step of ``dockerfile``, seen with the ENV and ARG
    values in force there (``PIP_NO_CACHE_DIR``, ``HOME``...), and with the variables in the
    paths they read (``-r $APP/requirements.txt``) expanded as the RUN's shell would.

    A variable the Dockerfile does not set (a script may set it) leaves the path as written.
    Worked out once per step and grade: the analysis and LC011's walk back both ask.
    """
    return once_per_grade("installs_in", instruction, lambda: _installs_in(dockerfile, instruction))


def _installs_in(dockerfile: Dockerfile, instruction: Instruction) -> tuple[DependencyInstall, ...]:
    target = instruction.trigger or instruction
    if target.keyword != "RUN":
        return ()
    text = target.text + "".join(heredoc.content for heredoc in target.heredocs)
    if target.json_form:
        text = " ".join(target.arguments)
    if len(text) > MAX_RUN_TEXT or not any(word in text for word in _HINT_WORDS):
        return ()
    env = environment_at(dockerfile, instruction)
    if "HOME" not in env:
        home = home_of(user_at(dockerfile, instruction))
        if home is not None:
            env["HOME"] = home
    found = tuple(find_installs(instruction, env))
    user = user_at(dockerfile, instruction).partition(":")[0]
    if user.isdigit() and user != "0":
        # A bare uid's HOME is unknown, but it is not root's: a mount in /root is unused.
        usable = [
            mount
            for mount in cache_mounts(instruction)
            if not (mount.target or "").startswith("/root")
        ]
        found = tuple(
            replace(item, cache_mounted=False) if item.cache_mounted and not usable else item
            for item in found
        )
    if not any("$" in path for item in found for path in (*item.reads, *item.manifests)):
        return found

    def expanded(paths: tuple[str, ...]) -> tuple[str, ...]:
        return tuple((try_expand(path, env) or path) if "$" in path else path for path in paths)

    return tuple(
        replace(
            item,
            reads=expanded(item.reads),
            requirement_files=expanded(item.requirement_files),
            constraint_files=expanded(item.constraint_files),
        )
        for item in found
    )


def user_at(dockerfile: Dockerfile, instruction: Instruction) -> str:
    """The ``USER`` a step runs as (the last USER before it in its stage or the stages it
    is built FROM); ``root`` where none is set (the base image's own USER is unknown here)."""
    if not 0 <= instruction.stage < len(dockerfile.stages):
        return "root"
    users = dockerfile.memo.get("users")
    if users is None:
        users = dockerfile.memo["users"] = _stage_users(dockerfile)
    lines, names, inherited = users[instruction.stage]  # type: ignore[index]
    before = bisect_left(lines, instruction.line)
    return names[before - 1] if before else inherited


def _stage_users(dockerfile: Dockerfile) -> list[tuple[list[int], list[str], str]]:
    """Per stage, in one pass: the lines and names of its USERs, and the user it starts as
    (its parent stage's last, else ``root``), so each step's user is a bisection."""
    found: list[tuple[list[int], list[str], str]] = []
    for stage in dockerfile.stages:
        parent = dockerfile.parent_of(stage.index)
        inherited = "root"
        if parent is not None:
            _, names, start = found[parent]
            inherited = names[-1] if names else start
        users = [
            item
            for item in stage.instructions
            if item.keyword == "USER" and item.resolved_arguments
        ]
        found.append(
            (
                [item.line for item in users],
                [item.resolved_arguments[0] for item in users],
                inherited,
            )
        )
    return found


def home_of(user: str) -> str | None:
    """HOME for a RUN as ``user`` (Docker sets it from /etc/passwd): ``/root`` for root,
    ``/home/NAME`` for a named user (``useradd -m``'s default); None for a bare uid."""
    name = user.partition(":")[0]
    if name in ("root", "0", ""):
        return "/root"
    if name.isdigit():
        return None
    return f"/home/{name}"


def find_installs(
    instruction: Instruction, env: Mapping[str, str] | None = None
) -> list[DependencyInstall]:
    """Dependency installs run by a RUN (or an ONBUILD RUN trigger); [] for anything else.

    ``env`` is the image environment in force (ENV/ARG of the stage, see
    :func:`checker.shell.stage_environment`); it decides ``PIP_NO_CACHE_DIR`` and friends.
    """
    located = run_commands(instruction)
    if not located:
        return []
    caches = cache_mounts(instruction)
    if env and any("$" in (mount.target or "") for mount in caches):
        caches = tuple(
            replace(mount, target=try_expand(mount.target, dict(env)) or mount.target)
            if mount.target
            else mount
            for mount in caches
        )
    return _installs(located, caches, env)


def find_installs_in_commands(
    commands: tuple[ShellCommand, ...],
    env: Mapping[str, str] | None = None,
    caches: tuple[Mount, ...] = (),
) -> list[DependencyInstall]:
    """The installs among the commands of a script a RUN runs (``./install.sh``)."""
    located = tuple(
        RunCommand(command, index, 0, "script") for index, command in enumerate(commands)
    )
    return _installs(located, caches, env)


def _installs(
    located: tuple[RunCommand, ...], caches: tuple[Mount, ...], env: Mapping[str, str] | None
) -> list[DependencyInstall]:
    found = []
    # Where each command's cleaning is last done, so "does a later command empty this
    # cache?" is a few lookups per install, not a scan of the rest of the RUN.
    last_cleaning: dict[tuple[str, str], int] = {}
    for position, run in enumerate(located):
        for key in _cleaning_keys(run.command):
            last_cleaning[key] = position
    for position, run in enumerate(located):
        record = _recognise(run, env or {})
        if record is None:
            continue
        # Where HOME is unknown (a bare uid), a mount at the same place in another home is
        # taken to be it; where it is known, only the tool's own cache directory counts.
        home_known = env is not None and ("HOME" in env or "XDG_CACHE_HOME" in env)
        mounted = record.cache_dir is not None and any(
            mount.covers(record.cache_dir)
            if home_known
            else _mount_holds_cache(mount, record.cache_dir)
            for mount in caches
        )
        cleaned = any(last_cleaning.get(key, -1) > position for key in _keys_that_clean(record))
        found.append(_with_cache_state(record, mounted, cleaned))
    return found


def install_command(
    command: ShellCommand, env: Mapping[str, str] | None = None
) -> DependencyInstall | None:
    """Recognise one already-unwrapped command (index and line left at 0)."""
    return _recognise(RunCommand(command, command.index, 0, "shell"), env or {})


# --------------------------------------------------------------------------------------
# Dispatch on the program


def _recognise(run: RunCommand, env: Mapping[str, str]) -> DependencyInstall | None:
    argv = run.command.argv
    if not argv:
        return None
    name = program(argv[0])
    rest = argv[1:]
    tool = _tool_of(name)
    if tool == "python":
        if rest[:1] == ("setup.py",) and rest[1:2] in (("install",), ("develop",)):
            return recognise_setup_py(Context(run, env, "setuptools"), rest[1])
        module, rest = _python_module(rest)
        if module is None:
            return None
        tool = _tool_of(module)
        if module == "piptools":
            if rest[:1] != ("sync",):
                return None
            tool, rest = "pip-sync", rest[1:]
    context = Context(run, env, tool or "")
    if tool == "pip":
        return recognise_pip(context, rest)
    if tool == "uv":
        return recognise_uv(context, rest)
    if tool == "poetry":
        return recognise_poetry(context, rest)
    if tool == "pipenv":
        return recognise_pipenv(context, rest)
    if tool == "pip-sync":
        return recognise_pip_sync(context, rest)
    if tool == "pipx":
        return recognise_pipx(context, rest)
    if tool in ("conda", "mamba", "micromamba"):
        return recognise_conda(context, rest)
    if tool == "pdm":
        return recognise_pdm(context, rest)
    if tool == "pixi":
        return recognise_pixi(context, rest)
    if tool == "hatch":
        return recognise_hatch(context, rest)
    return None


def _tool_of(name: str) -> str | None:
    """Normalise a program name: pip3.12 -> pip, python3.11 -> python, ..."""
    for base in ("pip", "python"):
        if name == base or (
            name.startswith(base)
            and all(char.isdigit() or char == "." for char in name[len(base) :])
        ):
            return base
    if name in _TOOLS:
        return name
    return None


def _python_module(words: tuple[str, ...]) -> tuple[str | None, tuple[str, ...]]:
    """For ``python [options] -m MODULE args``: (MODULE, args); (None, ()) otherwise."""
    index = 0
    while index < len(words):
        word = words[index]
        if word == "-m":
            if index + 1 < len(words):
                return words[index + 1], words[index + 2 :]
            return None, ()
        if word.startswith("-m") and len(word) > 2:
            return word[2:], words[index + 1 :]
        if word in ("-X", "-W", "--check-hash-based-pycs"):
            index += 2
        elif word.startswith("-") and word != "-":
            index += 1
        else:
            return None, ()  # a script or -c code runs, not a module
    return None, ()


# --------------------------------------------------------------------------------------
# Cache state


def _with_cache_state(record: DependencyInstall, mounted: bool, cleaned: bool) -> DependencyInstall:
    if mounted == record.cache_mounted and cleaned == record.cache_cleaned:
        return record
    return replace(record, cache_mounted=mounted, cache_cleaned=cleaned)


def _mount_holds_cache(mount: Mount, cache_dir: str) -> bool:
    """A cache mount at the tool's cache directory, or at the same place in another home.

    The home directory of a non-root USER is rarely known here (``HOME`` is set by the base
    image or ``useradd``), so ``target=/home/app/.cache/pip`` is accepted for pip's default
    ``/root/.cache/pip``; likewise any ``.../pkgs`` for conda's package cache.
    """
    if not mount.target:
        return False
    if mount.covers(cache_dir):
        return True
    target = mount.target.rstrip("/")
    parts = cache_dir.rstrip("/").split("/")
    if ".cache" in parts:
        tail = "/".join(parts[parts.index(".cache") :])  # ".cache/pip"
        return target.endswith(("/.cache", "/" + tail))
    if parts[-1] == "pkgs":
        return target.endswith("/pkgs")
    return False


def _cleaning_keys(command: ShellCommand) -> list[tuple[str, str]]:
    """What a command empties, as keys an install's cache is looked up by
    (:func:`_keys_that_clean`): ``("exact", dir)`` for ``rm`` of ``dir``, ``dir/`` or
    ``dir/*``; ``("parent", dir)`` for ``rm`` of a folder, which empties what is under it;
    ``("clean", tool)`` for a tool's own cache-clearing command (``pip cache purge``)."""
    argv = command.argv
    if not argv:
        return []
    name = program(argv[0])
    words = argv[1:]
    if name == "rm":
        keys = []
        for target in words:
            if target.startswith("-") or target in ("", "/"):
                continue
            keys.append(("exact", target.rstrip("/").rstrip("*").rstrip("/")))
            keys.append(("parent", target.rstrip("/")))
        return keys
    tool = _tool_of(name)
    if tool in ("conda", "mamba", "micromamba") and words[:1] == ("clean",):
        return [("clean", tool)]
    if tool == "pip" and words[:2] in (("cache", "purge"), ("cache", "remove")):
        return [("clean", tool)]
    if tool == "uv" and (
        words[:2] in (("cache", "clean"), ("cache", "prune")) or words[:1] == ("clean",)
    ):
        return [("clean", tool)]
    if tool == "poetry" and words[:2] == ("cache", "clear"):
        return [("clean", tool)]
    return []


# The tools whose cache-clearing command empties a tool's cache: conda and mamba share
# theirs; pipenv and pip-sync use pip's.
_CLEANED_BY = {
    "conda": ("conda", "mamba"),
    "mamba": ("conda", "mamba"),
    "micromamba": ("micromamba",),
    "pip": ("pip",),
    "pipenv": ("pip",),
    "pip-sync": ("pip",),
    "uv": ("uv",),
    "poetry": ("poetry",),
}


def _keys_that_clean(record: DependencyInstall) -> list[tuple[str, str]]:
    """The :func:`_cleaning_keys` of a later command that empties ``record``'s cache."""
    if record.cache_dir is None:
        return []
    cache = record.cache_dir.rstrip("/")
    keys = [("exact", cache)]
    keys.extend(("parent", cache[:index]) for index, char in enumerate(cache) if char == "/")
    keys.extend(("clean", tool) for tool in _CLEANED_BY.get(record.tool, ()))
    return keys
