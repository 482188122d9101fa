"""Peel the wrappers off a command so the program that really runs is argv[0].

``VAR=1 pip install x``, ``env VAR=1 pip install x``, ``sudo -E pip install x``,
``exec pip install x`` and ``sh -c 'pip install x'`` all run pip; the install rules must see
``pip`` first with the environment assignments kept beside it, not lost.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

SHELLS = frozenset(("sh", "bash", "dash", "ash", "zsh", "ksh", "busybox"))

# sudo options that take a value as the next word
_SUDO_VALUE_OPTIONS = frozenset("ughpCDrtUTR")
_ENV_VALUE_OPTIONS = frozenset(("-u", "--unset", "-C", "--chdir", "-S", "--split-string"))
# wrappers that simply run the rest of the argv
_PASS_THROUGH = frozenset(("exec", "time", "nohup", "command", "builtin", "eatmydata"))


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
    if not sep or not name:
        return False
    if not (name[0].isalpha() or name[0] == "_"):
        return False
    return all(char.isalnum() or char == "_" for char in name) and name.isascii()


def program(word: str) -> str:
    """The program name of argv[0]: ``/opt/venv/bin/pip`` -> ``pip``."""
    return posixpath.basename(word)


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
            words = _skip_xargs_options(words[1:])
        elif name == "env":
            via.append("env")
            words = _skip_env_options(words[1:])
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
        elif name in SHELLS:
            script = _shell_script(words)
            if script is None:
                break
            via.append(f"{name} -c")
            return Unwrapped((), tuple(env), tuple(via), script)
        else:
            break
    return Unwrapped(tuple(words), tuple(env), tuple(via))


def _take_assignments(words: list[str], env: list[tuple[str, str]]) -> list[str]:
    index = 0
    while index < len(words) and is_assignment(words[index]):
        name, _, value = words[index].partition("=")
        env.append((name, value))
        index += 1
    return words[index:]


def _skip_env_options(words: list[str]) -> list[str]:
    index = 0
    while index < len(words):
        word = words[index]
        if word == "--":
            return words[index + 1 :]
        if word in _ENV_VALUE_OPTIONS:
            index += 2
        elif word.startswith("-") and len(word) > 1:
            index += 1
        else:
            break
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


_XARGS_VALUE_OPTIONS = frozenset(("-n", "-I", "-L", "-P", "-d", "-a", "-E", "-s", "-i", "-l"))


def _skip_xargs_options(words: list[str]) -> list[str]:
    """``xargs [options] cmd args``: the command xargs runs (its extra args come from stdin)."""
    index = 0
    while index < len(words):
        word = words[index]
        if word == "--":
            return words[index + 1 :]
        if word in _XARGS_VALUE_OPTIONS:
            index += 2
        elif word.startswith("-"):
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
