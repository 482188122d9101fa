"""Split shell text into the simple commands it runs (argv lists), never raising.

A RUN line is a shell script, so a regular expression over its text cannot tell
``pip install -r requirements.txt`` from ``echo "pip install -r requirements.txt"``. This
module parses it in three tiers:

1. a small hand-written tokenizer for the plain command lists most RUN lines are (words,
   quotes, escapes, comments, redirections, ``&&`` ``||`` ``;`` ``|`` ``&`` and newlines);
   it is fast, and it declines (returns None) on anything compound;
2. ``bashlex`` for compound shell (``if``/``for``/``while``, subshells, braces, ``$(...)``,
   heredocs), walking its tree to every simple command;
3. when bashlex cannot parse valid shell (arithmetic, ``case``, some ``[[``), a ``shlex``
   split on the control operators, which is crude but safe.

Results are cached per text (bashlex costs about half a millisecond per line).

bashlex reads about 130 KB a second, so a 1 MiB Dockerfile of compound RUNs would take
seconds: a grade gives it :data:`MAX_COMPOUND_TEXT` characters (:func:`compound_budget`).
The RUNs are charged in file order, each compound one (one the tokenizer declines) by its
length; one past the budget gets the crude split of tier 3, and LC008 names its line. The
decision depends on the Dockerfile alone, so a grade never depends on what was graded
before it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, TypeVar

# Words that open or shape compound commands: the fast tokenizer leaves those to bashlex.
_COMPOUND_WORDS = frozenset(
    (
        *("if", "then", "else", "elif", "fi", "for", "while", "until", "do", "done"),
        *("case", "esac", "function", "select", "{", "}", "coproc"),
    )
)
_MAX_BASHLEX = 20_000  # bashlex is slow; a longer compound script gets the crude split
CACHED_TEXTS = 8192
"""Texts whose parse is kept (more than a Dockerfile's 2,000 instructions: a rule that
walks every RUN again must not find each evicted by the walk before)."""
MAX_COMPOUND_TEXT = 16 * 1024
"""Characters of compound shell one grade reads with bashlex (about a tenth of a second:
far more than real Dockerfiles hold, whose compound RUNs are a few hundred characters)."""


@dataclass(frozen=True)
class RawCommand:
    """One simple command as written: its words and where it starts in the text."""

    argv: tuple[str, ...]
    offset: int  # character offset of the command in the parsed text


def raw_commands(text: str, compound: bool = True) -> tuple[RawCommand, ...]:
    """Every simple command in ``text`` in source order, without unwrapping wrappers;
    ``compound=False`` gives compound shell the crude split instead of bashlex."""
    return _raw_commands_cached(text, compound)


@lru_cache(maxsize=CACHED_TEXTS)
def _raw_commands_cached(text: str, compound: bool) -> tuple[RawCommand, ...]:
    fast = _fast_cached(text)
    if fast is not None:
        return fast
    if not compound or len(text) > _MAX_BASHLEX:
        return _shlex_commands(text)
    parsed = _bashlex_commands(text)
    if parsed is not None:
        return parsed
    return _shlex_commands(text)


@lru_cache(maxsize=CACHED_TEXTS)
def _fast_cached(text: str) -> tuple[RawCommand, ...] | None:
    return _fast_commands(text)


# --------------------------------------------------------------------------------------
# The budget of compound shell per grade


@dataclass
class _Budget:
    remaining: int
    decided: dict[str, bool] = field(default_factory=dict)  # text -> read with bashlex
    # What one grade worked out per object (a RUN's commands), kept with the object itself so
    # its id cannot be reused; dropped with the budget, so no grade sees another's answers.
    memo: dict[tuple[str, int], tuple[object, object]] = field(default_factory=dict)


_BUDGET: ContextVar[_Budget | None] = ContextVar("compound_budget", default=None)


@contextmanager
def compound_budget(texts: Iterable[str] = (), limit: int = MAX_COMPOUND_TEXT) -> Iterator[None]:
    """Within the block, compound shell is read with bashlex up to ``limit`` characters;
    ``texts`` (the RUNs, in file order) are charged first, so which RUN is past the budget
    depends on the Dockerfile alone, not on the order the rules ask."""
    budget = _Budget(limit)
    token = _BUDGET.set(budget)
    try:
        for text in texts:
            compound_allowed(text)
        yield
    finally:
        _BUDGET.reset(token)


T = TypeVar("T")


def grade_memo() -> dict[tuple[str, int], tuple[object, object]] | None:
    """The current grade's memo (see :class:`_Budget`), or None outside a grade."""
    budget = _BUDGET.get()
    return budget.memo if budget is not None else None


