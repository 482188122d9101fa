"""Read a tool's command line the way its option parser does (optparse/click-like).

Each recogniser lists which options take a value; everything else is a switch or a
positional, so ``pip install -qr requirements.txt`` and ``--requirement=requirements.txt``
mean the same thing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass
class Options:
    """Options and positionals read with an optparse-like grammar."""

    values: list[tuple[str, str]]  # (canonical long name, value)
    switches: list[str]  # canonical names of options without values
    positionals: list[str]
    written: list[str]  # notable options as written, for DependencyInstall.options

    def get_all(self, name: str) -> list[str]:
        return [value for key, value in self.values if key == name]

    def last(self, name: str) -> str | None:
        found = self.get_all(name)
        return found[-1] if found else None

    def has(self, name: str) -> bool:
        return name in self.switches or any(key == name for key, _ in self.values)


def read_options(
    words: tuple[str, ...],
    short: Mapping[str, str],
    with_value: frozenset[str],
    notable: frozenset[str],
) -> Options:
    """Split words into options and positionals.

    ``short`` maps a one-letter option to its long name; ``with_value`` lists long names
    that take a value (``--name value``, ``--name=value``, ``-xVALUE``, ``-x VALUE``).
    """
    result = Options([], [], [], [])
    index = 0
    while index < len(words):
        word = words[index]
        index += 1
        if word == "--":
            result.positionals.extend(words[index:])
            break
        if word.startswith("--") and len(word) > 2:
            name, sep, value = word.partition("=")
            if name in with_value:
                if not sep:
                    value = words[index] if index < len(words) else ""
                    index += 1
                result.values.append((name, value))
                if name in notable:
                    result.written.append(f"{name}={value}")
            else:
                result.switches.append(name)
                if name in notable:
                    result.written.append(word)
            continue
        if word.startswith("-") and len(word) > 1:
            cluster = word[1:]
            for offset, letter in enumerate(cluster):
                name = short.get(letter, f"-{letter}")
                if name in with_value:
                    value = cluster[offset + 1 :].lstrip("=")
                    if not value:
                        value = words[index] if index < len(words) else ""
                        index += 1
                    result.values.append((name, value))
                    if name in notable:
                        result.written.append(f"{name}={value}")
                    break
                result.switches.append(name)
                if name in notable:
                    result.written.append(name)
            continue
        result.positionals.append(word)
    return result


def subcommand(
    words: tuple[str, ...], global_with_value: frozenset[str]
) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """Skip global options before a subcommand: (subcommand, global words, rest)."""
    index = 0
    while index < len(words):
        word = words[index]
        if not word.startswith("-"):
            return word, words[:index], words[index + 1 :]
        name = word.partition("=")[0]
        index += 2 if name in global_with_value and "=" not in word else 1
    return "", words, ()
