"""``.dockerignore`` as BuildKit reads and matches it, in time linear in the path.

Reading follows BuildKit's ``dockerignore.ReadAll``: a UTF-8 BOM is dropped, a line that
starts with ``#`` is a comment (only at the very start: ``  # x`` is a pattern), blanks
are trimmed, ``!`` marks an exception, and each pattern is cleaned like Go's
``filepath.Clean`` with a leading ``/`` dropped (the context root is ``/``).

Matching follows moby/patternmatcher's ``MatchesOrParentMatches``: the last pattern that
matches the path, or any of its parent directories, decides (an exception re-includes).
A pattern is checked for syntax the way Go's ``filepath.Match`` does, then matched as
patternmatcher compiles it: a plain name exactly, ``foo**`` as a prefix, ``**foo`` as a
suffix, anything else as its regular expression (``*`` and ``?`` never cross ``/``,
``**/`` spans any directories, ``[...]`` is a regular-expression class, ``\\x`` is ``x``).
Unlike docker-py, matching is case-sensitive, as on Linux.

Why our own: docker-py's matcher runs backtracking regular expressions (``*a*a*a*a...``
against a long name never ends) and recompiles past 100 patterns. Here a pattern with at
most two unbounded loops runs as a Python regular expression (polynomial at worst, in C);
one with more runs on a bit-parallel NFA, linear in the path. Results for directories are
kept, so a file costs one check per pattern, not one per pattern and parent.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

MAX_PATTERNS = 1000
"""Patterns used from one ``.dockerignore``; the rest are left out, with a finding."""
MAX_PATTERN_LENGTH = 4096
_REGEX_LOOPS = 2  # a pattern with more unbounded loops is matched on the NFA


class DockerignoreError(ValueError):
    """A line Docker refuses too (``docker build`` fails on it); names the line."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(f".dockerignore line {line}: {message}")
        self.message = message
        self.line = line


# --------------------------------------------------------------------------------------
# Reading


def read_patterns(text: str) -> list[tuple[int, str]]:
    """(line number, pattern) for each pattern line, cleaned as BuildKit's ReadAll does."""
    found: list[tuple[int, str]] = []
    for number, raw in enumerate(text.split("\n"), 1):
        if number == 1:
            raw = raw.removeprefix("\ufeff")
        if raw.startswith("#"):
            continue
        pattern = raw.strip(_GO_SPACE)
        if not pattern:
            continue
        invert = pattern[0] == "!"
        if invert:
            pattern = pattern[1:].strip(_GO_SPACE)
        if pattern:
            pattern = go_clean(pattern)
            if len(pattern) > 1 and pattern[0] == "/":
                pattern = pattern[1:]
        found.append((number, "!" + pattern if invert else pattern))
    return found


_GO_SPACE = " \t\n\r\v\f\x85\xa0"  # strings.TrimSpace: unicode.IsSpace (the common ones)


def go_clean(path: str) -> str:
    """Go's ``filepath.Clean`` on a slash path (``posixpath.normpath`` keeps ``//a``)."""
    if not path:
        return "."
    rooted = path[0] == "/"
    parts: list[str] = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts and parts[-1] != "..":
                parts.pop()
            elif not rooted:
                parts.append(part)
            continue
        parts.append(part)
    cleaned = "/".join(parts)
    if rooted:
        return "/" + cleaned
    return cleaned or "."


# --------------------------------------------------------------------------------------
# One pattern


@dataclass(frozen=True)
class _Token:
    kind: str  # lit | one | class | star | any | dstar
    text: str = ""  # the literal, or the class's Python regex


@dataclass
class Pattern:
    """One compiled pattern: its kind (exact, prefix, suffix, regex) and how to test it."""

    text: str
    exclusion: bool
    kind: str
    tokens: tuple[_Token, ...] = ()
    regex: re.Pattern[str] | None = None
    nfa: _Nfa | None = None

    def match(self, path: str) -> bool:
        kind = self.kind
        if kind == "exact":
            return path == self.text
        if kind == "prefix":
            return path.startswith(self.text[:-2])
        if kind == "suffix":
            suffix = self.text[2:]
            return path.endswith(suffix) or (suffix[:1] == "/" and path == suffix[1:])
        if self.regex is not None:
            return self.regex.fullmatch(path) is not None
        assert self.nfa is not None
        return self.nfa.fullmatch(path)