def once_per_grade(kind: str, instruction: Any, compute: Callable[[], T]) -> T:
    """``compute()`` for ``instruction``, worked out once per grade (every call outside a
    grade computes afresh). Kept with the instruction itself, so a value is never handed to
    another Dockerfile's instruction that happens to have the same index."""
    memo = grade_memo()
    if memo is None:
        return compute()
    key = (kind, instruction.index)
    known = memo.get(key)
    if known is None or known[0] is not instruction:
        known = memo[key] = (instruction, compute())
    return known[1]  # type: ignore[return-value]


def compound_allowed(text: str) -> bool:
    """Whether compound shell in ``text`` is read with bashlex: always outside a budget,
    and inside one while the budget lasts (plain command lists cost nothing)."""
    budget = _BUDGET.get()
    if budget is None:
        return True
    decided = budget.decided.get(text)
    if decided is None:
        if len(text) > _MAX_BASHLEX or _fast_cached(text) is not None:
            decided = True  # bashlex is not used on it either way: nothing to charge
        else:
            decided = len(text) <= budget.remaining
            budget.remaining -= len(text) if decided else 0
        budget.decided[text] = decided
    return decided


def past_compound_budget(text: str) -> bool:
    """Whether ``text`` was found past the grade's budget (asked without charging it)."""
    budget = _BUDGET.get()
    return budget is not None and budget.decided.get(text) is False


# --------------------------------------------------------------------------------------
# Tier 1: the fast tokenizer for plain command lists


class _Decline(Exception):
    """The text needs a real shell parser."""


def _fast_commands(text: str) -> tuple[RawCommand, ...] | None:
    """Tokenize a plain command list, or return None when the text is compound shell."""
    try:
        return tuple(_FastTokenizer(text).run())
    except _Decline:
        return None


