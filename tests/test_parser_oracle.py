"""The parser against Docker's own: the ``dockerfile`` package wraps buildkit's Go parser.

Every hand-written case under ``tests/dockerfile_cases/`` and a few thousand generated
Dockerfiles must give the same keywords, positions, JSON flags, builder flags, values and
heredocs as Docker. Where the two deliberately differ (the checker rejects some files that
Docker's *parser* accepts and Docker's *build* later refuses), a test below names the case.

The oracle is a Go library; it runs in a worker subprocess of its own, so it never shares a
process with another Go library (which can make it misbehave) and a hard crash costs one
case, not the test session. It is only ever used here, never from ``checker/``. A case
that makes it crash is skipped with the reason.
"""

from __future__ import annotations

import atexit
import importlib.util
import json
import random
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.dockerfile import DockerfileSyntaxError, Instruction, parse

if importlib.util.find_spec("dockerfile") is None:
    pytest.skip("the `dockerfile` oracle package is not installed", allow_module_level=True)

CASES = sorted((Path(__file__).parent / "dockerfile_cases").glob("*.Dockerfile"))

# Files the checker refuses on purpose although buildkit's parser reads them; each is a
# file `docker build` fails on too, or one the grader cannot grade. Matched by message.
DELIBERATE_REJECTIONS = (
    "unknown instruction",  # buildkit parses it as an ignored node; the build then fails
    "no FROM instruction",  # the build fails: "no build stage in current context"
    "before the first FROM",  # the build fails the same way
    "FROM needs an image",
    "FROM takes an image",
    "invalid stage name",
    "a line continuation with no instruction",  # buildkit makes an empty node; build fails
    "ONBUILD needs an instruction",
    "isn't allowed",  # ONBUILD ONBUILD / FROM / MAINTAINER, refused by the build
    "requires at least",  # COPY with one argument, empty ENV/ARG/...: the build refuses them
    "requires exactly one argument",  # WORKDIR/USER/STOPSIGNAL/MAINTAINER, likewise
    "SHELL requires the arguments to be in JSON form",
)

# Reads one JSON text per line, answers one JSON verdict per line.
_WORKER = r"""
import json, sys
import dockerfile
for line in sys.stdin:
    text = json.loads(line)
    try:
        commands = [
            dict(
                cmd=c.cmd, sub_cmd=c.sub_cmd, json=c.json, original=c.original,
                start_line=c.start_line, end_line=c.end_line, flags=list(c.flags),
                value=list(c.value),
                heredocs=[[h.name, h.file_descriptor, h.content] for h in c.heredocs],
            )
            for c in dockerfile.parse_string(text)
        ]
        answer = {"commands": commands}
    except dockerfile.GoParseError as error:
        answer = {"rejected": str(error)}
    except Exception as error:
        answer = {"crashed": f"{type(error).__name__}: {error}"}
    sys.stdout.write(json.dumps(answer) + "\n")
    sys.stdout.flush()
"""


class OracleCrashed(Exception):
    """The Go library misbehaved (not a parse error): the case cannot be judged."""