def compile_pattern(raw: str, line: int) -> Pattern:
    """patternmatcher.New for one pattern (trim, Clean, ``!``, Go syntax check), then its
    compile step; a pattern Docker refuses raises DockerignoreError naming ``line``."""
    text = go_clean(raw.strip(_GO_SPACE))
    exclusion = text[0] == "!"
    if exclusion:
        if len(text) == 1:
            raise DockerignoreError('illegal exclusion pattern: "!"', line)
        text = text[1:]
    if len(text) > MAX_PATTERN_LENGTH:
        raise DockerignoreError(f"a pattern longer than {MAX_PATTERN_LENGTH} characters", line)
    problem = _go_match_syntax(text)
    if problem:
        raise DockerignoreError(f"syntax error in pattern {text!r}: {problem}", line)
    kind, tokens = _scan(text, line)
    pattern = Pattern(text, exclusion, kind, tokens)
    if kind == "regex":
        loops = sum(token.kind in ("star", "any", "dstar") for token in tokens)
        if loops <= _REGEX_LOOPS:
            pattern.regex = re.compile("".join(_regex_piece(token) for token in tokens))
        else:  # many loops: a backtracking regex could take exponential time
            pattern.nfa = _Nfa(tokens)
    return pattern


def _scan(text: str, line: int) -> tuple[str, tuple[_Token, ...]]:
    """patternmatcher's compile loop: the match kind and the tokens of the expression."""
    tokens: list[_Token] = []
    kind = "exact"
    anchor = False  # a bare "^": an anchor once the pattern is a regular expression
    index, size, step = 0, len(text), 0
    while index < size:
        char = text[index]
        index += 1
        if char == "*":
            if index < size and text[index] == "*":
                index += 1
                if index < size and text[index] == "/":
                    index += 1
                if index >= size:
                    if kind == "exact":
                        kind = "prefix"
                    else:
                        tokens.append(_Token("any"))
                        kind = "regex"
                else:
                    tokens.append(_Token("dstar"))
                    kind = "regex"
                if step == 0:
                    kind = "suffix"
            else:
                tokens.append(_Token("star"))
                kind = "regex"
        elif char == "?":
            tokens.append(_Token("one"))
            kind = "regex"
        elif char == "\\":
            if index < size:
                following = text[index]
                index += 1
                if following.isalnum() or following == "_":
                    raise DockerignoreError(
                        f"'\\{following}' in {text!r} is a regular-expression escape in Docker's "
                        "matcher, not a plain character: remove the backslash",
                        line,
                    )
                tokens.append(_Token("lit", following))
                kind = "regex"
            else:
                tokens.append(_Token("lit", "\\"))
        elif char == "[":
            end, piece = _class(text, index, line)
            tokens.append(_Token("class", piece))
            index = end
            kind = "regex"
        else:
            anchor = anchor or char == "^"
            tokens.append(_Token("lit", char))
        step += 1
    if kind == "regex" and anchor:
        raise DockerignoreError(
            f"'^' in {text!r} is a regular-expression anchor in Docker's matcher, not a "
            "character: write \\^ for the character",
            line,
        )
    return kind, tuple(tokens)


