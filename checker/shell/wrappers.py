"""Peel the wrappers off a command so the program that really runs is argv[0].

``VAR=1 pip install x``, ``env VAR=1 pip install x``, ``sudo -E pip install x``,
``exec pip install x`` and ``sh -c 'pip install x'`` all run pip; the install rules must see
``pip`` first with the environment assignments kept beside it, not lost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SHELLS = frozenset(("sh", "bash", "dash", "ash", "zsh", "ksh", "busybox"))

# sudo options that take a value as the next word
_SUDO_VALUE_OPTIONS = frozenset("ughpCDrtUTR")
_XARGS_VALUE_OPTIONS = frozenset(("-n", "-I", "-L", "-P", "-d", "-a", "-E", "-s", "-i", "-l"))
_ENV_VALUE_OPTIONS = frozenset(("-u", "--unset", "-C", "--chdir", "-S", "--split-string"))
# wrappers that simply run the rest of the argv
_PASS_THROUGH = frozenset(
    ("exec", "time", "nohup", "command", "builtin", "eatmydata", "tini", "dumb-init", "catchsegv")
)
# wrappers that run ``USER COMMAND...`` as another user
_AS_USER = frozenset(("gosu", "su-exec"))
# runners that take options, then ``--`` or the command: their value options
_RUNNER_VALUE_OPTIONS = {
    "runuser": frozenset(("-u", "--user", "-g", "--group", "-G", "--supp-group", "-s")),
    "setpriv": frozenset(("--reuid", "--regid", "--groups", "--inh-caps", "--bounding-set")),
    "timeout": frozenset(("-s", "--signal", "-k", "--kill-after")),
    "stdbuf": frozenset(("-i", "-o", "-e")),
    "chroot": frozenset(("--userspec", "--groups")),
    "ionice": frozenset(("-c", "-n", "-p", "-P", "-u")),
    "taskset": frozenset(),
}
# environment runners: ``conda run -n ENV CMD``, ``pyenv exec CMD``, ``poetry run CMD``...
_ENV_RUNNERS = {
    "conda": ("run",),
    "mamba": ("run",),
    "micromamba": ("run",),
    "pyenv": ("exec",),
    "poetry": ("run",),
    "pipenv": ("run",),
    "pdm": ("run",),
    "uv": ("run",),
    "hatch": ("run",),
    "rye": ("run",),
    "pixi": ("run",),
}
_ENV_RUNNER_VALUE_OPTIONS = frozenset(
    ("-n", "--name", "-p", "--prefix", "--cwd", "-r", "--root-prefix", "--with", "--python",
     "-e", "--env", "--directory", "--project", "--group", "--extra", "--environment",
     "--manifest-path")
)  # fmt: skip


@dataclass(frozen=True)
class Unwrapped:
    """A command with its wrappers removed."""

    argv: tuple[str, ...]
    env: tuple[tuple[str, str], ...] = ()  # assignments made by prefixes / env / sudo
    via: tuple[str, ...] = ()  # the wrappers removed, outermost first, e.g. ("sudo",)
    script: str | None = None  # for ``sh -c SCRIPT``: the script to parse in turn


def is_assignment(word: str) -> bool:
    """``NAME=value`` with a valid shell name, as a command prefix or an ``env`` argument."""
    name, sep, _ = word.partition("=")
    return bool(sep) and _SHELL_NAME.fullmatch(name) is not None


_SHELL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def program(word: str) -> str:
    """The program name of argv[0]: ``/opt/venv/bin/pip`` -> ``pip`` (``basename``)."""
    return word.rpartition("/")[2]


def unwrap(argv: tuple[str, ...]) -> Unwrapped:
    """Strip assignments, env, sudo, exec-style wrappers; detect ``sh -c`` scripts."""
    env: list[tuple[str, str]] = []
    via: list[str] = []
    words = list(argv)
    for _ in range(16):  # wrappers nest only a few deep; the bound keeps this total
        words = _take_assignments(words, env)
        if not words:
            break
        name = program(words[0])
        if name == "!":  # `! cmd` negates the status; cmd still runs
            via.append("!")
            words = words[1:]
        elif name == "xargs":
            via.append("xargs")
            words = _skip_options(words[1:], _XARGS_VALUE_OPTIONS)
        elif name == "env":
            via.append("env")
            words = _skip_options(words[1:], _ENV_VALUE_OPTIONS)
        elif name == "sudo":
            via.append("sudo")
            words = _skip_sudo_options(words[1:])
        elif name in _PASS_THROUGH:
            if name == "command" and len(words) > 1 and words[1] in ("-v", "-V"):
                break  # `command -v pip` looks pip up, it does not run it
            via.append(name)
            words = words[1:]
            if words and words[0] == "-p":  # `command -p`, `time -p`
                words = words[1:]
        elif name == "nice":
            via.append("nice")
            words = _skip_nice_options(words[1:])
        elif name in _AS_USER:
            via.append(name)
            words = words[2:]  # the user (and group) comes first
        elif name in _RUNNER_VALUE_OPTIONS:
            via.append(name)
            words = _skip_runner_options(name, words[1:])
        elif name == "su":
            script = _su_script(words[1:])
            if script is None:
                break
            via.append("su -c")
            return Unwrapped((), tuple(env), tuple(via), script)
        elif name in _ENV_RUNNERS and words[1:2] and words[1] in _ENV_RUNNERS[name]:
            via.append(f"{name} {words[1]}")
            words = _skip_options(words[2:], _ENV_RUNNER_VALUE_OPTIONS)
        elif name in SHELLS:
            script = _shell_script(words)
            if script is None:
                break
            via.append(f"{name} -c")
            return Unwrapped((), tuple(env), tuple(via), script)
        else:
            break
    return Unwrapped(tuple(words), tuple(env), tuple(via))


def _skip_runner_options(name: str, words: list[str]) -> list[str]:
    """The command a runner such as ``timeout 60 pip ...`` runs: past its options and, for
    chroot, timeout and taskset, the one word before the command (the new root directory,
    the duration, the CPU mask)."""
    words = _skip_options(words, _RUNNER_VALUE_OPTIONS[name])
    if name in ("chroot", "timeout", "taskset") and words:
        words = words[1:]
    return words


def _take_assignments(words: list[str], env: list[tuple[str, str]]) -> list[str]:
    index = 0
    while index < len(words) and is_assignment(words[index]):
        name, _, value = words[index].partition("=")
        env.append((name, value))
        index += 1
    return words[index:]


def _skip_sudo_options(words: list[str]) -> list[str]:
    index = 0
    while index < len(words):
        word = words[index]
        if word == "--":
            return words[index + 1 :]
        if word.startswith("--"):
            index += 1
        elif word.startswith("-") and len(word) > 1:
            # a cluster like -Eu app: a value option takes the rest or the next word
            takes_value = any(char in _SUDO_VALUE_OPTIONS for char in word[1:])
            last_is_value = word[-1] in _SUDO_VALUE_OPTIONS
            index += 2 if takes_value and last_is_value else 1
        else:
            break
    return words[index:]


def _su_script(words: list[str]) -> str | None:
    """The SCRIPT of ``su [-] [-s SHELL] [USER] -c SCRIPT``, or None without ``-c``."""
    index = 0
    while index < len(words):
        word = words[index]
        if word in ("-c", "--command") and index + 1 < len(words):
            return words[index + 1]
        if word.startswith("--command="):
            return word.partition("=")[2]
        if word in ("-s", "--shell", "-g", "--group", "-G", "--supp-group"):
            index += 2
            continue
        index += 1
    return None


def _skip_options(words: list[str], takes_value: frozenset[str]) -> list[str]:
    """The words after a wrapper's options (``--`` ends them; an option in ``takes_value``
    takes the next word as its value): where the command it runs starts."""
    index = 0
    while index < len(words):
        word = words[index]
        if word == "--":
            return words[index + 1 :]
        if word in takes_value:
            index += 2
        elif word.startswith("-") and len(word) > 1:
            index += 1
        else:
            break
    return words[index:]


def _skip_nice_options(words: list[str]) -> list[str]:
    if words and words[0] in ("-n", "--adjustment"):
        return words[2:]
    if words and words[0].startswith("-"):
        return words[1:]
    return words


def _shell_script(words: list[str]) -> str | None:
    """The SCRIPT of ``sh [options] -c SCRIPT [name [args]]``, or None without ``-c``."""
    index = 1
    has_c = False
    while index < len(words):
        word = words[index]
        if word == "--":
            index += 1
            break
        if word in ("-o", "+o", "-O", "+O"):
            index += 2
            continue
        if len(word) > 1 and word[0] in "-+" and not word.startswith("--"):
            if word[0] == "-" and "c" in word[1:]:
                has_c = True
            index += 1
            continue
        if word.startswith("--"):
            index += 1
            continue
        break
    if not has_c or index >= len(words):
        return None
    return words[index]
