"""Where a RUN step writes in the image: the paths a rerun of it may change.

BuildKit keys ``COPY --from=STAGE SRC`` (and ``RUN --mount=type=bind,from=STAGE``) on the
content of SRC in that stage, not on the whole stage: a builder stage rebuilt because the
source was copied into it still hands over the same ``/wheels`` unless a rebuilt step wrote
there. So the cache model needs to know where a rerun RUN writes. A command writes its
working directory, the paths it names, and (an install) the Python environment; a program
we do not know, or a script from the build context, may write anywhere (``None``).
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping

from checker.dockerfile.model import Instruction
from checker.shell.sources import run_commands

ANYWHERE = None

# Programs whose writes stay in their working directory and the paths they are given.
_CONFINED = frozenset(
    (
        "mkdir", "cp", "mv", "rm", "ln", "chmod", "chown", "chgrp", "touch", "find", "echo",
        "printf", "cat", "sed", "tar", "unzip", "gzip", "gunzip", "curl", "wget", "git",
        "npm", "npx", "yarn", "pnpm", "make", "test", "[", "true", "false", "set", "export",
        "cd", "ls", "grep", "which", "command", "tee", "install", "rsync", "patch", "sort",
        "head", "tail", "xz", "bunzip2", "sha256sum", "md5sum", "ldconfig", "strip", "du",
        "df", "stat", "id", "whoami", "date", "sleep", "unset", "umask", ":", "source", ".",
    )
)  # fmt: skip
# Package managers of the system: they write the system's own folders.
_SYSTEM_PACKAGES = frozenset(
    ("apt-get", "apt", "dpkg", "apk", "yum", "dnf", "microdnf", "zypper", "useradd", "adduser",
     "groupadd", "addgroup", "usermod", "update-ca-certificates", "locale-gen")
)  # fmt: skip
_SYSTEM_DIRS = ("/usr", "/var", "/etc", "/lib", "/lib64", "/bin", "/sbin", "/home", "/root")
# Python tools: their writes are the working directory, the paths they name, and the
# environment they install into.
_PYTHON_TOOLS = frozenset(
    ("pip", "pip3", "uv", "poetry", "pipenv", "pdm", "pip-sync", "conda", "mamba",
     "micromamba", "virtualenv", "hatch", "pixi")
)  # fmt: skip
# What a Python tool writes in the project it works in, besides the paths it names: the
# build tree and egg-info of an in-tree build (``build/``, ``src/*.egg-info``; a flat
# layout's egg-info beside the packages), the project environments of uv, poetry, pdm and
# pixi, and the lock file it may update.
_PROJECT_LEFTOVERS = (
    "build", ".eggs", "src", ".venv", ".pixi", "__pypackages__", ".pdm-python", "uv.lock",
    "poetry.lock", "pdm.lock", "pixi.lock", "Pipfile.lock",
)  # fmt: skip


def run_writes(
    instruction: Instruction, workdir: str, env: Mapping[str, str]
) -> tuple[str | None, ...]:
    """Absolute paths a rerun of the RUN may change (``None``: anywhere)."""
    found: list[str | None] = []
    for run in run_commands(instruction):
        command = run.command
        if not command.argv:
            continue
        cwd = posixpath.join(workdir, command.cwd) if command.cwd else workdir
        name = _base_name(command.program)
        if name in _SYSTEM_PACKAGES:
            found.extend(_SYSTEM_DIRS)
            continue
        module = _python_module(command.argv[1:]) if name == "python" else None
        if name == "python" and module is None:
            return (ANYWHERE,)  # python SCRIPT or python -c CODE: anything may happen
        if module == "compileall":
            found.append(posixpath.join(cwd, "__pycache__"))  # and each folder's, below
            continue
        if name not in _CONFINED and name not in _PYTHON_TOOLS and name != "python":
            return (ANYWHERE,)
        if name in _PYTHON_TOOLS or module in _PYTHON_TOOLS:
            # not the whole working directory: a `pip wheel -w wheels .` leaves ./wheels be
            found.extend(posixpath.join(cwd, place) for place in _PROJECT_LEFTOVERS)
        else:
            found.append(cwd)
        found.extend(_named_paths(command.argv[1:], cwd))
        if name in _PYTHON_TOOLS or name == "python":
            found.extend(_environments(env))
    return tuple(dict.fromkeys(found))


def _base_name(program: str) -> str:
    """``python3.11`` -> ``python``; ``pip3.12`` -> ``pip``."""
    for base in ("python", "pip"):
        rest = program[len(base) :]
        if program.startswith(base) and all(char.isdigit() or char == "." for char in rest):
            return base
    return program


def _python_module(words: tuple[str, ...]) -> str | None:
    """The module of ``python [options] -m MODULE``, else None (a script or ``-c``)."""
    for position, word in enumerate(words):
        if word == "-m":
            return words[position + 1] if position + 1 < len(words) else None
        if word.startswith("-m"):
            return word[2:]
        if not word.startswith("-") or word == "-c":
            return None
    return None


def _named_paths(words: tuple[str, ...], cwd: str) -> list[str]:
    """Every word that looks like a path (``--opt=/x`` too), made absolute."""
    paths = []
    for word in words:
        value = word.partition("=")[2] if word.startswith("-") and "=" in word else word
        if not value or value.startswith("-") or "://" in value:
            continue
        if value.startswith(("/", "./", "../", "~")) or "/" in value:
            if value.startswith("~"):
                value = "/root" + value[1:]
            paths.append(posixpath.normpath(posixpath.join(cwd, value)))
    return paths


def _environments(env: Mapping[str, str]) -> list[str]:
    """Where installs land: the active venv, folders on PATH, the system and user sites."""
    home = env.get("HOME", "/root")
    places = ["/usr/local", "/usr/lib", "/opt", posixpath.join(home, ".local"), "/tmp"]
    places.append(posixpath.join(home, ".cache"))
    for name in ("VIRTUAL_ENV", "CONDA_PREFIX", "PYTHONUSERBASE", "UV_PROJECT_ENVIRONMENT"):
        if env.get(name):
            places.append(env[name])
    for entry in env.get("PATH", "").split(":"):
        if entry.endswith("/bin") and entry not in ("/bin", "/usr/bin", "/usr/local/bin"):
            places.append(posixpath.dirname(entry))
    return places