def _class(text: str, start: int, line: int) -> tuple[int, str]:
    """The ``[...]`` class whose body starts at ``start``: (index after ``]``, the class
    as a Python expression with RE2's meaning). ``*``/``?``/``[`` inside a class become
    regular-expression text in Docker's matcher, which is not modelled: refused."""
    index = start
    body: list[str] = []
    if index < len(text) and text[index] == "^":
        body.append("^")
        index += 1
    first = True
    while index < len(text):
        char = text[index]
        if char == "]" and not first:
            piece = "[" + "".join(body) + "]"
            try:
                re.compile(piece)
            except re.error as error:
                raise DockerignoreError(
                    f"syntax error in pattern {text!r}: {error}", line
                ) from None
            return index + 1, piece
        first = False
        if char in "*?[":
            raise DockerignoreError(
                f"{char!r} inside [...] in {text!r} is not a plain character in Docker's "
                "matcher: write it as \\" + char,
                line,
            )
        if char == "\\" and index + 1 < len(text):
            following = text[index + 1]
            if following.isalnum():
                raise DockerignoreError(
                    f"'\\{following}' inside [...] in {text!r} is a regular-expression escape "
                    "in Docker's matcher: remove the backslash",
                    line,
                )
            body.append(re.escape(following))
            index += 2
            continue
        body.append(char if char == "-" else re.escape(char))
        index += 1
    raise DockerignoreError(f"unclosed [ in {text!r}", line)


def _whole(pattern: Pattern) -> str:
    """``pattern`` as one expression with the same full-match result."""
    kind, text = pattern.kind, pattern.text
    if kind == "exact":
        return f"(?:{re.escape(text)})"
    if kind == "prefix":
        return f"(?:{re.escape(text[:-2])}[\\s\\S]*)"
    if kind == "suffix":
        suffix = text[2:]
        bare = f"|{re.escape(suffix[1:])}" if suffix[:1] == "/" else ""
        return f"(?:[\\s\\S]*{re.escape(suffix)}{bare})"
    assert pattern.regex is not None
    return f"(?:{pattern.regex.pattern})"


def _regex_piece(token: _Token) -> str:
    kind = token.kind
    if kind == "lit":
        return re.escape(token.text)
    if kind == "one":
        return "[^/]"
    if kind == "star":
        return "[^/]*"
    if kind == "any":
        return ".*"
    if kind == "dstar":
        return "(?:.*/)?"
    return token.text


def _go_match_syntax(pattern: str) -> str:
    """What Go's ``filepath.Match(pattern, ".")`` reports as ErrBadPattern ("" if none):
    each chunk between stars is checked whole (classes, ranges, escapes)."""
    index, size = 0, len(pattern)
    while index < size:
        char = pattern[index]
        if char == "\\":
            if index + 1 >= size:
                return "a trailing backslash"
            index += 2
            continue
        if char == "[":
            index += 1
            if index < size and pattern[index] == "^":
                index += 1
            ranges = 0
            while True:
                if index < size and pattern[index] == "]" and ranges > 0:
                    index += 1
                    break
                index, problem = _go_escape(pattern, index)
                if problem:
                    return problem
                if pattern[index] == "-":
                    index, problem = _go_escape(pattern, index + 1)
                    if problem:
                        return problem
                ranges += 1
            continue
        index += 1
    return ""


def _go_escape(pattern: str, index: int) -> tuple[int, str]:
    """Go's getEsc: one (possibly escaped) class character, never at the pattern's end."""
    if index >= len(pattern) or pattern[index] in "-]":
        return index, "a malformed [...] class"
    if pattern[index] == "\\":
        index += 1
        if index >= len(pattern):
            return index, "a malformed [...] class"
    index += 1
    if index >= len(pattern):
        return index, "an unclosed [...] class"
    return index, ""


# --------------------------------------------------------------------------------------
# The linear matcher for patterns with many loops


