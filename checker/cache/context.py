"""What a build reads from its context: the files a ``COPY``/``ADD`` or a bind mount
matches, after ``.dockerignore``, read without following a link out of the context."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from functools import lru_cache
from pathlib import Path

from checker.cache import jail
from checker.cache.dockerignore import MAX_PATTERNS, DockerignoreError, Matcher, read_patterns
from checker.dockerfile.model import DockerfileSyntaxError, Instruction

_URL_PREFIXES = ("http://", "https://", "git@", "git://", "ssh://")
GLOB_PREFIX = re.compile(r"[*?\[]")


# --------------------------------------------------------------------------------------
# The build context and .dockerignore


@dataclass(frozen=True)
class ContextFiles:
    """The files a build may read: a context directory and its ``.dockerignore`` patterns.

    ``root`` may be None: then nothing is ignored and the file list is unknown, and the
    prediction reasons from the Dockerfile's patterns alone. The context is untrusted:
    files are read only through :meth:`read_text` (see :mod:`checker.cache.jail`), and what was
    left out is kept in :attr:`limits` for the report.
    """

    root: Path | None = None
    ignore_patterns: tuple[str, ...] = ()
    has_dockerignore: bool = False
    _matcher: Matcher | None = field(default=None, compare=False, repr=False)
    # What reading the context met and left out (a link out of it, a FIFO, a cap reached):
    # one message each, reported by grading as LC008 findings.
    _notes: list[str] = field(default_factory=list, compare=False, repr=False)
    _listed: dict[int, list[str]] = field(default_factory=dict, compare=False, repr=False)

    @property
    def limits(self) -> tuple[str, ...]:
        return tuple(self._notes)

    @classmethod
    def from_dir(cls, root: str | os.PathLike[str], dockerfile: str | None = None) -> ContextFiles:
        """Read ``<root>/.dockerignore`` (or BuildKit's ``<Dockerfile>.dockerignore`` beside
        the Dockerfile, which takes precedence) the way BuildKit does. A line Docker would
        refuse, or a file that cannot be read, is the user's error (DockerfileSyntaxError
        naming ``.dockerignore`` and the line)."""
        path = Path(root)
        candidates = []
        if dockerfile:
            candidates.append(Path(dockerfile).with_name(Path(dockerfile).name + ".dockerignore"))
        candidates.append(path / ".dockerignore")
        for candidate in candidates:
            if not os.path.lexists(candidate):
                continue
            notes: list[str] = []
            name = candidate.name
            try:
                if candidate.parent.resolve() == path.resolve():
                    data = jail.read_bytes(path, name, MAX_DOCKERIGNORE_BYTES)
                else:
                    data = jail.read_file(candidate, MAX_DOCKERIGNORE_BYTES, name)
            except jail.Unreadable as error:
                raise DockerfileSyntaxError(
                    f"cannot use {name}: {error}",
                    None,
                    f"make {name} a readable text file in the build context",
                ) from None
            lines = read_patterns(data.decode("utf-8", errors="replace"))
            if len(lines) > MAX_PATTERNS:
                notes.append(
                    f"{name} has {len(lines):,} patterns; only the first {MAX_PATTERNS:,} "
                    f"are used (line {lines[MAX_PATTERNS][0]} on is left out)"
                )
                lines = lines[:MAX_PATTERNS]
            try:
                matcher = Matcher(lines)
            except DockerignoreError as error:
                raise DockerfileSyntaxError(
                    f"{name} line {error.line}: {error.message}",
                    None,
                    f"fix or delete line {error.line} of {name}; docker build refuses it too",
                ) from None
            patterns = tuple(text for _line, text in lines)
            return cls(path, patterns, True, matcher if matcher.patterns else None, notes)
        return cls(path, (), False, None)

    def is_ignored(self, path: str) -> bool:
        """True when ``.dockerignore`` keeps ``path`` (context-relative) out of the context."""
        if self._matcher is None:
            return False
        return self._matcher.matches(normalize(path))

    def files(self, limit: int = 20000) -> list[str]:
        """Context-relative paths of the files sent to the builder (sorted, bounded); a
        link is listed as itself, never followed."""
        if self.root is None:
            return []
        if limit not in self._listed:  # walked once: the re-grade of a fix asks again
            found = [path for path in _walk(self.root, limit) if not self.is_ignored(path)]
            self._listed[limit] = sorted(found)
        return list(self._listed[limit])

    def exists(self, path: str) -> bool:
        """The context holds an entry at ``path`` (a link out of it counts as an entry)."""
        return self.root is not None and jail.entry_exists(self.root, normalize(path))

    def is_file(self, path: str) -> bool:
        """``path`` is a regular file inside the context (links inside it followed). An
        entry that is not (a link out of the context, a FIFO, a device) leaves a note."""
        if self.root is None:
            return False
        relative = normalize(path)
        if jail.is_regular_file(self.root, relative):
            return True
        self._note(jail.refusal(self.root, relative))
        return False

    def _note(self, note: str | None) -> None:
        if note and note not in self._notes:
            self._notes.append(note)

    def read_text(self, path: str, limit: int = jail.MAX_FILE_BYTES) -> str | None:
        """A context file's text (UTF-8, bad bytes replaced), or None with a note when it
        is missing, a link out of the context, not a regular file or too large."""
        if self.root is None:
            return None
        try:
            data = jail.read_bytes(self.root, normalize(path), limit)
        except jail.Missing:
            return None
        except jail.Unreadable as error:
            self._note(str(error))
            return None
        return data.decode("utf-8", errors="replace")


MAX_DOCKERIGNORE_BYTES = 1 << 20


def _walk(root: Path, limit: int) -> Iterator[str]:
    count = 0
    for directory, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(name for name in dirnames if name != ".git")
        relative = os.path.relpath(directory, root)
        for name in sorted(filenames):
            yield name if relative == "." else f"{relative}/{name}".replace(os.sep, "/")
            count += 1
            if count >= limit:
                return


def normalize(path: str) -> str:
    """A context-relative path as Docker cleans it: no ``./``, no leading or doubled ``/``."""
    parts: list[str] = []
    for part in path.replace("\\", "/").split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts:
                parts.pop()
            continue
        parts.append(part)
    return "/".join(parts)


# --------------------------------------------------------------------------------------
# What a COPY/ADD or a bind mount reads from the context


def context_sources(instruction: Instruction) -> tuple[str, ...] | None:
    """The context paths a COPY/ADD copies, or None when it does not read the context
    (``--from=``, URLs, heredoc bodies)."""
    if instruction.keyword not in ("COPY", "ADD"):
        return None
    if instruction.flag("from") is not None:
        return None
    arguments = instruction.resolved_arguments  # $VAR expanded as Docker does
    if len(arguments) < 2:
        return None
    heredoc_names = {heredoc.name for heredoc in instruction.heredocs}
    sources = []
    for source in arguments[:-1]:
        if source.startswith(_URL_PREFIXES):
            continue
        if source.startswith("<<") and source.lstrip("<-") in heredoc_names:
            continue
        sources.append(source)
    return tuple(sources) if sources else None


@lru_cache(maxsize=4096)
def source_matches(source: str, path: str) -> bool:
    """Does the COPY source pattern ``source`` copy the context file ``path``?

    A plain path copies itself or, being a directory, everything under it; a pattern is
    matched component by component (``*`` never crosses ``/``), and a matched directory
    again copies everything under it. ``.`` copies the whole context.
    """
    pattern = normalize(source)
    target = normalize(path)
    if not pattern:
        return True
    if not any(char in pattern for char in "*?["):
        return target == pattern or target.startswith(pattern + "/")
    pattern_parts = pattern.split("/")
    target_parts = target.split("/")
    if len(target_parts) < len(pattern_parts):
        return False
    return all(
        fnmatchcase(name, _go_glob(part))
        for name, part in zip(target_parts, pattern_parts, strict=False)
    )


def _go_glob(part: str) -> str:
    """Go's ``[^...]`` negation is fnmatch's ``[!...]``."""
    return part.replace("[^", "[!")
