"""Read Dockerfile text into the frozen model, following Docker's own parser step by step.

The reference is moby/buildkit ``frontend/dockerfile/parser``: the same line scanning
(continuations, comments inside continuations, empty continuation lines, the ``# escape=``
directive), the same per-instruction argument splitting, the same heredoc detection, so a
learner's Dockerfile means here what it means to ``docker build``. Where Docker's *parser*
accepts text that Docker's *build* later rejects (an unknown instruction, a file without
FROM), this module rejects it at once with a :class:`DockerfileSyntaxError` naming the line,
because the grader needs a clear message, not a half-built model.

Everything here is plain string scanning with no backtracking regular expressions, so the
cost is linear in the size of the text and bounded by :data:`MAX_BYTES`.

``Instruction.arguments`` holds what buildkit's line parser for the keyword produces:

* RUN/CMD/ENTRYPOINT/SHELL: the JSON items, or in shell form the words of ``text`` split
  on spaces outside quotes (quotes kept as written; the shell text itself is ``text``);
* COPY/ADD/VOLUME: the JSON items, or ``text`` split on whitespace (quotes kept);
* FROM/EXPOSE: ``text`` split on whitespace, e.g. ``("python:3.12", "AS", "build")``;
* ENV/LABEL: flattened name/value pairs with quotes kept, ``("A", "1", "B", '"x y"')``
  (the legacy ``ENV NAME some value`` form gives ``("NAME", "some value")``);
* ARG: its words, ``("NAME=default", "OTHER")``;
* HEALTHCHECK: ``("CMD", ...command...)`` or ``("NONE",)``;
* ONBUILD: the trigger's arguments (the trigger itself is ``Instruction.trigger``);
* USER/WORKDIR/STOPSIGNAL/MAINTAINER: ``text`` as one value.
"""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from checker.cache.jail import Unreadable, read_file
from checker.dockerfile.model import (
    Dockerfile,
    DockerfileSyntaxError,
    Flag,
    Heredoc,
    Instruction,
    Stage,
)
from checker.dockerfile.variables import EXPANDED_KEYWORDS, Budget, expanded_arguments

MAX_BYTES = 1 << 20
MAX_INSTRUCTIONS = 2000
"""More instructions are refused as soon as they are read (a real Dockerfile has dozens, the
largest a few hundred); parsing the rest of a 1 MiB file first would cost seconds, and every
rule's work grows with the instructions: at this cap the worst shape grades in about a second."""
"""Refuse Dockerfiles above 1 MiB: real ones are a few kilobytes, and the limit bounds cost."""

KEYWORDS = (
    "ADD",
    "ARG",
    "CMD",
    "COPY",
    "ENTRYPOINT",
    "ENV",
    "EXPOSE",
    "FROM",
    "HEALTHCHECK",
    "LABEL",
    "MAINTAINER",
    "ONBUILD",
    "RUN",
    "SHELL",
    "STOPSIGNAL",
    "USER",
    "VOLUME",
    "WORKDIR",
)
_KEYWORD_SET = frozenset(KEYWORDS)

# Go's unicode.IsSpace, which Docker uses to trim lines and split words (str.isspace also
# counts \x1c-\x1f as space, Go does not).
_GO_SPACE = (
    "\t\n\v\f\r \x85\xa0\u1680"
    + "".join(map(chr, range(0x2000, 0x200B)))
    + ("\u2028\u2029\u202f\u205f\u3000")
)
_GO_SPACE_SET = frozenset(_GO_SPACE)
# Where Go loops over bytes (extractBuilderFlags, parseHealthConfig) only ASCII spaces can
# match a whole character; the checker reads characters there (a byte-level split of an
# NBSP would only produce broken UTF-8).
_BYTE_SPACE = "\t\n\v\f\r "
_BYTE_SPACE_SET = frozenset(_BYTE_SPACE)
_PYTHON_ONLY_SPACE = frozenset("\x1c\x1d\x1e\x1f")  # str.split() splits here, Go does not
# Docker's reWhitespace ``[\t\v\f\r ]+``: separates the keyword and whitespace-split arguments.
_TOKEN_SPACE = "\t\v\f\r "
_TOKEN_SPACE_SET = frozenset(_TOKEN_SPACE)
# RE2's ``\s`` in the directive pattern.
_RE2_SPACE = "\t\n\f\r "
_KNOWN_DIRECTIVES = ("escape", "syntax", "check")
_HEREDOC_KEYWORDS = frozenset(("RUN", "COPY", "ADD"))


@dataclass
class _Directives:
    """The parser-directive state: Docker reads directives only until the first other line."""

    escape: str = "\\"
    done: bool = False
    seen: dict[str, str] = field(default_factory=dict)


@dataclass
class _Logical:
    """One instruction's joined text and where it sits in the source."""

    text: str
    start: int  # 1-based
    end: int  # 1-based, inclusive (heredoc bodies included once read)
    pieces: tuple[tuple[int, int], ...] = ()  # (offset in text, source line) per joined line


# --------------------------------------------------------------------------------------
# Entry points