class _Nfa:
    """The tokens as a bit-parallel NFA: bit ``i`` set means "the first ``i`` tokens
    match what was read"; each character costs a few integer operations."""

    def __init__(self, tokens: tuple[_Token, ...]) -> None:
        self.skip2 = 0  # bit i: a dstar's "(.*/)?" may match nothing: i -> i + 2
        self.expanded = self._expand(tokens)
        self.masks: dict[str, int] = {}

    def _expand(self, tokens: tuple[_Token, ...]) -> tuple[_Token, ...]:
        """dstar becomes two positions: a ``.*`` loop entered without reading, then ``/``."""
        out: list[_Token] = []
        for token in tokens:
            if token.kind == "dstar":
                position = len(out)
                self.skip2 |= 1 << position
                out.extend((_Token("dloop"), _Token("lit", "/")))
            else:
                out.append(token)
        self.accept = 1 << len(out)
        self.skip1 = 0  # bit i: token i may match nothing (star, any, dloop)
        self.stay_any = 0  # bit i + 1: after loop token i, any character but "\n" stays
        self.stay_name = 0  # bit i + 1: after star token i, any character but "/" stays
        for index, token in enumerate(out):
            bit = 1 << index
            if token.kind in ("star", "any"):
                self.skip1 |= bit
            if token.kind == "star":
                self.stay_name |= bit << 1
            if token.kind == "any":
                self.stay_any |= bit << 1
            if token.kind == "dloop":
                self.skip1 |= bit
                self.stay_any |= bit << 1
        return tuple(out)

    def _mask(self, char: str) -> int:
        found = self.masks.get(char)
        if found is None:
            found = 0
            for index, token in enumerate(self.expanded):
                kind = token.kind
                if (
                    (kind == "lit" and token.text == char)
                    or (kind == "one" and char != "/")
                    or (kind == "class" and re.fullmatch(token.text, char) is not None)
                ):
                    found |= 1 << index
            if len(self.masks) < 4096:
                self.masks[char] = found
        return found

    def _close(self, state: int) -> int:
        while True:
            grown = state | ((state & self.skip1) << 1) | ((state & self.skip2) << 2)
            if grown == state:
                return state
            state = grown

    def fullmatch(self, path: str) -> bool:
        state = self._close(1)
        stay_name, stay_any = self.stay_name, self.stay_any
        for char in path:
            stays = state & (stay_any if char != "\n" else 0)
            if char != "/":
                stays |= state & stay_name
            state = self._close(((state & self._mask(char)) << 1) | stays)
            if not state:
                return False
        return bool(state & self.accept)


# --------------------------------------------------------------------------------------
# The matcher


class Matcher:
    """MatchesOrParentMatches over compiled patterns, with directory results kept."""

    def __init__(self, patterns: Iterable[tuple[int, str]]) -> None:
        self.patterns: list[Pattern] = [
            compile_pattern(text, line) for line, text in patterns if text.strip(_GO_SPACE)
        ]
        self._directories: dict[str, int] = {"": 0}
        # One expression for "does any pattern match this path itself": a file that no
        # pattern (nor a parent's) matches, the usual case, costs one call in C.
        pieces = [_whole(pattern) for pattern in self.patterns if pattern.nfa is None]
        self._any = re.compile("|".join(pieces)) if pieces else None
        self._nfas = [pattern for pattern in self.patterns if pattern.nfa is not None]

    def _hits(self, directory: str) -> int:
        """Bit i: pattern i matches ``directory`` or one of its parents."""
        found = self._directories.get(directory)
        if found is not None:
            return found
        parent, _, _ = directory.rpartition("/")
        found = self._hits(parent)
        for index, pattern in enumerate(self.patterns):
            if not found >> index & 1 and pattern.match(directory):
                found |= 1 << index
        if len(self._directories) < 100_000:
            self._directories[directory] = found
        return found

    def _matches_any(self, path: str) -> bool:
        if self._any is not None and self._any.fullmatch(path) is not None:
            return True
        return any(pattern.match(path) for pattern in self._nfas)

    def matches(self, path: str) -> bool:
        """True when ``path`` (clean, slash-separated, context-relative) is excluded."""
        if not path or path == ".":
            return False
        parent, _, _ = path.rpartition("/")
        hits = self._hits(parent) if parent else 0
        if not self._matches_any(path):  # the parents decide: the last pattern matching one
            return bool(hits) and not self.patterns[hits.bit_length() - 1].exclusion
        for index in range(len(self.patterns) - 1, -1, -1):
            pattern = self.patterns[index]
            if hits >> index & 1 or pattern.match(path):
                return not pattern.exclusion
        return False