class _FastTokenizer:
    """A single left-to-right pass; raises _Decline on anything it does not model."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.size = len(text)
        self.position = 0
        self.commands: list[RawCommand] = []
        self.words: list[str] = []
        self.start = -1  # offset of the current command's first word
        self.chars: list[str] = []
        self.in_word = False
        self.skip_word = False  # the next word is a redirection target

    def run(self) -> list[RawCommand]:
        text = self.text
        size = self.size
        while self.position < size:
            char = text[self.position]
            if char in " \t\r":
                self._end_word()
                self.position += 1
            elif char == "\n":
                self._end_command()
                self.position += 1
            elif char == "\\":
                self._escape()
            elif char == "'":
                self._single_quote()
            elif char == '"':
                self._double_quote()
            elif char == "#" and not self.in_word:
                end = text.find("\n", self.position)
                self.position = size if end < 0 else end
            elif char == "$":
                self._dollar()
            elif char in "`()":
                raise _Decline
            elif char in ";&|":
                self._operator(char)
            elif char in "<>":
                self._redirection()
            else:
                self._begin_word()
                self.chars.append(char)
                self.position += 1
        self._end_command()
        return self.commands

    def _begin_word(self) -> None:
        if not self.in_word:
            self.in_word = True
            if self.start < 0 and not self.skip_word:
                self.start = self.position

    def _end_word(self) -> None:
        if not self.in_word:
            return
        word = "".join(self.chars)
        self.chars = []
        self.in_word = False
        if self.skip_word:
            self.skip_word = False
            return
        if not self.words and word in _COMPOUND_WORDS:
            raise _Decline
        self.words.append(word)

    def _end_command(self) -> None:
        self._end_word()
        if self.skip_word:
            raise _Decline  # a redirection without a target
        if self.words:
            self.commands.append(RawCommand(tuple(self.words), max(self.start, 0)))
        self.words = []
        self.start = -1

    def _escape(self) -> None:
        text = self.text
        following = text[self.position + 1 : self.position + 2]
        if following == "\n":
            self.position += 2  # a line continuation joins the lines
            return
        self._begin_word()
        self.chars.append(following)
        self.position += 2

    def _single_quote(self) -> None:
        end = self.text.find("'", self.position + 1)
        if end < 0:
            raise _Decline
        self._begin_word()
        self.chars.append(self.text[self.position + 1 : end])
        self.position = end + 1

    def _double_quote(self) -> None:
        text = self.text
        self._begin_word()
        position = self.position + 1
        while position < self.size:
            char = text[position]
            if char == '"':
                self.position = position + 1
                return
            if char == "`" or (char == "$" and text.startswith("$(", position)):
                raise _Decline
            if char == "\\" and position + 1 < self.size and text[position + 1] in '$`"\\\n':
                if text[position + 1] != "\n":
                    self.chars.append(text[position + 1])
                position += 2
                continue
            self.chars.append(char)
            position += 1
        raise _Decline  # unterminated quote

    def _dollar(self) -> None:
        text = self.text
        following = text[self.position + 1 : self.position + 2]
        if following in ("(", "'", '"'):
            raise _Decline  # command substitution, arithmetic, $'...' or $"..."
        self._begin_word()
        if following == "{":
            end = text.find("}", self.position)
            if end < 0:
                raise _Decline
            self.chars.append(text[self.position : end + 1])
            self.position = end + 1
            return
        self.chars.append("$")
        self.position += 1

    def _operator(self, char: str) -> None:
        text = self.text
        following = text[self.position + 1 : self.position + 2]
        if char == ";" and following == ";":
            raise _Decline  # a case clause
        if char == "&" and following == ">":
            self._redirection()
            return
        if char == "|" and following == "&":
            self.position += 1
        if following == char and char in "&|":
            self.position += 1
        self._end_command()
        self.position += 1

    def _redirection(self) -> None:
        text = self.text
        if text.startswith(("<<", "<(", ">("), self.position):
            raise _Decline  # heredoc or process substitution
        # a word made only of digits right before the operator is the descriptor ("2>")
        if self.in_word and "".join(self.chars).isdigit():
            self.chars = []
            self.in_word = False
        else:
            self._end_word()
        position = self.position
        while position < self.size and text[position] in "<>&|":
            position += 1
        self.position = position
        self.skip_word = True  # the target: a file, or a descriptor for >&2 and 2>&1


# --------------------------------------------------------------------------------------
# Tier 2: bashlex


def bashlex_commands(text: str, compound: bool = True) -> tuple[RawCommand, ...] | None:
    """bashlex's commands of ``text`` (bounded in size), or None when it cannot parse it
    (or ``compound`` is False)."""
    if not compound or len(text) > _MAX_BASHLEX:
        return None
    return _bashlex_commands(text)


def _bashlex_commands(text: str) -> tuple[RawCommand, ...] | None:
    """Every CommandNode in bashlex's tree, or None when bashlex cannot parse the text."""
    from checker.shell import bashlex_loader  # on first need: most RUN lines never get here

    bashlex = bashlex_loader.load()
    try:
        trees = bashlex.parse(text)
    except Exception:  # bashlex raises several types, including NotImplementedError
        return None
    found: list[RawCommand] = []
    try:
        for tree in trees:
            _walk(tree, found)
    except RecursionError:  # pragma: no cover - absurdly nested shell
        return None
    return tuple(found)


def _walk(node: object, found: list[RawCommand]) -> None:
    kind = getattr(node, "kind", "")
    if kind == "command":
        parts = getattr(node, "parts", ())
        argv = tuple(
            part.word for part in parts if getattr(part, "kind", "") in ("word", "assignment")
        )
        if argv:
            found.append(RawCommand(argv, node.pos[0]))
        for part in parts:
            _walk_children(part, found)
        return
    _walk_children(node, found)


