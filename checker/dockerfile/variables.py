"""Docker's build-time variable expansion: ``$NAME``, ``${NAME}``, ``${NAME:-default}`` ...

Docker expands ENV and ARG values in ``COPY``/``ADD`` sources and destinations, ``WORKDIR``,
``ENV``, ``ARG`` defaults and the like when it builds (BuildKit's ``shell.Lex``); a ``RUN``
is expanded by the shell, which sees the same ENV and ARG values in its environment.

The values in effect at an instruction are those of its stage: ``ENV`` (inherited from a
parent stage built ``FROM`` it), and ``ARG`` declared in the stage, where a bare ``ARG NAME``
re-declares a global ARG (one before the first ``FROM``) with its default. ENV wins over an
ARG of the same name. Values given with ``--build-arg`` are not known here: defaults are used.

Expansion is bounded, since a few hundred bytes of ``ENV A=$A$A`` lines double a value per
line: an expanded word longer than :data:`MAX_VALUE`, or values past :data:`MAX_TOTAL` in
one pass, make the variable unknown (as if unset) and leave a note, "variable too large to
expand", that grading reports. ``${A##pattern}`` and friends match the pattern against all
prefixes (or suffixes) at once, in one pass over the value (a bit-parallel NFA), not one
``fnmatch`` per prefix length.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

from checker.dockerfile.model import Instruction

# Instructions whose arguments Docker expands (the ones whose paths the checker resolves).
EXPANDED_KEYWORDS = frozenset({"COPY", "ADD", "WORKDIR"})
MAX_VALUE = 64 * 1024
"""Longest expanded word (characters); real values are paths and versions."""
MAX_TOTAL = 4 * 1024 * 1024
"""Characters of values one pass over a Dockerfile may create, all variables together."""
MAX_TRIM_PATTERN = 256
"""Longest ``${A#pattern}`` pattern applied; a longer one makes the value unknown."""
TOO_LARGE = "variable too large to expand"


class TooLarge(Exception):
    """An expansion past :data:`MAX_VALUE` (or a trim pattern past its bound)."""


@dataclass
class Budget:
    """What one pass over a Dockerfile may still expand, and the notes it left:
    (line, message) per variable made unknown for its size."""

    remaining: int = MAX_TOTAL
    notes: list[tuple[int, str]] = field(default_factory=list)

    def charge(self, value: str) -> None:
        if len(value) > self.remaining:
            raise TooLarge
        self.remaining -= len(value)

    def note(self, line: int, name: str) -> None:
        self.notes.append(
            (
                line,
                f"{TOO_LARGE}: ${name} would hold more than {MAX_VALUE:,} characters (or all "
                f"values together more than {MAX_TOTAL:,}); it is treated as unknown here",
            )
        )


class _Unknown(Exception):
    """A variable with no known value, where the caller wants to know (a RUN's shell may
    set it itself, so guessing "" would be wrong)."""


def expand(word: str, env: dict[str, str], *, strict: bool = True, escape: str = "\\") -> str:
    """``word`` with Docker's quote removal and variable expansion, from ``env``.

    ``strict``: an unknown variable expands to "" (Docker's build-time rule). Otherwise an
    unknown variable raises KeyError (for RUN text, where the shell may know more).
    """
    if "$" not in word and "'" not in word and '"' not in word and escape not in word:
        return word
    try:
        value, _ = _word(word, 0, env, strict, escape, None)
    except _Unknown as error:
        raise KeyError(str(error)) from None
    return value


def try_expand(word: str, env: dict[str, str], escape: str = "\\") -> str | None:
    """Expand ``word`` when every variable it names is known (and the result is within
    :data:`MAX_VALUE`); None otherwise."""
    try:
        return expand(word, env, strict=False, escape=escape)
    except (KeyError, TooLarge):
        return None


def _word(
    text: str, position: int, env: dict[str, str], strict: bool, escape: str, stop: str | None
) -> tuple[str, int]:
    """Process ``text`` from ``position`` up to ``stop`` (``}`` inside ``${...:-word}``)."""
    out: list[str] = []
    length = 0  # characters in ``out``: checked before each piece, so memory stays bounded
    quote = ""
    size = len(text)
    while position < size:
        char = text[position]
        if stop is not None and not quote and char == stop:
            return "".join(out), position
        if quote == "'":
            if char == "'":
                quote = ""
            else:
                out.append(char)
            position += 1
            continue
        if char == "'" and not quote:
            quote = "'"
            position += 1
            continue
        if char == '"':
            quote = "" if quote == '"' else '"'
            position += 1
            continue
        if char == escape and position + 1 < size:
            following = text[position + 1]
            if quote == '"' and following not in ('"', "$", escape):
                out.append(char)
            out.append(following)
            position += 2
            continue
        if char == "$" and position + 1 < size:
            value, position = _parameter(text, position + 1, env, strict, escape)
            length += len(value)
            if length > MAX_VALUE:
                raise TooLarge
            out.append(value)
            continue
        out.append(char)
        length += 1
        position += 1
    return "".join(out), position


def _parameter(
    text: str, position: int, env: dict[str, str], strict: bool, escape: str
) -> tuple[str, int]:
    """Expand the parameter after a ``$`` at ``position - 1``; return (value, next index)."""
    if text[position] != "{":
        end = position
        while end < len(text) and (text[end].isalnum() or text[end] == "_"):
            end += 1
        if end == position:
            return "$", position
        return _lookup(text[position:end], env, strict), end
    start = position + 1
    end = start
    while end < len(text) and (text[end].isalnum() or text[end] == "_"):
        end += 1
    name = text[start:end]
    if end >= len(text):
        return "$" + text[position:], len(text)
    if text[end] == "}":
        return _lookup(name, env, strict), end + 1
    operator = text[end]
    if operator == ":" and end + 1 < len(text):
        operator += text[end + 1]
    elif operator in "#%" and end + 1 < len(text) and text[end + 1] == operator:
        operator += operator
    word, after = _word(text, end + len(operator), env, strict, escape, "}")
    if after >= len(text):  # no closing brace: Docker refuses it; keep the text
        return "$" + text[position:], len(text)
    known = name in env
    value = env.get(name, "")
    if operator in (":-", "-"):
        chosen = value if (value if operator == ":-" else known) else word
    elif operator in (":+", "+"):
        chosen = word if (value if operator == ":+" else known) else ""
    elif operator in (":?", "?"):
        chosen = value
    elif operator in ("#", "##", "%", "%%"):
        chosen = _trim(_lookup(name, env, strict), operator, word)
    else:
        chosen = _lookup(name, env, strict)
    return chosen, after + 1


def _lookup(name: str, env: dict[str, str], strict: bool) -> str:
    if name in env:
        return env[name]
    if strict:
        return ""
    raise _Unknown(name)


def _trim(value: str, operator: str, pattern: str) -> str:
    """``${NAME#pattern}`` and friends: remove the shortest (``#``, ``%``) or longest
    (``##``, ``%%``) prefix or suffix that matches ``pattern`` as ``fnmatchcase`` would."""
    if len(pattern) > MAX_TRIM_PATTERN:
        raise TooLarge
    tokens = _glob_tokens(pattern)
    longest = operator in ("##", "%%")
    if operator in ("#", "##"):
        size = _matching_prefix(value, tokens, longest)
        return value if size is None else value[size:]
    size = _matching_prefix(value[::-1], tokens[::-1], longest)
    return value if size is None else value[: len(value) - size]


def _glob_tokens(pattern: str) -> list[str]:
    """``pattern`` split as ``fnmatch.translate`` reads it: ``*`` (runs merged), ``?``, a
    whole ``[...]`` class, or one literal character (an unclosed ``[`` is literal)."""
    tokens: list[str] = []
    index, size = 0, len(pattern)
    while index < size:
        char = pattern[index]
        index += 1
        if char == "*":
            if not tokens or tokens[-1] != "*":
                tokens.append("*")
        elif char == "[":
            end = index
            if end < size and pattern[end] == "!":
                end += 1
            if end < size and pattern[end] == "]":
                end += 1
            while end < size and pattern[end] != "]":
                end += 1
            if end >= size:
                tokens.append("[")  # no closing bracket: a literal "["
            else:
                tokens.append(pattern[index - 1 : end + 1])
                index = end + 1
        else:
            tokens.append(char)
    return tokens


def _matching_prefix(value: str, tokens: list[str], longest: bool) -> int | None:
    """The shortest or longest ``size`` with ``value[:size]`` matching ``tokens``, or None.

    Bit ``i`` of ``state`` means "the first ``i`` tokens match what was read"; one step per
    character of ``value``, each a few integer operations (shift-and with ``*`` loops)."""
    count = len(tokens)
    accept = 1 << count
    stars = 0  # bit i: token i is "*" (may match nothing: i -> i + 1 without reading)
    for index, token in enumerate(tokens):
        if token == "*":
            stars |= 1 << index
    stays = stars << 1  # after a "*", reading any character keeps the state
    masks: dict[str, int] = {}

    def mask(char: str) -> int:
        found = masks.get(char)
        if found is None:
            found = 0
            for index, token in enumerate(tokens):
                if token == "?" or token == char or (len(token) > 1 and fnmatchcase(char, token)):
                    found |= 1 << index
            masks[char] = found
        return found

    state = 1 | ((1 & stars) << 1)
    best: int | None = 0 if state & accept else None
    if best is not None and not longest:
        return 0
    for position, char in enumerate(value, 1):
        state = ((state & mask(char)) << 1) | (state & stays)
        state |= (state & stars) << 1
        if not state:
            break
        if state & accept:
            best = position
            if not longest:
                return best
    return best


# --------------------------------------------------------------------------------------
# The values in effect, instruction by instruction


def arg_values(
    instruction: Instruction,
    known: dict[str, str],
    global_args: dict[str, str],
    escape: str,
    budget: Budget | None = None,
) -> dict[str, str]:
    """The values an ``ARG`` instruction declares (a bare name takes the global default).
    A value too large to expand is left out (unknown), with a note in ``budget``."""
    values: dict[str, str] = {}
    for word in instruction.arguments:
        name, sep, value = word.partition("=")
        if sep:
            expanded = _bounded(value, {**known, **values}, escape, budget, instruction, name)
            if expanded is not None:
                values[name] = expanded
        elif name in global_args:
            values[name] = global_args[name]
    return values


def _bounded(
    word: str,
    env: dict[str, str],
    escape: str,
    budget: Budget | None,
    instruction: Instruction,
    name: str,
) -> str | None:
    """``expand`` within the bounds; None (and a note) when the value is too large."""
    try:
        value = expand(word, env, escape=escape)
        if budget is not None and value is not word:
            budget.charge(value)
    except TooLarge:
        if budget is not None:
            budget.note(instruction.line, name)
        return None
    return value


def global_arg_values(
    global_args: Iterable[Instruction], escape: str = "\\", budget: Budget | None = None
) -> dict[str, str]:
    values: dict[str, str] = {}
    for instruction in global_args:
        values.update(arg_values(instruction, values, values, escape, budget))
    return values


class StageScope:
    """ENV and ARG values of one stage, updated instruction by instruction."""

    def __init__(
        self,
        env: dict[str, str],
        global_args: dict[str, str],
        escape: str,
        budget: Budget | None = None,
    ) -> None:
        self.env = dict(env)
        self.args: dict[str, str] = {}
        self.global_args = global_args
        self.escape = escape
        self.budget = budget if budget is not None else Budget()

    @property
    def values(self) -> dict[str, str]:
        return {**self.args, **self.env}

    def apply(self, instruction: Instruction) -> None:
        """Take in the ENV or ARG ``instruction`` (anything else changes nothing)."""
        if instruction.keyword == "ENV":
            known = self.values
            pairs = instruction.arguments
            for position in range(0, len(pairs) - 1, 2):
                name = pairs[position]
                value = _bounded(
                    pairs[position + 1], known, self.escape, self.budget, instruction, name
                )
                if value is None:  # too large: unknown from here on
                    self.env.pop(name, None)
                    self.args.pop(name, None)
                    known.pop(name, None)
                    continue
                self.env[name] = value
                known[name] = value
        elif instruction.keyword == "ARG":
            self.args.update(
                arg_values(instruction, self.values, self.global_args, self.escape, self.budget)
            )


def expanded_arguments(
    global_args: Sequence[Instruction],
    stages: Sequence[tuple[str, Sequence[Instruction]]],
    stage_of: dict[str, int],
    escape: str = "\\",
    budget: Budget | None = None,
) -> dict[int, tuple[str, ...]]:
    """For each COPY/ADD/WORKDIR that names a variable: its arguments as Docker expands them
    (keyed by ``instruction.index``). ``stages``: (base, instructions) per stage;
    ``stage_of``: stage alias or number -> index, for ENV inherited from a parent stage.
    ``budget`` collects the notes on values too large to expand (an instruction whose own
    expansion is too large keeps its arguments as written)."""
    budget = budget if budget is not None else Budget()
    globals_ = global_arg_values(global_args, escape, budget)
    final_env: list[dict[str, str]] = []
    found: dict[int, tuple[str, ...]] = {}
    for index, (base, members) in enumerate(stages):
        parent = stage_of.get(base.lower())
        inherited = final_env[parent] if parent is not None and parent < index else {}
        scope = StageScope(inherited, globals_, escape, budget)
        for instruction in members:
            if instruction.keyword in EXPANDED_KEYWORDS and "$" in instruction.text:
                values = scope.values
                try:
                    words = tuple(
                        expand(word, values, escape=escape) if "$" in word else word
                        for word in instruction.arguments
                    )
                    for word in words:
                        budget.charge(word)
                    found[instruction.index] = words
                except TooLarge:
                    budget.note(instruction.line, _first_variable(instruction.text))
            scope.apply(instruction)
        final_env.append(scope.env)
    return found


def _first_variable(text: str) -> str:
    start = text.find("$") + 1
    end = start + (text[start] == "{") if start < len(text) else start
    stop = end
    while stop < len(text) and (text[stop].isalnum() or text[stop] == "_"):
        stop += 1
    return text[end:stop] or "?"


def environment_at(dockerfile: object, instruction: Instruction) -> dict[str, str]:
    """ENV and ARG values a ``RUN`` (or any step) sees, as Docker computes them (a new dict,
    the caller's to change)."""
    stages = dockerfile.stages  # type: ignore[attr-defined]
    if not 0 <= instruction.stage < len(stages):
        return {}
    memo = dockerfile.memo  # type: ignore[attr-defined]
    environments = memo.get("environments")
    if environments is None:
        environments = memo["environments"] = _Environments(dockerfile)
    return environments.at(instruction)


class _Environments:
    """The ENV and ARG values at each step of one Dockerfile, computed once per stage.

    A step sees its stage's ENV and ARG up to it, over the ENV its parent stage ends with.
    Each stage's final ENV is computed once, stages in file order, with one :class:`Budget`
    as the parser's pass has; a cursor walks the stage of the last question from the
    budget left at that stage's start. Asked step after step, as the rules ask, this
    applies each instruction at most twice; going back restarts one stage's walk."""

    def __init__(self, dockerfile: object) -> None:
        self.dockerfile = dockerfile
        self.escape = getattr(dockerfile, "escape", "\\")
        self.budget = Budget()
        self.globals = global_arg_values(dockerfile.global_args, self.escape, self.budget)  # type: ignore[attr-defined]
        self.ends: list[dict[str, str]] = []  # the ENV each stage ends with, stage by stage
        self.starts: list[int] = []  # the budget left when each stage's walk began
        self.positions = {
            item.index: position
            for stage in dockerfile.stages  # type: ignore[attr-defined]
            for position, item in enumerate(stage.instructions)
        }
        self.cursor: tuple[int, int, StageScope] | None = None  # stage, steps applied, scope

    def _scope(self, index: int, budget: Budget) -> StageScope:
        """A scope at the start of stage ``index`` (its parent's ENV, no ARG yet)."""
        parent = self.dockerfile.parent_of(index)  # type: ignore[attr-defined]
        inherited = self.ends[parent] if parent is not None else {}
        return StageScope(inherited, self.globals, self.escape, budget)

    def end(self, index: int) -> dict[str, str]:
        """The ENV stage ``index`` ends with (computed for every stage up to it, in order:
        a parent comes before its child)."""
        stages = self.dockerfile.stages  # type: ignore[attr-defined]
        while len(self.ends) <= index:
            self.starts.append(self.budget.remaining)
            scope = self._scope(len(self.ends), self.budget)
            for item in stages[len(self.ends)].instructions:
                scope.apply(item)
            self.ends.append(scope.env)
        return self.ends[index]

    def at(self, instruction: Instruction) -> dict[str, str]:
        index = instruction.stage
        final = self.end(index)
        members = self.dockerfile.stages[index].instructions  # type: ignore[attr-defined]
        position = self.positions.get(instruction.index)
        if position is None or position >= len(members) or members[position] is not instruction:
            return {**final}  # not one of the stage's steps: the ENV the stage ends with
        if self.cursor is None or self.cursor[0] != index or self.cursor[1] > position:
            budget = Budget(remaining=self.starts[index])
            self.cursor = (index, 0, self._scope(index, budget))
        _, applied, scope = self.cursor
        for item in members[applied:position]:
            scope.apply(item)
        self.cursor = (index, position, scope)
        return scope.values