class _Worker:
    """The oracle subprocess, started on first use and restarted after a crash."""

    def __init__(self) -> None:
        self.process: subprocess.Popen[str] | None = None

    def ask(self, text: str) -> dict[str, Any]:
        if self.process is None or self.process.poll() is not None:
            self.process = subprocess.Popen(
                [sys.executable, "-c", _WORKER],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                encoding="utf-8",
                errors="surrogateescape",
            )
        process = self.process
        assert process.stdin is not None and process.stdout is not None
        try:
            process.stdin.write(json.dumps(text) + "\n")
            process.stdin.flush()
            line = process.stdout.readline()
        except OSError as error:
            self.close()
            raise OracleCrashed(f"the oracle worker died: {error}") from error
        if not line:
            self.close()
            raise OracleCrashed("the oracle worker exited without an answer")
        return json.loads(line)

    def close(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


_worker = _Worker()
atexit.register(_worker.close)


def oracle(text: str) -> list[Any] | None:
    """Docker's parse of ``text``: its commands, or None when Docker rejects the text."""
    answer = _worker.ask(text)
    if "crashed" in answer:
        raise OracleCrashed(answer["crashed"])
    if "rejected" in answer:
        return None
    return [
        SimpleNamespace(
            **{
                **command,
                "flags": tuple(command["flags"]),
                "value": tuple(command["value"]),
                "heredocs": tuple(
                    SimpleNamespace(name=name, file_descriptor=descriptor, content=content)
                    for name, descriptor, content in command["heredocs"]
                ),
            }
        )
        for command in answer["commands"]
    ]


def flag_strings(instruction: Instruction) -> tuple[str, ...]:
    return tuple(
        f"--{flag.name}" if flag.value is None else f"--{flag.name}={flag.value}"
        for flag in instruction.flags
    )


def docker_values(instruction: Instruction) -> tuple[str, ...]:
    """What buildkit's AST holds as values for this instruction (the oracle's ``value``)."""
    target = instruction.trigger or instruction
    if (
        target.keyword in ("RUN", "CMD", "ENTRYPOINT", "SHELL")
        and not target.json_form
        and target.text
    ):
        return (target.text,)
    return target.arguments


def oracle_flags(command: Any) -> tuple[str, ...]:
    """The oracle's flags, undoing a Go quirk: extractBuilderFlags reads UTF-8 byte by byte.

    So ``--x=é`` comes back as ``--x=Ã©``; the checker keeps the text as written (a
    deliberate difference), and the comparison re-reads such bytes as UTF-8.
    """
    result = []
    for flag in command.flags:
        try:
            result.append(flag.encode("latin-1").decode("utf-8"))
        except (UnicodeEncodeError, UnicodeDecodeError):
            result.append(flag)
    return tuple(result)


def compare(text: str) -> None:
    """Assert the checker's parse of ``text`` agrees with Docker's (or a documented rule)."""
    try:
        commands = oracle(text)
    except OracleCrashed as crash:
        pytest.skip(f"the dockerfile oracle crashed on this case: {crash}")
    try:
        ours = parse(text)
    except DockerfileSyntaxError as error:
        if commands is None:
            return  # both reject
        assert any(reason in error.message for reason in DELIBERATE_REJECTIONS), (
            f"Docker accepts but the checker rejects: {error}\n{text!r}"
        )
        return
    assert commands is not None, f"Docker rejects but the checker accepts:\n{text!r}"
    assert len(ours.instructions) == len(commands), text
    for mine, theirs in zip(ours.instructions, commands, strict=True):
        where = f"{mine.keyword} at line {mine.line} in\n{text!r}"
        assert mine.keyword == theirs.cmd.upper(), where
        assert (mine.line, mine.end_line) == (theirs.start_line, theirs.end_line), where
        assert mine.json_form == theirs.json, where
        assert flag_strings(mine) == oracle_flags(theirs), where
        assert docker_values(mine) == tuple(theirs.value), where
        if mine.trigger is not None:
            assert theirs.sub_cmd.upper() == mine.trigger.keyword, where
            continue  # the oracle package drops an ONBUILD trigger's heredocs
        assert theirs.sub_cmd is None, where
        assert [(h.name, h.content, h.file_descriptor) for h in mine.heredocs] == [
            (h.name, h.content, h.file_descriptor) for h in theirs.heredocs
        ], where


# --------------------------------------------------------------------------------------
# Hand-written cases


@pytest.mark.parametrize("path", CASES, ids=[path.stem for path in CASES])
def test_hand_written_case_matches_docker(path: Path) -> None:
    compare(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", CASES, ids=[path.stem for path in CASES])
def test_hand_written_case_with_crlf_line_endings_matches_docker(path: Path) -> None:
    compare(path.read_text(encoding="utf-8").replace("\n", "\r\n"))


def test_hand_written_cases_exist_and_parse_without_rejection() -> None:
    assert len(CASES) >= 6
    for path in CASES:
        assert parse(path.read_text(encoding="utf-8")).stages


# --------------------------------------------------------------------------------------
# Deliberate differences, each documented by a test


def test_unknown_instruction_docker_parser_ignores_it_checker_rejects() -> None:
    text = "FROM a\nRUNN echo\n"
    assert oracle(text) is not None  # buildkit's parser keeps an ignored node...
    with pytest.raises(DockerfileSyntaxError, match="unknown instruction"):
        parse(text)  # ...and `docker build` fails later; the checker says so up front


def test_file_without_from_docker_parser_accepts_checker_rejects() -> None:
    for text in ("ARG A=1\n", "RUN echo\n", "WORKDIR /app\nFROM a\n"):
        assert oracle(text) is not None
        with pytest.raises(DockerfileSyntaxError):
            parse(text)


def test_lone_continuation_line_docker_makes_an_empty_node_checker_rejects() -> None:
    assert oracle("FROM a\n\\\n") is not None
    with pytest.raises(DockerfileSyntaxError, match="continuation with no instruction"):
        parse("FROM a\n\\\n")


def test_check_directive_is_a_directive_for_the_checker_as_in_current_buildkit() -> None:
    # The oracle wraps a buildkit older than the `# check=` directive, so there the line is a
    # comment that ends the directives and the backtick escape below is ignored. Current
    # Docker (buildkit >= 0.14) accepts `check`, and the checker follows current Docker.
    text = "# check=skip=all\n# escape=`\nFROM a\nRUN a `\n  b\n"
    commands = oracle(text)
    assert commands is not None and len(commands) == 3
    ours = parse(text)
    assert ours.directives == {"check": "skip=all", "escape": "`"}
    assert len(ours.instructions) == 2 and ours.instructions[1].text == "a   b"


def test_onbuild_heredoc_is_kept_on_outer_and_trigger_though_the_oracle_drops_it() -> None:
    text = "FROM a\nONBUILD RUN <<EOF\necho hi\nEOF\n"
    commands = oracle(text)
    assert commands is not None and commands[1].heredocs == ()
    assert commands[1].end_line == 4
    onbuild = parse(text).instructions[1]
    assert onbuild.heredocs[0].content == "echo hi\n"
    assert onbuild.trigger is not None and onbuild.trigger.heredocs == onbuild.heredocs


def test_pattern_parameter_before_heredoc_follows_current_docker_not_the_oracle() -> None:
    # The oracle's buildkit cannot lex ${VAR%.*} (newer buildkit can), so it finds no heredoc
    # on that line and reads the body as instructions. The checker follows current Docker.
    text = "FROM a\nRUN echo ${FILE%.*} <<EOF\nbody\nEOF\n"
    commands = oracle(text)
    assert commands is not None and commands[1].heredocs == ()
    run = parse(text).instructions[1]
    assert run.heredocs[0].content == "body\n" and run.end_line == 4


def test_non_ascii_space_in_flags_is_read_as_a_character_not_as_bytes() -> None:
    # buildkit splits flags byte by byte, so the second byte of a UTF-8 no-break space ends a
    # flag mid-character; the checker keeps whole characters.
    text = "FROM a\nCOPY --chown=app\u00a0x y /z\n"
    assert parse(text).instructions[1].flags[0].value == "app\u00a0x"


@pytest.mark.parametrize(
    "text",
    [
        "FROM a\nCMD [1]\n",
        "FROM a\nENV A\n",
        "FROM a\nENV A=1 B\n",
        "FROM a\nRUN <<EOF\nnever ends\n",
        "# escape=`\n# escape=\\\nFROM a\n",
        "# escape=x\nFROM a\n",
        "",
        "# nothing\n",
    ],
)
def test_texts_docker_rejects_the_checker_rejects_too(text: str) -> None:
    assert oracle(text) is None
    with pytest.raises(DockerfileSyntaxError):
        parse(text)


@pytest.mark.parametrize(
    "text",
    [
        "FROM a\nRUN echo \\\\\nRUN b\n",
        "FROM a\nRUN a \\\n\\\n  b\n",
        "FROM a\nRUN echo a \\\n\nRUN echo b\n",
        "FROM a\nRUN cat <<EOF>out\nx\nEOF>out\n",
        'FROM a\nRUN <<E"O"F\nx\nEOF\n',
        "FROM a\nRUN cat <<<here-string\n",
        "FROM a\nRUN echo don't <<EOF\n",
        "FROM a\nRUN [<<EOF]\nRUN b\n",
        "FROM a\nRUN <<EOF\r\nab\r\nEOF\r\nCMD x\\\r\n y\r\n",
        "FROM a\nRUN <<EOF\nno newline at the end\nEOF",
        "FROM a\nRUN <<EOF\nbody\nEOF\n",
        "\ufeffFROM a\nRUN x\n",
        "#  ESCAPE = `  \nFROM a\nRUN a `\n b\n",
        "FROM a\nRUN --a\\ b c\n",
        'FROM a\nRUN --mount=type=bind,source="a b",target=/x echo\n',
        "FROM a\nHEALTHCHECK\nONBUILD\n",
        "FROM a\nCMD [NaN]\n",
        "FROM a\nADD [] x\n",
        "FROM a\nRUN\n",
        'FROM a\nENV A B C\nLABEL "a b"=c d=e\n',
        "FROM a\nUSER   a   b  \n",
        "FROM a\nRUN ${X:-a} <<EOF\nx\nEOF\n",
        "FROM a\nRUN ${} <<EOF\nx\nEOF\n",
        "FROM a\nRUN $${=# <<EOF\nx\nEOF\n",
        'FROM a\nRUN "${X:-"}"" <<EOF\nx\nEOF\n',
        "FROM a\nHEALTHCHECK CMD \u00a0x\n",
    ],
)
def test_edge_case_matches_docker(text: str) -> None:
    compare(text)


# --------------------------------------------------------------------------------------
# Generated Dockerfiles


WORDS = ("pip", "install", "-r", "requirements.txt", "flask==3.0", ".", "/app", "$HOME", "&&")
QUOTED = ('"a b"', "'c d'", '"x\\"y"', "e\\ f")


def _case(rng: random.Random, keyword: str) -> str:
    return rng.choice((keyword, keyword.lower(), keyword.capitalize()))


def _words(rng: random.Random, low: int = 1, high: int = 5) -> list[str]:
    pool = WORDS + QUOTED if rng.random() < 0.3 else WORDS
    return [rng.choice(pool) for _ in range(rng.randint(low, high))]


def _flags(rng: random.Random, choices: Sequence[str]) -> list[str]:
    return [rng.choice(choices) for _ in range(rng.choice((0, 0, 1, 2, 3)))]


RUN_FLAGS = (
    "--mount=type=cache,target=/root/.cache/pip",
    "--mount=type=bind,source=requirements.txt,target=/r.txt",
    "--mount=type=cache,id=pip,target=/root/.cache,sharing=locked",
    "--network=none",
    "--security=insecure",
)
COPY_FLAGS = ("--from=build", "--chown=1000:1000", "--chmod=644", "--link", "--link=false")


def _json(rng: random.Random, items: list[str]) -> str:
    inner = rng.choice((", ", ",", " , "))
    return "[" + inner.join(f'"{item}"' for item in items) + "]"


INSTRUCTION_KINDS = (
    *("RUN", "RUN", "RUN", "COPY", "COPY", "ADD", "ENV", "ARG", "WORKDIR", "USER", "LABEL"),
    *("EXPOSE", "CMD", "ENTRYPOINT", "HEALTHCHECK", "ONBUILD", "VOLUME", "SHELL"),
    *("STOPSIGNAL", "HEREDOC", "HEREDOC"),
)


def _instruction(rng: random.Random, escape: str) -> tuple[list[str], list[str]]:
    """(words of the instruction line, heredoc body lines to append after it)."""
    kind = rng.choice(INSTRUCTION_KINDS)
    body: list[str] = []
    if kind == "RUN":
        if rng.random() < 0.2:
            return [_case(rng, "RUN"), *_flags(rng, RUN_FLAGS), _json(rng, _words(rng))], body
        return [_case(rng, "RUN"), *_flags(rng, RUN_FLAGS), *_words(rng)], body
    if kind == "HEREDOC":
        return _heredoc_instruction(rng)
    if kind in ("COPY", "ADD"):
        flags = _flags(rng, COPY_FLAGS)
        paths = rng.sample(("src/", "requirements.txt", ".", "/app/", "a b"), 2)
        if rng.random() < 0.25:
            return [_case(rng, kind), *flags, _json(rng, paths)], body
        return [_case(rng, kind), *flags, *(p.replace(" ", "_") for p in paths)], body
    if kind == "ENV":
        if rng.random() < 0.3:
            return [_case(rng, "ENV"), "NAME", *_words(rng)], body
        return [_case(rng, "ENV"), *(f"K{i}={rng.choice(QUOTED + WORDS)}" for i in range(3))], body
    if kind == "ARG":
        return [_case(rng, "ARG"), rng.choice(("V", "V=1", 'V="a b"', "V= W"))], body
    if kind == "LABEL":
        return [_case(rng, "LABEL"), 'a="b c"', "d=e"], body
    if kind in ("CMD", "ENTRYPOINT", "SHELL"):
        if rng.random() < 0.5:
            return [_case(rng, kind), _json(rng, _words(rng))], body
        if rng.random() < 0.3:
            return [_case(rng, kind), "[python,", "broken]"], body
        return [_case(rng, kind), *_words(rng)], body
    if kind == "HEALTHCHECK":
        choice = rng.random()
        if choice < 0.3:
            return [_case(rng, kind), "NONE"], body
        command = [_json(rng, _words(rng))] if choice < 0.6 else _words(rng)
        return [_case(rng, kind), "--interval=5s", "CMD", *command], body
    if kind == "ONBUILD":
        inner, _ = _instruction(rng, escape)
        if inner[0].upper() in ("ONBUILD", "RUN", "COPY") and "<<" in " ".join(inner):
            inner = ["RUN", "echo"]
        return [_case(rng, "ONBUILD"), *inner], body
    if kind == "EXPOSE":
        return [_case(rng, kind), "80", "443/tcp"], body
    if kind == "VOLUME":
        return [_case(rng, kind), rng.choice(('["/data"]', "/data /logs"))], body
    if kind == "STOPSIGNAL":
        return [_case(rng, kind), "SIGTERM"], body
    return [_case(rng, kind), rng.choice(("/app", "app:app", "C:\\\\app"))], body


def _heredoc_instruction(rng: random.Random) -> tuple[list[str], list[str]]:
    """A RUN or COPY with one or two heredocs, and their bodies."""
    body: list[str] = []
    names = rng.sample(("EOF", "END", "PY", "X1"), rng.randint(1, 2))
    words = [_case(rng, rng.choice(("RUN", "COPY")))]
    for name in names:
        quote = rng.choice(("", "", "'", '"'))
        words.append(
            rng.choice(("", "", "3")) + "<<" + rng.choice(("", "-")) + quote + name + quote
        )
        body.extend(rng.choice(("\t", "", "  ")) + w for w in _words(rng, 0, 3))
        body.append(rng.choice(("", "\t")) + name if "-" in words[-1] else name)
    words.extend(_words(rng, 0, 2))
    return words, body


def _render(rng: random.Random, words: list[str], escape: str, newline: str) -> list[str]:
    """Join words with spaces, sometimes breaking onto continuation lines."""
    lines: list[str] = []
    current = words[0]
    for word in words[1:]:
        if rng.random() < 0.25:
            lines.append(current + " " + escape + rng.choice(("", " ", "\t")))
            if rng.random() < 0.2:
                lines.append(rng.choice(("  # inside a continuation", "#x", "")))
            current = rng.choice(("    ", "\t", "")) + word
        else:
            current += rng.choice((" ", "  ", "\t")) + word
    lines.append(current + rng.choice(("", "", " ")))
    return lines


def generate(seed: int) -> str:
    """One random but mostly valid Dockerfile mixing every feature the parser handles."""
    rng = random.Random(seed)
    escape = "\\"
    lines: list[str] = []
    roll = rng.random()
    if roll < 0.25:
        escape = rng.choice(("`", "\\"))
        lines.append(f"# escape={escape}")
    elif roll < 0.35:
        lines.append("# a comment first, so the next line is no directive")
        lines.append("# escape=`")
    if rng.random() < 0.2:
        lines.append("# syntax=docker/dockerfile:1")
    newline = "\r\n" if rng.random() < 0.1 else "\n"
    for _ in range(rng.randint(0, 2)):
        lines.append(f"{_case(rng, 'ARG')} BASE{rng.randint(0, 9)}=python:3.12")
    for stage in range(rng.randint(1, 3)):
        platform = "--platform=linux/amd64 " if rng.random() < 0.2 else ""
        alias = f" {rng.choice(('AS', 'as'))} Stage{stage}" if rng.random() < 0.6 else ""
        lines.append(f"{_case(rng, 'FROM')} {platform}python:3.12-slim{alias}")
        for _ in range(rng.randint(1, 8)):
            if rng.random() < 0.15:
                lines.append(rng.choice(("", "# comment", "   ", "\t# indented comment")))
            words, body = _instruction(rng, escape)
            lines.extend(_render(rng, words, escape, newline))
            lines.extend(body)
    text = newline.join(lines)
    return text + (newline if rng.random() < 0.9 else "")


@pytest.mark.parametrize("block", range(20))
def test_generated_dockerfiles_match_docker(block: int) -> None:
    for seed in range(block * 100, block * 100 + 100):
        compare(generate(seed))


FRAGMENTS = (
    "FROM a",
    "RUN ",
    "run ",
    "COPY ",
    "ENV ",
    "ONBUILD ",
    "HEALTHCHECK ",
    "echo",
    "\\",
    "`",
    "\\\\",
    "# escape=`",
    "#",
    " ",
    "\t",
    "\n",
    "\r\n",
    "<<EOF",
    "<<-EOF",
    "<<'EOF'",
    "EOF",
    "\tEOF",
    "[",
    "]",
    '"',
    "'",
    '["a"]',
    "--mount=type=cache,target=/c",
    "--",
    "=",
    "A=1",
    "x y",
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=40))
def test_random_fragment_soup_matches_docker_or_is_rejected_for_a_documented_reason(
    fragments: list[str],
) -> None:
    compare("FROM a\n" + "".join(fragments))