def _walk_children(node: object, found: list[RawCommand]) -> None:
    for attribute in ("parts", "list"):
        for child in getattr(node, attribute, None) or ():
            _walk(child, found)
    for attribute in ("command", "output"):
        child = getattr(node, attribute, None)
        if child is not None and hasattr(child, "kind"):
            _walk(child, found)


# --------------------------------------------------------------------------------------
# Tier 3: the crude, safe fallback


_SEPARATOR_CHARS = frozenset(";&|\n()")


# The tokens of ``shlex.shlex(text, posix=True, punctuation_chars=";&|<>()\n")`` with
# whitespace " \t\r" and whitespace_split, as one regular expression: shlex reads a
# character at a time in Python (about 300 KB a second), this runs in C.
_TOKEN = re.compile(
    r"""(?P<space>[ \t\r]+)
    |(?P<comment>\#[^\n]*\n?)        # shlex skips to the end of the line, newline included
    |(?P<operator>[;&|<>()\n]+)
    |(?P<word>(?:'[^']*'|"(?:\\[\s\S]|[^"\\])*"|\\[\s\S]|[^ \t\r;&|<>()\n'"\\\#])+)
    |(?P<bad>[\s\S])                  # an unclosed quote, or a backslash at the end""",
    re.VERBOSE,
)
_PIECE = re.compile(r"""'([^']*)'|"((?:\\[\s\S]|[^"\\])*)"|\\([\s\S])|([^'"\\]+)""")
_QUOTED_ESCAPE = re.compile(r"\\([\s\S])")


def _shell_tokens(text: str) -> list[str]:
    """The tokens shlex gives (see ``_TOKEN``); ValueError where shlex raises one."""
    tokens = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind == "operator":
            tokens.append(match.group())
        elif kind == "word":
            word = match.group()
            tokens.append(_unquote(word) if "'" in word or '"' in word or "\\" in word else word)
        elif kind == "bad":
            raise ValueError("no closing quotation or escaped character")
    return tokens


def _unquote(word: str) -> str:
    """A word's text as posix shlex reads it: quotes removed; ``\\x`` is ``x`` outside
    quotes; inside double quotes only ``\\"`` and ``\\\\`` are escapes."""
    parts = []
    for single, double, escaped, plain in _PIECE.findall(word):
        if escaped or plain:
            parts.append(escaped or plain)
        elif double:
            parts.append(
                _QUOTED_ESCAPE.sub(
                    lambda m: m.group(1) if m.group(1) in '"\\' else m.group(), double
                )
            )
        else:
            parts.append(single)
    return "".join(parts)


_OPERATOR_CHARS = ";&|<>()\n"


def _shlex_commands(text: str) -> tuple[RawCommand, ...]:
    """Split on control operators as shlex would; never raises, whatever the text."""
    joined = text.replace("\\\n", "")
    try:
        tokens = _shell_tokens(joined)
    except ValueError:  # unterminated quote or escape: split on whitespace per line
        tokens = []
        for line in joined.split("\n"):
            tokens.extend(line.split())
            tokens.append("\n")
    commands: list[RawCommand] = []
    words: list[str] = []
    skip = False
    for token in tokens:
        if token and not token.strip(_OPERATOR_CHARS):  # only operator characters
            if "<" in token or ">" in token:
                skip = True
                continue
            _add_crude(commands, words)
            words = []
            continue
        if skip:
            skip = False
            continue
        words.append(token)
    _add_crude(commands, words)
    return tuple(commands)


# Words that open a compound command's body: ``then pip install x`` runs ``pip install x``.
_LEADING_KEYWORDS = frozenset(("if", "then", "else", "elif", "do", "while", "until", "{", "}"))
_CLOSING_KEYWORDS = frozenset(("fi", "done", "esac", "}"))


def _add_crude(commands: list[RawCommand], words: list[str]) -> None:
    """Add a command of the crude split, without the keywords that lead into it."""
    start = 0
    while start < len(words) and words[start] in _LEADING_KEYWORDS:
        start += 1
    rest = words[start:]
    if rest and not (len(rest) == 1 and rest[0] in _CLOSING_KEYWORDS):
        commands.append(RawCommand(tuple(rest), 0))
