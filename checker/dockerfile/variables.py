"""Docker's build-time variable expansion: ``$NAME``, ``${NAME}``, ``${NAME:-default}`` ...

Docker expands ENV and ARG values in ``COPY``/``ADD`` sources and destinations, ``WORKDIR``,
``ENV``, ``ARG`` defaults and the like when it builds (BuildKit's ``shell.Lex``); a ``RUN``
is expanded by the shell, which sees the same ENV and ARG values in its environment.

The values in effect at an instruction are those of its stage: ``ENV`` (inherited from a
parent stage built ``FROM`` it), and ``ARG`` declared in the stage, where a bare ``ARG NAME``
re-declares a global ARG (one before the first ``FROM``) with its default. ENV wins over an
ARG of the same name. Values given with ``--build-arg`` are not known here: defaults are used.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fnmatch import fnmatchcase

from checker.dockerfile.model import Instruction

# Instructions whose arguments Docker expands (the ones whose paths the checker resolves).
EXPANDED_KEYWORDS = frozenset({"COPY", "ADD", "WORKDIR"})


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
    """Expand ``word`` when every variable it names is known; None otherwise."""
    try:
        return expand(word, env, strict=False, escape=escape)
    except KeyError:
        return None


def _word(
    text: str, position: int, env: dict[str, str], strict: bool, escape: str, stop: str | None
) -> tuple[str, int]:
    """Process ``text`` from ``position`` up to ``stop`` (``}`` inside ``${...:-word}``)."""
    out: list[str] = []
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
            out.append(value)
            continue
        out.append(char)
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
    """``${NAME#pattern}`` and friends: remove a matching prefix or suffix."""
    sizes = range(len(value) + 1)
    if operator in ("#", "##"):
        for size in reversed(sizes) if operator == "##" else sizes:
            if fnmatchcase(value[:size], pattern):
                return value[size:]
        return value
    for size in reversed(sizes) if operator == "%%" else sizes:
        if fnmatchcase(value[len(value) - size :], pattern):
            return value[: len(value) - size]
    return value


# --------------------------------------------------------------------------------------
# The values in effect, instruction by instruction


def arg_values(
    instruction: Instruction, known: dict[str, str], global_args: dict[str, str], escape: str
) -> dict[str, str]:
    """The values an ``ARG`` instruction declares (a bare name takes the global default)."""
    values: dict[str, str] = {}
    for word in instruction.arguments:
        name, sep, value = word.partition("=")
        if sep:
            values[name] = expand(value, {**known, **values}, escape=escape)
        elif name in global_args:
            values[name] = global_args[name]
    return values


def global_arg_values(global_args: Iterable[Instruction], escape: str = "\\") -> dict[str, str]:
    values: dict[str, str] = {}
    for instruction in global_args:
        values.update(arg_values(instruction, values, values, escape))
    return values


class StageScope:
    """ENV and ARG values of one stage, updated instruction by instruction."""

    def __init__(self, env: dict[str, str], global_args: dict[str, str], escape: str) -> None:
        self.env = dict(env)
        self.args: dict[str, str] = {}
        self.global_args = global_args
        self.escape = escape

    @property
    def values(self) -> dict[str, str]:
        return {**self.args, **self.env}

    def apply(self, instruction: Instruction) -> None:
        """Take in the ENV or ARG ``instruction`` (anything else changes nothing)."""
        if instruction.keyword == "ENV":
            known = self.values
            pairs = instruction.arguments
            for position in range(0, len(pairs) - 1, 2):
                value = expand(pairs[position + 1], known, escape=self.escape)
                self.env[pairs[position]] = value
                known[pairs[position]] = value
        elif instruction.keyword == "ARG":
            self.args.update(arg_values(instruction, self.values, self.global_args, self.escape))


def expanded_arguments(
    global_args: Sequence[Instruction],
    stages: Sequence[tuple[str, Sequence[Instruction]]],
    stage_of: dict[str, int],
    escape: str = "\\",
) -> dict[int, tuple[str, ...]]:
    """For each COPY/ADD/WORKDIR that names a variable: its arguments as Docker expands them
    (keyed by ``id(instruction)``). ``stages``: (base, instructions) per stage;
    ``stage_of``: stage alias or number -> index, for ENV inherited from a parent stage."""
    globals_ = global_arg_values(global_args, escape)
    final_env: list[dict[str, str]] = []
    found: dict[int, tuple[str, ...]] = {}
    for index, (base, members) in enumerate(stages):
        parent = stage_of.get(base.lower())
        inherited = final_env[parent] if parent is not None and parent < index else {}
        scope = StageScope(inherited, globals_, escape)
        for instruction in members:
            if instruction.keyword in EXPANDED_KEYWORDS and "$" in instruction.text:
                values = scope.values
                found[id(instruction)] = tuple(
                    expand(word, values, escape=escape) if "$" in word else word
                    for word in instruction.arguments
                )
            scope.apply(instruction)
        final_env.append(scope.env)
    return found


def environment_at(dockerfile: object, instruction: Instruction) -> dict[str, str]:
    """ENV and ARG values a ``RUN`` (or any step) sees, as Docker computes them."""
    stages = dockerfile.stages  # type: ignore[attr-defined]
    if not 0 <= instruction.stage < len(stages):
        return {}
    escape = getattr(dockerfile, "escape", "\\")
    globals_ = global_arg_values(dockerfile.global_args, escape)  # type: ignore[attr-defined]
    chain = []
    index: int | None = instruction.stage
    while index is not None and len(chain) <= len(stages):
        chain.append(index)
        parent = dockerfile.stage_named(stages[index].base)  # type: ignore[attr-defined]
        index = parent.index if parent is not None and parent.index < index else None
    env: dict[str, str] = {}
    for position in reversed(chain):
        scope = StageScope(env, globals_, escape)
        for item in stages[position].instructions:
            if item is instruction:
                return scope.values
            scope.apply(item)
        env = scope.env
    return {**env}