def parse(text: str, path: str | None = None) -> Dockerfile:
    """Parse Dockerfile text; raise DockerfileSyntaxError (never anything else) on bad input."""
    if not isinstance(text, str):
        raise DockerfileSyntaxError(
            f"expected the Dockerfile as text, got {type(text).__name__}",
            None,
            "decode the file as UTF-8 first, or use parse_file()",
        )
    _check_size(len(text), text)
    nul = text.find("\x00")
    if nul >= 0:
        raise DockerfileSyntaxError(
            "the file contains NUL bytes, so it looks binary rather than a text Dockerfile",
            text.count("\n", 0, nul) + 1,
            "save the Dockerfile as plain UTF-8 text",
        )
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip(_GO_SPACE):
        raise DockerfileSyntaxError(
            "empty Dockerfile", None, "start with a FROM line, e.g. FROM python:3.12-slim"
        )
    try:
        return _Parser(text, path).run()
    except DockerfileSyntaxError:
        raise
    except RecursionError as error:  # pragma: no cover - defensive: no recursion is deep
        raise DockerfileSyntaxError(f"could not parse the Dockerfile ({error})") from None


def parse_file(path: str | os.PathLike[str]) -> Dockerfile:
    """Read and parse a Dockerfile from disk, checking size and encoding before decoding."""
    try:
        name = os.fspath(path)
    except TypeError:
        raise DockerfileSyntaxError(
            f"expected a file path, got {type(path).__name__}", None, "pass the Dockerfile's path"
        ) from None
    try:  # a FIFO or device never blocks the grader; only a regular file is read
        data = read_file(Path(name), MAX_BYTES + 1, name)
    except Unreadable as error:
        raise DockerfileSyntaxError(str(error), None, None) from None
    _check_size(len(data), None)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DockerfileSyntaxError(
            "the file is saved as UTF-16", 1, "save the Dockerfile as UTF-8 text"
        )
    nul = data.find(b"\x00")
    if nul >= 0:
        raise DockerfileSyntaxError(
            "the file contains NUL bytes, so it looks binary rather than a text Dockerfile",
            data.count(b"\n", 0, nul) + 1,
            "save the Dockerfile as plain UTF-8 text",
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise DockerfileSyntaxError(
            f"the file is not valid UTF-8 (byte 0x{data[error.start]:02x} cannot be decoded)",
            line,
            "save the Dockerfile as UTF-8 text",
        ) from None
    return parse(text, name)


def _check_size(size: int, text: str | None) -> None:
    """Refuse oversized input before doing any work on it."""
    too_big = size > MAX_BYTES
    if not too_big and text is not None and size * 4 > MAX_BYTES:
        too_big = len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES
    if too_big:
        raise DockerfileSyntaxError(
            f"the Dockerfile is larger than {MAX_BYTES // 1024} KiB; refusing to parse it",
            None,
            "a Dockerfile should be a few kilobytes; check the right file was given",
        )


# --------------------------------------------------------------------------------------
# Line scanning: buildkit's Parse() loop


class _Parser:
    """Turns lines into instructions and stages; one instance per parse() call."""

    def __init__(self, text: str, path: str | None) -> None:
        self.path = path
        # Docker's scanner keeps each line's ending; heredoc bodies keep it, the rest drops it.
        self.lines = text.split("\n")
        self.raw_endings = len(self.lines)
        if self.lines and self.lines[-1] == "":
            self.lines.pop()
        self.directives = _Directives()
        self.instructions: list[Instruction] = []
        self.global_args: list[Instruction] = []
        self.stages: list[tuple[Instruction, list[Instruction]]] = []
        self.warnings: list[str] = []
        self.limits: list[tuple[int, str]] = []

    def run(self) -> Dockerfile:
        lines = self.lines
        count = len(lines)
        index = 0
        while index < count:
            token = self._process(lines[index], strip_left=True, line=index + 1)
            index += 1
            start = index
            joined, end_of_line = self._trim_continuation(token)
            if end_of_line and not joined:
                continue
            parts = [joined]
            pieces = [(0, start)]
            size = len(joined)
            while not end_of_line and index < count:
                raw = lines[index]
                token = self._process(raw, strip_left=False, line=index + 1)
                index += 1
                if _is_comment(raw):
                    continue
                if not token.lstrip(_GO_SPACE).rstrip("\r\n"):
                    # Docker skips an empty continuation line too, and warns that it will
                    # become an error: the instruction silently runs on into the next line.
                    self.warnings.append(
                        f"line {index}: empty continuation line inside the instruction "
                        f"starting on line {start}"
                    )
                    continue
                piece, end_of_line = self._trim_continuation(token)
                parts.append(piece)
                pieces.append((size, index))
                size += len(piece)
            logical = _Logical("".join(parts), start, index, tuple(pieces))
            index = self._add(logical, index)
        return self._finish()

    def _process(self, raw: str, *, strip_left: bool, line: int) -> str:
        """buildkit processLine: trim the line ending, note directives, blank out comments."""
        token = raw.rstrip("\r\n")
        if strip_left:
            token = token.lstrip(_GO_SPACE)
        if not self.directives.done:
            self._directive(token, line)
        if token.lstrip(_GO_SPACE).startswith("#"):
            return ""
        return token

    def _directive(self, token: str, line: int) -> None:
        """Match ``^#\\s*([a-zA-Z][a-zA-Z0-9]*)\\s*=\\s*(.+?)\\s*$`` by hand (linear time)."""
        state = self.directives
        parsed = _parse_directive(token)
        if parsed is None or parsed[0] not in _KNOWN_DIRECTIVES:
            state.done = True
            return
        name, value = parsed
        if name in state.seen:
            raise DockerfileSyntaxError(
                f"only one {name} parser directive can be used",
                line,
                f"remove the second '# {name}=' line",
            )
        state.seen[name] = value
        if name == "escape":
            if value not in ("\\", "`"):
                raise DockerfileSyntaxError(
                    f"invalid escape token {value!r} does not match ` or \\",
                    line,
                    "use '# escape=\\' (the default) or '# escape=`'",
                )
            state.escape = value

    def _trim_continuation(self, line: str) -> tuple[str, bool]:
        """buildkit's ``([^E])E[ \\t]*$|^E[ \\t]*$`` test: (text without the escape, ended?)."""
        escape = self.directives.escape
        stripped = line.rstrip(" \t")
        if not stripped.endswith(escape):
            return line, True
        if len(stripped) == 1:
            return "", False
        if stripped[-2] == escape:
            return line, True  # an escaped escape character is not a continuation
        return stripped[:-1], False

    def _add(self, logical: _Logical, index: int) -> int:
        """Build the instruction for one logical line; read its heredoc bodies. Returns index."""
        if len(self.instructions) >= MAX_INSTRUCTIONS:
            raise DockerfileSyntaxError(
                f"more than {MAX_INSTRUCTIONS} instructions; the grader stops here",
                logical.start,
                "check the right file was given",
            )
        keyword, flags, rest = _split_command(logical.text)
        if not keyword:
            raise DockerfileSyntaxError(
                "a line continuation with no instruction",
                logical.start,
                "remove the lone continuation character",
            )
        upper = keyword.upper() if keyword.isascii() else keyword  # "ſ".upper() is "S"
        if upper not in _KEYWORD_SET:
            self._unknown(keyword, logical)
        arguments, json_form, trigger = self._arguments(upper, rest, logical)
        heredocs: tuple[Heredoc, ...] = ()
        heredoc_keyword = trigger.keyword if trigger is not None else upper
        heredoc_json = trigger.json_form if trigger is not None else json_form
        if heredoc_keyword in _HEREDOC_KEYWORDS and not heredoc_json and "<<" in logical.text:
            heredocs, index = self._read_heredocs(logical, index)
        original = "\n".join(line.rstrip("\r") for line in self.lines[logical.start - 1 : index])
        stage = len(self.stages) - 1 if upper != "FROM" else len(self.stages)
        if trigger is not None:
            trigger = _replace_position(trigger, logical.start, logical.end, stage, heredocs)
        instruction = Instruction(
            keyword=upper,
            line=logical.start,
            end_line=logical.end,
            original=original,
            flags=flags,
            arguments=arguments,
            json_form=json_form,
            text=rest,
            text_lines=_text_lines(logical, rest),
            heredocs=heredocs,
            stage=stage,
            trigger=trigger,
            index=len(self.instructions),
        )
        self._place(instruction)
        return index

    def _unknown(self, keyword: str, logical: _Logical) -> None:
        """Raise for an unknown instruction, suggesting the nearest keyword or a lost ``\\``."""
        import difflib  # only a broken Dockerfile needs it; every start would pay for it

        close = difflib.get_close_matches(keyword.upper(), KEYWORDS, n=1, cutoff=0.6)
        if close:
            fix = f"did you mean {close[0]}?"
        elif self.instructions and self.instructions[-1].end_line == logical.start - 1:
            fix = (
                "if this line continues the previous instruction, end the previous line "
                f"with {self.directives.escape}"
            )
        else:
            fix = "an instruction starts with a keyword such as FROM, RUN, COPY or ENV"
        raise DockerfileSyntaxError(f"unknown instruction {keyword!r}", logical.start, fix)

    def _arguments(
        self, keyword: str, rest: str, logical: _Logical
    ) -> tuple[tuple[str, ...], bool, Instruction | None]:
        """Split the arguments the way the instruction's buildkit line parser does."""
        try:
            if keyword == "ONBUILD":
                return self._onbuild(rest, logical)
            arguments, json_form = _split_arguments(keyword, rest, self.directives.escape)
        except _LineError as error:
            raise DockerfileSyntaxError(error.message, logical.start, error.fix) from None
        return arguments, json_form, None

    def _onbuild(
        self, rest: str, logical: _Logical
    ) -> tuple[tuple[str, ...], bool, Instruction | None]:
        """ONBUILD holds one whole instruction, parsed like a line of its own."""
        if not rest:
            raise _LineError("ONBUILD needs an instruction", "e.g. ONBUILD COPY . /app")
        keyword, flags, inner_rest = _split_command(rest)
        upper = keyword.upper() if keyword.isascii() else keyword
        if upper not in _KEYWORD_SET:
            self._unknown(keyword, logical)
        if upper in ("ONBUILD", "FROM", "MAINTAINER"):
            raise _LineError(f"ONBUILD {upper} isn't allowed", "ONBUILD can hold RUN, COPY, ...")
        arguments, json_form = _split_arguments(upper, inner_rest, self.directives.escape)
        trigger = Instruction(
            keyword=upper,
            line=logical.start,
            end_line=logical.end,
            original=rest,
            flags=flags,
            arguments=arguments,
            json_form=json_form,
            text=inner_rest,
            text_lines=_text_lines(logical, inner_rest),
        )
        return arguments, json_form, trigger

    def _read_heredocs(self, logical: _Logical, index: int) -> tuple[tuple[Heredoc, ...], int]:
        """Read each heredoc body that follows the instruction, in the order they opened."""
        found = []
        lines = self.lines
        for name, strip_tabs, expand, descriptor in _heredocs_in_line(logical.text):
            body: list[str] = []
            terminated = False
            while index < len(lines):
                raw = lines[index]
                index += 1
                candidate = raw.rstrip("\r\n")
                if strip_tabs:
                    candidate = candidate.lstrip("\t")
                if candidate == name:
                    terminated = True
                    break
                ending = "\n" if index < len(lines) or self._ends_with_newline() else ""
                body.append(raw + ending)
            if not terminated:
                raise DockerfileSyntaxError(
                    f"unterminated heredoc <<{name}: no line reads exactly {name!r}",
                    logical.start,
                    f"end the here-document with a line containing only {name}",
                )
            found.append(Heredoc(name, "".join(body), strip_tabs, expand, descriptor))
        logical.end = index
        return tuple(found), index

    def _ends_with_newline(self) -> bool:
        return self.raw_endings != len(self.lines)

    def _place(self, instruction: Instruction) -> None:
        """Attach an instruction to the global ARGs or to its stage, checking FROM rules."""
        keyword = instruction.keyword
        _check_argument_count(instruction)
        if keyword == "FROM":
            self._check_from(instruction)
            self.stages.append((instruction, []))
        elif not self.stages:
            if keyword != "ARG":
                raise DockerfileSyntaxError(
                    f"{keyword} before the first FROM",
                    instruction.line,
                    "only ARG may come before FROM; start the stage with FROM <image>",
                )
            self.global_args.append(instruction)
        else:
            self.stages[-1][1].append(instruction)
        self.instructions.append(instruction)

    def _check_from(self, instruction: Instruction) -> None:
        arguments = instruction.arguments
        if not arguments:
            raise DockerfileSyntaxError(
                "FROM needs an image", instruction.line, "e.g. FROM python:3.12-slim"
            )
        if len(arguments) == 3 and arguments[1].lower() == "as":
            name = arguments[2].lower()
            if not _valid_stage_name(name):
                raise DockerfileSyntaxError(
                    f"invalid stage name {arguments[2]!r}",
                    instruction.line,
                    "a stage name starts with a letter and holds letters, digits, -, _ or .",
                )
        elif len(arguments) != 1:
            raise DockerfileSyntaxError(
                "FROM takes an image and optionally 'AS name'",
                instruction.line,
                "e.g. FROM python:3.12-slim AS build",
            )

    def _finish(self) -> Dockerfile:
        if not self.instructions:
            raise DockerfileSyntaxError(
                "the Dockerfile holds only comments and blank lines",
                None,
                "start with a FROM line, e.g. FROM python:3.12-slim",
            )
        if not self.stages:
            raise DockerfileSyntaxError(
                "no FROM instruction",
                self.instructions[-1].line,
                "a Dockerfile needs FROM <image> before its build steps",
            )
        self._expand_variables()
        stages = []
        for index, (source, members) in enumerate(self.stages):
            arguments = source.arguments
            name = arguments[2].lower() if len(arguments) == 3 else None
            stages.append(Stage(index, arguments[0], name, source.line, tuple(members)))
        return Dockerfile(
            instructions=tuple(self.instructions),
            stages=tuple(stages),
            global_args=tuple(self.global_args),
            directives=dict(self.directives.seen),
            escape=self.directives.escape,
            path=self.path,
            warnings=tuple(self.warnings),
            limits=tuple(self.limits),
        )

    def _expand_variables(self) -> None:
        """Record Docker's build-time expansion on the COPY/ADD/WORKDIR that use variables,
        and the variables too large to expand (any ENV/ARG naming a variable may be one)."""
        if not any(
            item.keyword in _VARIABLE_KEYWORDS and "$" in item.text for item in self.instructions
        ):
            return
        stage_of: dict[str, int] = {}
        for index, (source, _members) in enumerate(self.stages):
            arguments = source.arguments
            if len(arguments) == 3:
                stage_of.setdefault(arguments[2].lower(), index)
            stage_of.setdefault(str(index), index)
        budget = Budget()
        found = expanded_arguments(
            self.global_args,
            [(source.arguments[0], members) for source, members in self.stages],
            stage_of,
            self.directives.escape,
            budget,
        )
        self.limits.extend(budget.notes)
        if not found:
            return
        self.instructions = [
            dataclasses.replace(item, expanded=found[item.index]) if item.index in found else item
            for item in self.instructions
        ]
        for _source, members in self.stages:  # the same objects as the file's list
            members[:] = [self.instructions[item.index] for item in members]


_VARIABLE_KEYWORDS = EXPANDED_KEYWORDS | {"ENV", "ARG"}

# buildkit's instructions.parse refuses these argument counts before any step runs
# (``docker build`` fails with "COPY requires at least two arguments ..."), although its
# line parser reads them; refused here too, so such a file is never graded as passing.
_EXACTLY_ONE = frozenset(("WORKDIR", "USER", "STOPSIGNAL", "MAINTAINER"))
_AT_LEAST_ONE = frozenset(("ENV", "LABEL", "ARG", "EXPOSE", "VOLUME", "SHELL", "HEALTHCHECK"))
_COUNT_EXAMPLES = {
    "WORKDIR": "WORKDIR /app",
    "USER": "USER app",
    "STOPSIGNAL": "STOPSIGNAL SIGTERM",
    "MAINTAINER": "MAINTAINER name",
    "ENV": "ENV NAME=value",
    "LABEL": "LABEL name=value",
    "ARG": "ARG NAME=default",
    "EXPOSE": "EXPOSE 8000",
    "VOLUME": "VOLUME /data",
    "SHELL": 'SHELL ["/bin/bash", "-c"]',
    "HEALTHCHECK": "HEALTHCHECK CMD python -c 'print(1)'",
}


def _check_argument_count(instruction: Instruction) -> None:
    """Docker's per-instruction argument checks (moby/buildkit instructions/parse.go)."""
    keyword = instruction.keyword
    count = len(instruction.arguments)
    if keyword in ("COPY", "ADD") and count < 2:
        raise DockerfileSyntaxError(
            f"{keyword} requires at least two arguments (sources and a destination), "
            f"but {'only one was' if count == 1 else 'none were'} provided",
            instruction.line,
            f"name where the files go, e.g. {keyword} requirements.txt ./",
        )
    if keyword in _EXACTLY_ONE and count != 1:
        raise DockerfileSyntaxError(
            f"{keyword} requires exactly one argument",
            instruction.line,
            f"e.g. {_COUNT_EXAMPLES[keyword]}",
        )
    if keyword in _AT_LEAST_ONE and count == 0:
        raise DockerfileSyntaxError(
            f"{keyword} requires at least one argument",
            instruction.line,
            f"e.g. {_COUNT_EXAMPLES[keyword]}",
        )
    if keyword == "SHELL" and not instruction.json_form:
        raise DockerfileSyntaxError(
            "SHELL requires the arguments to be in JSON form",
            instruction.line,
            f"e.g. {_COUNT_EXAMPLES['SHELL']}",
        )


class _LineError(Exception):
    """An argument error inside one instruction; the caller adds the line number."""

    def __init__(self, message: str, fix: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix


def _text_lines(logical: _Logical, text: str) -> tuple[tuple[int, int], ...]:
    """Where each continuation line's contribution starts within ``text`` (a suffix of it)."""
    if len(logical.pieces) < 2 or not text:
        return ()
    start = logical.text.rfind(text)
    return tuple(
        (offset - start, line) for offset, line in logical.pieces[1:] if offset - start > 0
    )


def _replace_position(
    trigger: Instruction, line: int, end_line: int, stage: int, heredocs: tuple[Heredoc, ...]
) -> Instruction:
    return Instruction(
        keyword=trigger.keyword,
        line=line,
        end_line=end_line,
        original=trigger.original,
        flags=trigger.flags,
        arguments=trigger.arguments,
        json_form=trigger.json_form,
        text=trigger.text,
        text_lines=trigger.text_lines,
        heredocs=heredocs,
        stage=stage,
    )


def _is_comment(raw: str) -> bool:
    return raw.rstrip("\r\n").lstrip(_GO_SPACE).startswith("#")


def _parse_directive(token: str) -> tuple[str, str] | None:
    """Return (lower-case name, value) when the line has the shape of a parser directive."""
    if not token.startswith("#"):
        return None
    position = 1
    size = len(token)
    while position < size and token[position] in _RE2_SPACE:
        position += 1
    start = position
    if position >= size or not _is_ascii_letter(token[position]):
        return None
    while position < size and token[position].isascii() and token[position].isalnum():
        position += 1
    name = token[start:position]
    while position < size and token[position] in _RE2_SPACE:
        position += 1
    if position >= size or token[position] != "=":
        return None
    remainder = token[position + 1 :]
    if not remainder:
        return None
    value = remainder.strip(_RE2_SPACE)
    if not value:
        value = remainder[-1]  # what RE2's lazy ``(.+?)`` keeps from an all-space value
    return name.lower(), value


def _is_ascii_letter(char: str) -> bool:
    return "a" <= char <= "z" or "A" <= char <= "Z"


def _valid_stage_name(name: str) -> bool:
    """Docker's ``^[a-z][a-z0-9-_.]*$`` for stage names."""
    if not name or not ("a" <= name[0] <= "z"):
        return False
    return all(("a" <= ch <= "z") or ("0" <= ch <= "9") or ch in "-_." for ch in name)


# --------------------------------------------------------------------------------------
# Per-line splitting: buildkit's splitCommand and line parsers


def _split_command(line: str) -> tuple[str, tuple[Flag, ...], str]:
    """Split a logical line into keyword, builder flags and the argument text."""
    stripped = line.strip(_GO_SPACE)
    size = len(stripped)
    position = 0
    while position < size and stripped[position] not in _TOKEN_SPACE_SET:
        position += 1
    keyword = stripped[:position]
    while position < size and stripped[position] in _TOKEN_SPACE_SET:
        position += 1
    if position >= size:
        return keyword, (), ""
    rest, flags = _extract_flags(stripped[position:])
    return keyword, flags, rest.strip(_GO_SPACE)


def _extract_flags(line: str) -> tuple[str, tuple[Flag, ...]]:
    """buildkit extractBuilderFlags: leading ``--name[=value]`` words, quotes/escapes removed."""
    if not line.lstrip(_BYTE_SPACE).startswith("--"):
        return line, ()
    words: list[str] = []
    word: list[str] = []
    blank_ok = False
    quote = ""
    in_quote = False
    position = 0
    size = len(line)
    while True:
        # looking for the start of a word
        while position < size and line[position] in _BYTE_SPACE_SET:
            position += 1
        if position >= size:
            return "", _flags(words)
        if not line.startswith("--", position):
            return line[position:], _flags(words)
        word.clear()
        blank_ok = False
        in_quote = False
        while position < size:
            char = line[position]
            if in_quote:
                if char == quote:
                    in_quote = False
                elif char == "\\":
                    if position + 1 == size:
                        in_quote = False
                    else:
                        position += 1
                        word.append(line[position])
                else:
                    word.append(char)
                position += 1
                continue
            if char in _BYTE_SPACE_SET:
                break
            if char in "'\"":
                quote = char
                blank_ok = True
                in_quote = True
            elif char == "\\":
                if position + 1 < size:
                    position += 1
                    word.append(line[position])
            else:
                word.append(char)
            position += 1
        text = "".join(word)
        if position >= size:
            if text != "--" and (blank_ok or text):
                words.append(text)
            return "", _flags(words)
        if text == "--":
            return line[position:], _flags(words)
        if blank_ok or text:
            words.append(text)


def _flags(words: list[str]) -> tuple[Flag, ...]:
    result = []
    for word in words:
        body = word[2:] if word.startswith("--") else word
        name, sep, value = body.partition("=")
        result.append(Flag(name, value if sep else None))
    return tuple(result)


def _split_arguments(keyword: str, rest: str, escape: str) -> tuple[tuple[str, ...], bool]:
    """Arguments as buildkit's line parser for ``keyword`` produces them, plus the JSON flag.

    Shell-form RUN/CMD/ENTRYPOINT/SHELL come back as words split the way Docker splits
    ARG words (quotes kept as written), since Docker keeps that text whole for the shell.
    """
    if keyword in ("RUN", "CMD", "ENTRYPOINT", "SHELL"):
        if not rest:
            return (), False
        values = _parse_json(rest)
        if values is not None:
            return values, True
        return tuple(_parse_words(rest, escape)), False
    if keyword in ("ADD", "COPY", "VOLUME"):
        values = _parse_json(rest)
        if values is not None:
            return values, True
        return _split_whitespace(rest), False
    if keyword in ("EXPOSE", "FROM"):
        return _split_whitespace(rest), False
    if keyword in ("ENV", "LABEL"):
        return _name_values(rest, keyword, escape), False
    if keyword == "ARG":
        return tuple(_parse_words(rest, escape)), False
    if keyword == "HEALTHCHECK":
        return _health(rest)
    # MAINTAINER, STOPSIGNAL, USER, WORKDIR: the whole text as one value
    return ((rest,) if rest else ()), False


def _parse_json(rest: str) -> tuple[str, ...] | None:
    """Go's json.Decoder on a ``[``-prefixed text: the first value only, trailing text ignored."""
    text = rest.lstrip(_GO_SPACE)
    if not text.startswith("["):
        return None
    try:
        value, _ = _JSON.raw_decode(text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(value, list):
        return None
    if not all(isinstance(item, str) for item in value):
        raise _LineError(
            "when using JSON array syntax, arrays must be comprised of strings only",
            'quote every item, e.g. ["python", "app.py"]',
        )
    return tuple(value)


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


_JSON = json.JSONDecoder(parse_constant=_reject_constant)


def _split_whitespace(rest: str) -> tuple[str, ...]:
    """Go ``reWhitespace.Split(rest, -1)`` on already trimmed text."""
    if not rest:
        return ()
    if "\t" not in rest and "\v" not in rest and "\f" not in rest and "\r" not in rest:
        return tuple(word for word in rest.split(" ") if word)
    words = []
    start = 0
    position = 0
    size = len(rest)
    while position < size:
        if rest[position] in _TOKEN_SPACE_SET:
            words.append(rest[start:position])
            while position < size and rest[position] in _TOKEN_SPACE_SET:
                position += 1
            start = position
        else:
            position += 1
    words.append(rest[start:])
    return tuple(words)


def _parse_words(rest: str, escape: str) -> list[str]:
    """buildkit parseWords: split on spaces outside quotes, keeping quotes and escapes."""
    if (
        "'" not in rest
        and '"' not in rest
        and escape not in rest
        and _PYTHON_ONLY_SPACE.isdisjoint(rest)
    ):
        return rest.split()  # nothing quoted: plain whitespace splitting is the same thing
    words: list[str] = []
    word: list[str] = []
    blank_ok = False
    quote = ""
    in_quote = False
    in_word = False
    position = 0
    size = len(rest)
    while position < size:
        char = rest[position]
        if not in_word:
            if char in _GO_SPACE_SET:
                position += 1
                continue
            in_word = True
        if not in_quote:
            if char in _GO_SPACE_SET:
                if blank_ok or word:
                    words.append("".join(word))
                word = []
                blank_ok = False
                in_word = False
                position += 1
                continue
            if char in "'\"":
                quote = char
                blank_ok = True
                in_quote = True
            if char == escape:
                if position + 1 == size:
                    position += 1
                    continue
                word.append(char)
                position += 1
                char = rest[position]
            word.append(char)
            position += 1
            continue
        if char == quote:
            in_quote = False
        if char == escape and quote != "'":
            if position + 1 == size:
                in_quote = False
                position += 1
                continue
            position += 1
            word.append(char)
            char = rest[position]
        word.append(char)
        position += 1
    if in_word and (blank_ok or word):
        words.append("".join(word))
    return words


def _name_values(rest: str, keyword: str, escape: str) -> tuple[str, ...]:
    """ENV/LABEL: ``name=value ...`` pairs, or the legacy ``name value`` form, flattened."""
    words = _parse_words(rest, escape)
    if not words:
        return ()
    if "=" not in words[0]:
        first, _, second = _split_once(rest)
        if not second:
            raise _LineError(f"{keyword} must have two arguments", f"write {keyword} name=value")
        return (first, second)
    values: list[str] = []
    for word in words:
        if "=" not in word:
            raise _LineError(
                f"Syntax error - can't find = in {word!r}. Must be of the form: name=value",
                f"write {keyword} name=value",
            )
        name, _, value = word.partition("=")
        values.extend((name, value))
    return tuple(values)


def _split_once(rest: str) -> tuple[str, str, str]:
    """Go ``reWhitespace.Split(rest, 2)``: (first, separator, remainder)."""
    position = 0
    size = len(rest)
    while position < size and rest[position] not in _TOKEN_SPACE_SET:
        position += 1
    end = position
    while position < size and rest[position] in _TOKEN_SPACE_SET:
        position += 1
    if end == size:
        return rest, "", ""
    return rest[:end], rest[end:position], rest[position:]


def _health(rest: str) -> tuple[tuple[str, ...], bool]:
    """HEALTHCHECK: a type word (CMD or NONE) followed by a possibly-JSON command."""
    position = 0
    size = len(rest)
    while position < size and rest[position] not in _BYTE_SPACE_SET:
        position += 1
    if position == 0:
        return (), False
    kind = rest[:position]
    command = rest[position:].lstrip(_BYTE_SPACE)
    if not command:
        return (kind,), False
    values = _parse_json(command)
    if values is not None:
        return (kind, *values), True
    return (kind, command), False


# --------------------------------------------------------------------------------------
# Heredocs: buildkit heredocsFromLine / ParseHeredoc


def _heredocs_in_line(line: str) -> list[tuple[str, bool, bool, int]]:
    """Each ``[n]<<[-]WORD`` among the shell words of the line: (name, chomp, expand, fd)."""
    words = _raw_shell_words(line)
    if words is None:
        return []  # Docker ignores lexing errors here: no heredocs
    found = []
    for word in words:
        position = 0
        while position < len(word) and "0" <= word[position] <= "9":
            position += 1
        if not word.startswith("<<", position):
            continue
        descriptor = int(word[:position]) if position else 0
        position += 2
        chomp = word.startswith("-", position)
        if chomp:
            position += 1
        rest = word[position:]
        if not rest or "<" in rest:
            continue
        cooked = _cooked_shell_words(rest)
        if cooked is None:
            raise DockerfileSyntaxError(f"cannot read the heredoc word {rest!r}")
        if len(cooked) != 1:
            continue
        name = cooked[0]
        expand = _quote_count(name) == _quote_count(rest)
        found.append((name, chomp, expand, descriptor))
    return found


def _quote_count(text: str) -> int:
    return text.count("'") + text.count('"')


def _raw_shell_words(line: str) -> list[str] | None:
    """buildkit's shell lexer with RawQuotes and RawEscapes: split words, keep quoting."""
    return _shell_words(line, raw=True)


def _cooked_shell_words(text: str) -> list[str] | None:
    """The same lexer with quotes and escapes removed (variables stay as written)."""
    return _shell_words(text, raw=False)


def _shell_words(line: str, *, raw: bool) -> list[str] | None:
    """A small shell word splitter: quotes, backslash escapes, ``${...}`` kept whole.

    Returns None on an unterminated quote or ``${``, as Docker's lexer errors there.
    """
    words: list[str] = []
    word: list[str] = []
    in_word = False
    position = 0
    size = len(line)
    while position < size:
        char = line[position]
        if char in _GO_SPACE_SET:
            if in_word:
                joined = "".join(word)
                if joined:
                    words.append(joined)
                word = []
            in_word = False
            position += 1
            continue
        in_word = True
        if char == "'":
            end = line.find("'", position + 1)
            if end < 0:
                return None
            word.append(line[position : end + 1] if raw else line[position + 1 : end])
            position = end + 1
            continue
        if char == '"':
            position += 1
            if raw:
                word.append('"')
            closed = False
            while position < size:
                inner = line[position]
                if inner == '"':
                    closed = True
                    position += 1
                    break
                if inner == "$":
                    end = _skip_parameter(line, position)
                    if end < 0:
                        return None
                    word.append(line[position:end])
                    position = end
                    continue
                if inner == "\\" and position + 1 < size and line[position + 1] in '"$\\':
                    if raw:
                        word.append(inner)
                    position += 1
                    inner = line[position]
                word.append(inner)
                position += 1
            if not closed:
                return None
            if raw:
                word.append('"')
            continue
        if char == "\\":
            if position + 1 >= size:
                break
            if raw:
                word.append(char)
            word.append(line[position + 1])
            position += 2
            continue
        if char == "$":
            end = _skip_parameter(line, position)
            if end < 0:
                return None
            word.append(line[position:end])
            position = end
            continue
        word.append(char)
        position += 1
    joined = "".join(word)
    if joined:
        words.append(joined)
    return words


_PARAMETER_OPERATORS = frozenset("-+?#%/")


def _skip_parameter(line: str, position: int) -> int:
    """Index past a ``$name``, ``$1``, ``$@`` or ``${...}`` at ``position``; -1 if unlexable."""
    position += 1
    size = len(line)
    if position < size and line[position] == "{":
        return _skip_braced_parameter(line, position + 1)
    if position >= size:
        return position
    if line[position].isdigit():
        while position < size and line[position].isdigit():
            position += 1
        return position
    if line[position] in "@*#?-$!0":
        return position + 1
    while position < size and (line[position].isalnum() or line[position] == "_"):
        position += 1
    return position


def _skip_braced_parameter(line: str, position: int) -> int:
    """Index just past the ``}`` closing a ``${...}`` that starts before ``position``; -1 if bad.

    Mirrors the errors of Docker's word lexer: ``${}``, ``${:x}``, an unknown operator or a
    missing ``}`` make the whole line unlexable (and then Docker finds no heredoc on it).
    Operators follow current Docker: ``:-``, ``:+``, ``:?``, ``-``, ``+``, ``?``, ``#``, ``%``
    and ``/`` (the last three are newer than the oracle's buildkit; see the oracle tests).
    """
    size = len(line)
    if position >= size or line[position] in "{}:":
        return -1
    start = position
    if line[position].isdigit():
        while position < size and line[position].isdigit():
            position += 1
    elif line[position] in "@*#?-$!0":
        position += 1
    else:
        while position < size and (line[position].isalnum() or line[position] == "_"):
            position += 1
    if position >= size:
        return -1
    char = line[position]
    if char == "}":
        return position + 1
    if position == start and char not in ":":
        return -1
    if char == ":":
        position += 1
        if position >= size or line[position] not in "-+?":
            return -1
    elif char not in _PARAMETER_OPERATORS:
        return -1
    return _skip_to_brace(line, position + 1)


def _skip_to_brace(line: str, position: int) -> int:
    """Docker's processStopOn('}'): skip quotes, escapes and nested ``${}`` up to ``}``."""
    size = len(line)
    while position < size:
        char = line[position]
        if char == "}":
            return position + 1
        if char == "'":
            end = line.find("'", position + 1)
            if end < 0:
                return -1
            position = end + 1
        elif char == '"':
            position += 1
            while position < size and line[position] != '"':
                position += 2 if line[position] == "\\" else 1
            if position >= size:
                return -1
            position += 1
        elif char == "\\":
            position += 2
        elif char == "$":
            position = _skip_parameter(line, position)
            if position < 0:
                return -1
        else:
            position += 1
    return -1
