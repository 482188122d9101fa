"""Hostile submissions (issue 13): bounded work, nothing read outside the context, every
submission a row, output that cannot run as a formula or a terminal escape.

Property tests (hypothesis) generate the shapes (doubling variables, trim patterns, long
moves, pattern soups, link farms, odd names); the issue's reproducers are regression tests.
Time and memory figures are printed by benchmarks/bench_hostile.py, not asserted here.
"""

from __future__ import annotations

import re
from fnmatch import fnmatchcase

from hypothesis import given, settings
from hypothesis import strategies as st

from checker.dockerfile import parse
from checker.dockerfile.variables import MAX_VALUE, _trim, expand
from checker.grading.grade import grade

# --------------------------------------------------------------------------------------
# Variable expansion


def _slow_trim(value: str, operator: str, pattern: str) -> str:
    """The definition: one fnmatchcase per prefix or suffix length."""
    sizes = list(range(len(value) + 1))
    order = sizes[::-1] if operator in ("##", "%%") else sizes
    for size in order:
        if operator in ("#", "##") and fnmatchcase(value[:size], pattern):
            return value[size:]
        if operator in ("%", "%%") and fnmatchcase(value[len(value) - size :], pattern):
            return value[: len(value) - size]
    return value


@settings(max_examples=400, deadline=None)
@given(
    st.text("ab.-/[]!*?", max_size=12),
    st.sampled_from(["#", "##", "%", "%%"]),
    st.text("ab.-[]!*?^z", max_size=8),
)
def test_trim_removes_what_fnmatch_per_prefix_would(
    value: str, operator: str, pattern: str
) -> None:
    assert _trim(value, operator, pattern) == _slow_trim(value, operator, pattern)


def test_doubling_env_with_a_trim_is_graded_with_a_finding() -> None:
    """Issue 13: 257 bytes that ran past 60 s (one fnmatch per prefix of a 1 MiB value)."""
    text = "FROM a\nENV A=a\n" + "ENV A=$A$A\n" * 20 + "COPY ${A##*b} /x\n"
    report = grade(text)
    assert report.error is None
    limits = [finding for finding in report.findings if finding.rule == "LC008"]
    assert limits and "variable too large to expand" in limits[0].message
    assert limits[0].line == 2 + 17  # 2**17 characters is the first value past 64 KiB


def test_doubling_env_and_arg_stay_small() -> None:
    """Issue 13: thirty doublings then WORKDIR $A took 1.6 GB; ARG did the same."""
    for keyword in ("ENV", "ARG"):
        text = f"FROM a\n{keyword} A=a\n" + f"{keyword} A=$A$A\n" * 30 + "WORKDIR $A\n"
        dockerfile = parse(text)
        workdir = dockerfile.instructions[-1]
        assert all(len(word) <= MAX_VALUE for word in workdir.resolved_arguments)
        assert dockerfile.limits and dockerfile.limits[0][0] == 19


def test_values_within_the_bound_expand_as_before() -> None:
    value = "x" * (MAX_VALUE // 2)
    assert expand("$A$A", {"A": value}) == value * 2
    assert expand("${A%%x*}", {"A": "1.2.3"}) == "1.2.3"
    assert expand("${A%%.*}", {"A": "1.2.3"}) == "1"
    assert expand("${A#*.}", {"A": "1.2.3"}) == "2.3"


# --------------------------------------------------------------------------------------
# Fix planning and rendering


def _list_render(dockerfile, text: str, edits: list) -> str:
    """The definition of the edits: a plain list, ``remove`` then ``insert`` per move."""
    from checker.rules.edits import Insert, Move, _Block, _blocks

    blocks, tail = _blocks(dockerfile, text.splitlines())
    by_key = {id(block.key): block for block in blocks}
    order = list(blocks)
    for edit in edits:
        if isinstance(edit, Move):
            moving = by_key[id(edit.instruction)]
            order.remove(moving)
            order.insert(order.index(by_key[id(edit.before)]), moving)
        elif isinstance(edit, Insert):
            order.insert(order.index(by_key[id(edit.before)]), _Block(None, [edit.text]))
    return "\n".join([line for block in order for line in block.lines] + tail) + "\n"


@settings(max_examples=200, deadline=None)
@given(
    st.integers(2, 12).flatmap(
        lambda size: st.tuples(
            st.just(size),
            st.lists(
                st.tuples(st.booleans(), st.integers(0, size - 1), st.integers(0, size - 1)),
                max_size=20,
            ),
        )
    )
)
def test_render_applies_moves_and_inserts_as_the_list_definition(case) -> None:
    from checker.rules.edits import Insert, Move, render

    size, raw = case
    text = "FROM a\n" + "".join(f"# note {index}\nRUN echo {index}\n" for index in range(size))
    dockerfile = parse(text)
    steps = dockerfile.instructions[1:]
    edits = [
        Insert(f"RUN new {a}", steps[b]) if insert else Move(steps[a], steps[b])
        for insert, a, b in raw
        if insert or a != b
    ]
    assert render(dockerfile, text, edits) == _list_render(dockerfile, text, edits)


def test_many_installs_after_a_broad_copy_are_planned_in_bounded_work() -> None:
    """Issue 13: COPY . . then N installs took n^2.8 (1,600: 17.6 s; 5,500 killed)."""
    from checker.rules.reinstall_fixes import MAX_CARRIED

    few = grade("FROM python:3.12\nCOPY . .\n" + "RUN pip install x\n" * 3)
    assert few.suggested_dockerfile is not None  # an ordinary file still gets its fix
    many = grade("FROM python:3.12\nCOPY . .\n" + "RUN pip install x\n" * (MAX_CARRIED + 50))
    assert many.error is None and many.dependency_cache == "reinstalled"
    longest = max(len(finding.fix.splitlines()) for finding in many.findings)
    assert longest <= MAX_CARRIED + 5  # no fix lists the whole file again


def _slow_cleans(argv: tuple[str, ...], cache_dir: str, tool: str) -> bool:
    """The definition: does a later command with ``argv`` empty the install's cache?"""
    from checker.shell.installs import _tool_of
    from checker.shell.wrappers import program

    name, words = program(argv[0]), argv[1:]
    if name == "rm":
        cache = cache_dir.rstrip("/")
        return any(
            cache == target.rstrip("/").rstrip("*").rstrip("/")
            or cache.startswith(target.rstrip("/") + "/")
            for target in words
            if not target.startswith("-") and target not in ("", "/")
        )
    other = _tool_of(name)
    family = {other, tool} <= {"conda", "mamba"} or other == tool
    if other in ("conda", "mamba", "micromamba") and family:
        return words[:1] == ("clean",)
    if other == "pip" and tool in ("pip", "pipenv", "pip-sync"):
        return words[:2] in (("cache", "purge"), ("cache", "remove"))
    if other == "uv" and tool == "uv":
        return words[:2] in (("cache", "clean"), ("cache", "prune")) or words[:1] == ("clean",)
    if other == "poetry" and tool == "poetry":
        return words[:2] == ("cache", "clear")
    return False


_cache_dirs = st.sampled_from(["/root/.cache/pip", "/root/.cache/pip/", "/opt/conda/pkgs", "/x"])
_cleaners = st.one_of(
    st.lists(
        st.sampled_from(["-rf", "/", "//", "/root", "/root/", "/root/.cache/pip/*", "/x*", ""]),
        max_size=3,
    ).map(lambda words: ("rm", *words)),
    st.tuples(
        st.sampled_from(["pip", "pip3", "conda", "mamba", "micromamba", "uv", "poetry", "ls"]),
        st.sampled_from(["clean", "cache"]),
        st.sampled_from(["purge", "remove", "clean", "prune", "clear", "--all"]),
    ),
)


@settings(max_examples=400, deadline=None)
@given(
    _cleaners,
    _cache_dirs,
    st.sampled_from(["pip", "pipenv", "pip-sync", "uv", "poetry", "conda", "mamba", "micromamba"]),
)
def test_cleaning_keys_find_what_a_scan_of_later_commands_finds(argv, cache_dir, tool) -> None:
    """The lookup by keys gives what asking each later command gives."""
    from types import SimpleNamespace

    from checker.shell.installs import _cleaning_keys, _keys_that_clean
    from checker.shell.script import ShellCommand

    record = SimpleNamespace(cache_dir=cache_dir, tool=tool)  # all the lookup reads
    command = ShellCommand(argv, 0, 0)
    keys = set(_cleaning_keys(command))
    found = any(key in keys for key in _keys_that_clean(record))
    assert found == _slow_cleans(argv, cache_dir, tool)


def test_a_run_of_thousands_of_installs_is_read_in_linear_work() -> None:
    """Issue 13: each install scanned every later command of its RUN for one that empties
    its cache (7,000 ``pip install a &&`` in one RUN: about a minute)."""
    from checker.dockerfile.parser import parse
    from checker.shell.installs import installs_in

    text = "FROM python:3.12\nRUN " + "pip install a && " * 7000 + "pip cache purge\n"
    installs = installs_in(parse(text), parse(text).instructions[-1])
    assert len(installs) == 7000 and all(item.cache_cleaned for item in installs)
    report = grade(text)
    assert report.error is None


@settings(max_examples=1000, deadline=None)
@given(st.text(" \t\r\n;&|<>()'\"\\#ab=$-", max_size=16))
def test_the_crude_split_tokenizes_as_shlex_does(text: str) -> None:
    """The regular expression that replaced shlex (a character at a time in Python) gives
    its tokens, and fails where it fails."""
    import shlex

    from checker.shell.commands import _shell_tokens

    lexer = shlex.shlex(text, posix=True, punctuation_chars=";&|<>()\n")
    lexer.whitespace = " \t\r"
    lexer.whitespace_split = True
    try:
        expected: list[str] | None = list(lexer)
    except ValueError:
        expected = None
    try:
        found: list[str] | None = _shell_tokens(text)
    except ValueError:
        found = None
    assert found == expected


def _compound_runs(count: int) -> str:
    return "FROM python:3.12\nCOPY . .\n" + "".join(
        f"RUN if [ -f r{i}.txt ]; then pip install -r r{i}.txt; fi; echo $(date) {i}\n"
        for i in range(count)
    )


def test_compound_shell_past_the_budget_is_split_simply_and_named() -> None:
    """Issue 13: 1 MiB of compound RUNs (bashlex, about 130 KB a second) took 20 s. The
    first 16 KiB of compound shell is parsed fully; later RUNs get the simple split, which
    still finds an install inside ``then``, and LC008 names the first of them."""
    from checker.dockerfile.parser import parse
    from checker.shell.commands import MAX_COMPOUND_TEXT, compound_budget
    from checker.shell.installs import installs_in

    text = _compound_runs(1990)
    dockerfile = parse(text)
    runs = [item for item in dockerfile.instructions if item.keyword == "RUN"]
    used, within = 0, 0  # the RUNs that fit in the budget, in file order
    while used + len(runs[within].text) <= MAX_COMPOUND_TEXT:
        used += len(runs[within].text)
        within += 1
    with compound_budget(run.text for run in runs):
        for index in (0, within - 1, within, len(runs) - 1):
            found = installs_in(dockerfile, runs[index])
            assert [item.reads for item in found] == [(f"r{index}.txt",)]
    report = grade(text)
    limits = [finding for finding in report.findings if finding.rule == "LC008"]
    assert len(limits) == 1 and limits[0].line == runs[within].line
    assert f"and {len(runs) - within - 1} later RUNs" in limits[0].message


def test_which_runs_are_past_the_budget_depends_on_the_file_alone() -> None:
    """Caches keep parses across grades; a grade must not depend on what came before."""
    from checker.grading.formats import to_json
    from checker.shell.commands import compound_budget
    from checker.shell.script import shell_commands

    text = _compound_runs(600)
    first = to_json([grade(text)])
    head, *lines = text.splitlines(keepends=True)
    grade(head + "".join(reversed(lines)))  # the same RUNs: the first ones now past it
    assert to_json([grade(text)]) == first
    runs = [item.text for item in parse(text).instructions if item.keyword == "RUN"]
    crude = ("echo", "$")  # the simple split's reading of "echo $(date) 0"
    with compound_budget(runs):  # as grading the file: its first RUN is parsed fully
        assert crude not in [command.argv for command in shell_commands(runs[0])]
    with compound_budget(reversed(runs)):  # last in the file: the crude split
        assert crude in [command.argv for command in shell_commands(runs[0])]


def test_ignore_comments_are_honoured_on_long_files() -> None:
    text = "FROM python:3.12\nCOPY . .\n" + "# checker ignore=LC002\nRUN pip install x\n" * 300
    report = grade(text)
    assert report.error is None
    assert "LC002" not in {finding.rule for finding in report.findings}


# --------------------------------------------------------------------------------------
# Stages: the ENV and USER in force at each step, looked up in linear work


def _slow_environment(dockerfile, instruction) -> dict[str, str]:
    """The definition: walk up the stages it is built FROM, replay each from its start."""
    from checker.dockerfile.variables import StageScope, global_arg_values

    if not 0 <= instruction.stage < len(dockerfile.stages):
        return {}
    chain, index = [], instruction.stage
    while index is not None:
        chain.append(index)
        parent = dockerfile.stage_named(dockerfile.stages[index].base)
        index = parent.index if parent is not None and parent.index < index else None
    globals_ = global_arg_values(dockerfile.global_args, dockerfile.escape)
    env: dict[str, str] = {}
    for position in reversed(chain):
        scope = StageScope(env, globals_, dockerfile.escape)
        for item in dockerfile.stages[position].instructions:
            if item is instruction:
                return scope.values
            scope.apply(item)
        env = scope.env
    return env


def _slow_user(dockerfile, instruction) -> str:
    """The definition: the last USER before the step, in its stage or up the chain."""
    index = instruction.stage
    while index is not None:
        stage = dockerfile.stages[index]
        users = [
            item.resolved_arguments[0]
            for item in stage.instructions
            if item.keyword == "USER"
            and item.resolved_arguments
            and (index != instruction.stage or item.line < instruction.line)
        ]
        if users:
            return users[-1]
        parent = dockerfile.stage_named(stage.base)
        index = parent.index if parent is not None and parent.index < index else None
    return "root"


_stage_lines = st.lists(
    st.sampled_from(
        [
            *("ENV A=$A.x", "ENV B=${A:-b}", "ARG A", "ARG C=$B", "USER app", "USER 1000"),
            *("RUN pip install x", "WORKDIR /w", "ONBUILD RUN pip install y"),
        ]
    ),
    max_size=5,
)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 9), st.booleans(), _stage_lines), min_size=1, max_size=8),
    st.booleans(),
)
def test_environment_and_user_at_each_step_are_those_of_the_stage_chain(stages, backwards):
    """Any stages built FROM earlier ones (by alias or number, or an image), asked in file
    order or backwards: the indexed lookups give what walking the chain gives."""
    from checker.dockerfile.variables import environment_at
    from checker.shell.installs import user_at

    text = "ARG A=g\n"
    for index, (parent, by_number, lines) in enumerate(stages):
        base = "python:3.12" if parent >= index else (str(parent) if by_number else f"s{parent}")
        text += f"FROM {base} AS s{index}\n" + "".join(line + "\n" for line in lines)
    dockerfile = parse(text)
    steps = [item for stage in dockerfile.stages for item in stage.instructions]
    for instruction in reversed(steps) if backwards else steps:
        assert environment_at(dockerfile, instruction) == _slow_environment(dockerfile, instruction)
        assert user_at(dockerfile, instruction) == _slow_user(dockerfile, instruction)


def test_a_chain_of_999_stages_is_graded_with_what_each_stage_inherits() -> None:
    """Issue 13: 999 stages, each FROM the one before, ran past 60 s (every step scanned
    the stages up its chain, and each link was a scan of all stages). Within the cap of 2,000
    instructions: a FROM and one RUN a stage."""
    from checker.dockerfile.variables import environment_at
    from checker.shell.installs import user_at

    text = "FROM python:3.12 AS s0\nENV FIRST=1\n"
    for index in range(1, 999):
        user = "USER app\n" if index == 500 else ""
        text += f"FROM s{index - 1} AS s{index}\n{user}RUN pip install pkg{index}\n"
    report = grade(text)
    assert report.error is None
    dockerfile = parse(text)
    last = dockerfile.instructions[-1]
    assert last.text == "pip install pkg998"
    assert environment_at(dockerfile, last)["FIRST"] == "1"
    assert user_at(dockerfile, last) == "app"
    assert user_at(dockerfile, dockerfile.stages[499].instructions[0]) == "root"


# --------------------------------------------------------------------------------------
# .dockerignore: our matcher against docker-py's, and the reproducers

_NAMES = st.sampled_from(["a", "b", "ab", "ba", "a.py", "b.txt", "aa", "c"])
_GLOB_PARTS = st.sampled_from(["a", "b", "*", "?", "[ab]", "[a-b]", ".py", "*a*", "c"])
_component_globs = st.lists(_GLOB_PARTS, min_size=1, max_size=3).map("".join)
_flat_patterns = (
    st.lists(_component_globs, min_size=1, max_size=3).map("/".join).filter(lambda p: "**" not in p)
)
_paths = st.lists(_NAMES, min_size=1, max_size=4).map("/".join)


def _docker_py_matches(patterns: list[str], path: str) -> bool:
    from docker.utils.build import PatternMatcher

    return bool(PatternMatcher(patterns).matches(path))


@settings(max_examples=500, deadline=None)
@given(
    st.lists(st.tuples(st.booleans(), _flat_patterns), min_size=1, max_size=4),
    st.lists(_paths, min_size=1, max_size=5),
)
def test_matcher_agrees_with_docker_py_on_patterns_without_doublestar(raw, paths) -> None:
    """Where docker-py follows Docker (no ``**``: it checks one parent of the pattern's
    depth, which is every parent a ``**``-free pattern can match; lower case: it folds
    case), both say the same for every path, exceptions included."""
    from checker.cache.dockerignore import Matcher

    patterns = [("!" if exception else "") + text for exception, text in raw]
    ours = Matcher(list(enumerate(patterns, 1)))
    for path in paths:
        assert ours.matches(path) == _docker_py_matches(patterns, path), (patterns, path)


_deep_patterns = st.lists(
    st.sampled_from(["**", "a", "b", "*", "?a", "[ab]", "a*"]), min_size=1, max_size=4
).map("/".join)


@settings(max_examples=300, deadline=None)
@given(st.lists(_deep_patterns, min_size=1, max_size=3), st.lists(_paths, min_size=1, max_size=5))
def test_matcher_agrees_with_docker_py_on_doublestar_patterns(patterns, paths) -> None:
    """``**`` patterns, compared on the path and each parent (docker-py's ``matches``
    checks one parent only; its walk prunes every matched directory, which is Docker's
    rule: a file is excluded when it or a parent matches)."""
    from checker.cache.dockerignore import Matcher

    ours = Matcher(list(enumerate(patterns, 1)))
    for path in paths:
        parts = path.split("/")
        prefixes = ["/".join(parts[: index + 1]) for index in range(len(parts))]
        expected = any(_docker_py_matches(patterns, prefix) for prefix in prefixes)
        assert ours.matches(path) == expected, (patterns, path)


def test_dockerignore_follows_docker_where_docker_py_does_not() -> None:
    """Docker (moby/patternmatcher, BuildKit's reader) and docker-py part ways here; we
    follow Docker."""
    from checker.cache.dockerignore import Matcher, read_patterns

    def ignores(text: str, path: str) -> bool:
        return Matcher(read_patterns(text)).matches(path)

    assert not ignores("README.MD\n", "README.md")  # case-sensitive, as on Linux
    assert ignores("**foo\n", "xfoo")  # "**foo" is a suffix match
    assert ignores("/build\n", "build/x.py")  # leading / is the context root
    assert ignores("a/../build\n", "build")  # Clean before matching
    assert not ignores("../build\n", "build")  # ".." at the start is never a context path
    assert ignores("  # not a comment\n", "  # not a comment".strip())
    assert not ignores("# a comment\n", "# a comment")
    assert ignores("\ufeffbuild\n", "build")  # BOM dropped
    assert ignores("[^a]x\n", "bx") and not ignores("[^a]x\n", "ax")  # RE2 negation
    assert ignores("*.py\n!keep.py\n", "x.py") and not ignores("*.py\n!keep.py\n", "keep.py")


def test_backtracking_patterns_match_in_linear_time() -> None:
    """Issue 13: ``*a*a...`` on a 40-``a`` name and ten ``**/`` on a 25-deep path ran for
    20-60 s in docker-py's regexes; here each is a few thousand integer steps."""
    import time

    from checker.cache.dockerignore import Matcher, read_patterns

    start = time.perf_counter()
    star = Matcher(read_patterns("*a" * 12 + "\n"))
    assert not star.matches("a" * 40 + "b") and star.matches("a" * 40)
    deep = Matcher(read_patterns("**/" * 10 + "y\n"))
    assert not deep.matches("/".join(["d"] * 25) + "/x.py")
    assert deep.matches("/".join(["d"] * 25) + "/y")
    assert time.perf_counter() - start < 1.0  # generous: it takes milliseconds


def _context(tmp_path, dockerignore: bytes | None, files: dict[str, str] | None = None):
    root = tmp_path / "ctx"
    root.mkdir()
    dockerfile = "FROM python:3.12\nCOPY . .\nRUN pip install -r requirements.txt\n"
    (root / "Dockerfile").write_text(dockerfile)
    for name, content in (files or {"requirements.txt": "idna\n", "app.py": "x\n"}).items():
        (root / name).write_text(content)
    if dockerignore is not None:
        (root / ".dockerignore").write_bytes(dockerignore)
    return root


def test_dockerignore_syntax_error_is_the_users_error_with_its_line(tmp_path) -> None:
    root = _context(tmp_path, b".git\n# fine\n[z-a]\n")
    report = grade(root / "Dockerfile", root)
    assert report.error is not None and "internal error" not in report.error
    assert ".dockerignore line 3" in report.error and "z-a" in report.error


def test_unreadable_dockerignore_is_the_users_error(tmp_path) -> None:
    import os

    root = _context(tmp_path, None)
    os.mkfifo(root / ".dockerignore")  # unreadable without blocking (chmod is moot as root)
    report = grade(root / "Dockerfile", root)
    assert report.error is not None and "internal error" not in report.error
    assert ".dockerignore" in report.error and "FIFO" in report.error


def test_too_many_dockerignore_patterns_are_capped_with_a_finding(tmp_path) -> None:
    from checker.cache.dockerignore import MAX_PATTERNS

    soup = "".join(f"p{index}/*a*a*a*\n" for index in range(MAX_PATTERNS + 10))
    root = _context(tmp_path, soup.encode())
    report = grade(root / "Dockerfile", root)
    assert report.error is None
    limits = " ".join(f.message for f in report.findings if f.rule == "LC008")
    assert f"only the first {MAX_PATTERNS:,}" in limits


# --------------------------------------------------------------------------------------
# The context is a jail


def _nested_context(tmp_path):
    """requirements.txt includes base.txt; the test makes base.txt something hostile."""
    root = tmp_path / "ctx"
    root.mkdir(parents=True)
    (root / "Dockerfile").write_text(
        "FROM python:3.12\nWORKDIR /app\nCOPY requirements.txt ./\n"
        "RUN pip install -r requirements.txt\nCOPY . .\n"
    )
    (root / "requirements.txt").write_text("-r base.txt\nflask\n")
    (root / "app.py").write_text("x = 1\n")
    return root


def _everything(report) -> str:
    from checker.grading.formats import to_json

    return str(report) + to_json([report])


def test_a_link_out_of_the_context_is_never_read(tmp_path) -> None:
    """Issue 13: ``base.txt -> ../outside/secret.txt`` was read and its lines appeared in
    the findings and fixes."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("-r TOPSECRET-extra.txt\nTOPSECRET-package\n")
    root = _nested_context(tmp_path)
    (root / "base.txt").symlink_to("../outside/secret.txt")
    report = grade(root / "Dockerfile", root)
    assert report.error is None
    assert "TOPSECRET" not in _everything(report)
    limits = " ".join(f.message for f in report.findings if f.rule == "LC008")
    assert "base.txt is a link out of the build context" in limits


def test_a_link_inside_the_context_is_followed_as_copy_follows_it(tmp_path) -> None:
    root = _nested_context(tmp_path)
    (root / "deps").mkdir()
    (root / "deps" / "real.txt").write_text("-c constraints.txt\nidna\n")
    (root / "base.txt").symlink_to("deps/real.txt")
    report = grade(root / "Dockerfile", root)
    assert report.error is None
    assert not [f for f in report.findings if f.rule == "LC008"]


def test_fifos_devices_and_kernel_files_do_not_block(tmp_path) -> None:
    """Issue 13: ``requirements.txt`` as a link to /proc/kmsg, or a FIFO, blocked forever."""
    import os

    for make in ("fifo", "kmsg", "device"):
        root = _nested_context(tmp_path / make)
        if make == "fifo":
            os.mkfifo(root / "base.txt")
        elif make == "kmsg":
            (root / "base.txt").symlink_to("/proc/kmsg")
        else:
            (root / "base.txt").symlink_to("/dev/zero")
        report = grade(root / "Dockerfile", root)
        assert report.error is None, report.error
        limits = " ".join(f.message for f in report.findings if f.rule == "LC008")
        assert "base.txt" in limits, (make, limits)


def test_a_dockerfile_that_is_a_fifo_is_refused_without_blocking(tmp_path) -> None:
    import os

    os.mkfifo(tmp_path / "Dockerfile")
    report = grade(tmp_path / "Dockerfile")
    assert report.error is not None and "FIFO" in report.error


def test_an_oversized_context_file_is_skipped_with_a_finding(tmp_path) -> None:
    from checker.cache.jail import MAX_FILE_BYTES

    root = _nested_context(tmp_path)
    (root / "base.txt").write_text("idna\n" * (MAX_FILE_BYTES // 5 + 10))
    report = grade(root / "Dockerfile", root)
    limits = " ".join(f.message for f in report.findings if f.rule == "LC008")
    assert "base.txt is larger than" in limits


# --------------------------------------------------------------------------------------
# batch: every entry a row


def _hostile_class(root):
    """A class folder with good submissions and every awkward entry the issue lists."""
    import os

    root.mkdir()
    good = "FROM python:3.12\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n"
    (root / "ada").mkdir()
    (root / "ada" / "Dockerfile").write_text(good)
    (root / "Dockerfile.bob").write_text(good)
    (root / "Dockerfile.dangling").symlink_to("missing")
    (root / "Dockerfile.loop").symlink_to("Dockerfile.loop")
    (root / "Dockerfile.outside").symlink_to("/etc/hostname")
    (root / "Dockerfile.dir").mkdir()
    (root / "Dockerfile.fifo").touch()
    os.remove(root / "Dockerfile.fifo")
    os.mkfifo(root / "Dockerfile.fifo")
    (root / os.fsdecode(b"Dockerfile.caf\xe9")).write_text(good)
    (root / "=HYPERLINK(evil)").mkdir()
    (root / "=HYPERLINK(evil)" / "Dockerfile").write_text(good)
    (root / "Dockerfile.doubling").write_text(
        "FROM a\nENV A=a\n" + "ENV A=$A$A\n" * 20 + "COPY ${A##*b} /x\n"
    )
    (root / "notes.txt").write_text("hi")
    return root


def test_batch_gives_every_entry_a_row_with_a_status(tmp_path) -> None:
    import csv
    import io

    from checker.grading.batch import grade_folder, rows_to_csv

    root = _hostile_class(tmp_path / "class")
    rows = grade_folder(root, timeout=30)
    names = [entry for entry in sorted(p.name for p in root.iterdir())]
    assert len(rows) == len(names)
    status = {row["submission"]: row["grading_status"] for row in rows}
    assert status["ada"] == status["Dockerfile.bob"] == "graded"
    assert status["Dockerfile.caf\\xe9"] == "graded"  # the name escaped, not dropped
    assert status["Dockerfile.dangling"].startswith("error: a broken link to missing")
    assert status["Dockerfile.loop"].startswith("error: a link loop")
    assert "links are not followed" in status["Dockerfile.outside"]
    assert status["Dockerfile.dir"] == "skipped: a folder without a Dockerfile"
    assert status["Dockerfile.fifo"] == "error: not a regular file"
    assert status["Dockerfile.doubling"] == "graded"
    text = rows_to_csv(rows)
    text.encode("utf-8")  # writable as UTF-8 whatever the names
    parsed = list(csv.DictReader(io.StringIO(text)))
    assert len(parsed) == len(rows)
    assert "'=HYPERLINK(evil)" in {row["submission"] for row in parsed}
    for row in parsed:
        for cell in row.values():
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


def test_a_submission_past_its_time_becomes_a_timeout_row_and_the_batch_goes_on(
    tmp_path,
) -> None:
    from checker.grading.batch import grade_folder
    from checker.grading.grade import MAX_INSTRUCTIONS

    root = tmp_path / "class"
    root.mkdir()
    # The largest file, of distinct lines (no cache helps): graded in about a second,
    # far past the limit; the small one takes milliseconds.
    (root / "Dockerfile.slow").write_text(
        "FROM python:3.12\nCOPY . .\n"
        + "".join(
            f"RUN pip install -r r{index}.txt && pip install a{index} b c && rm -rf /x\n"
            for index in range(MAX_INSTRUCTIONS - 3)
        )
    )
    (root / "Dockerfile.zed").write_text("FROM python:3.12\nRUN pip install flask\n")
    rows = grade_folder(root, timeout=0.15)
    status = {row["submission"]: row["grading_status"] for row in rows}
    assert status["Dockerfile.slow"].startswith("timeout: not graded within")
    assert status["Dockerfile.zed"] == "graded"


def test_a_submission_past_its_memory_becomes_a_timeout_row(tmp_path) -> None:
    from checker.grading.batch import grade_folder

    root = tmp_path / "class"
    root.mkdir()
    # Each copy of a 1 MB line is its own mapping: the worker's 2 MB run out at once.
    (root / "Dockerfile.big").write_text("FROM python:3.12\nRUN echo " + "x" * 1_000_000 + "\n")
    (root / "Dockerfile.zed").write_text("FROM python:3.12\nRUN pip install flask\n")
    rows = grade_folder(root, timeout=60, memory_mb=2)
    status = {row["submission"]: row["grading_status"] for row in rows}
    assert status["Dockerfile.big"] == "timeout: past the 2 MB memory limit"


def test_batch_cli_writes_rows_as_they_are_graded(tmp_path) -> None:
    import csv

    from checker.cli import main

    root = _hostile_class(tmp_path / "class")
    out = tmp_path / "grades.csv"
    assert main(["batch", str(root), "--out", str(out)]) == 0
    with open(out, encoding="utf-8", newline="") as handle:
        parsed = list(csv.DictReader(handle))
    assert len(parsed) == len(list(root.iterdir()))


# --------------------------------------------------------------------------------------
# Safe output


def test_grade_csv_neutralises_formulas_from_the_dockerfile(tmp_path) -> None:
    import csv
    import io

    from checker.grading.formats import to_csv

    path = tmp_path / "=cmd|calc!A1.Dockerfile"
    path.write_text("FROM python:3.12\nCOPY . .\nRUN pip install -r requirements.txt\n")
    report = grade(path)
    parsed = list(csv.DictReader(io.StringIO(to_csv([report]))))
    assert parsed and all(row["path"].startswith("'") or "/" in row["path"] for row in parsed)
    for row in parsed:
        for cell in row.values():
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


@given(st.text(max_size=30))
def test_no_csv_cell_can_start_a_formula(text: str) -> None:
    from checker.grading.safe_text import FORMULA_START, csv_cell

    cell = csv_cell(text)
    assert isinstance(cell, str) and not cell.startswith(FORMULA_START)


@given(st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp", "Cf")), max_size=30))
def test_a_neutralised_cell_reads_back_as_written(text: str) -> None:
    """A leading ``'`` always means one was added: ``'=x`` (a name that really starts so)
    and ``=x`` (neutralised) stay two different cells."""
    from checker.grading.safe_text import csv_cell

    cell = csv_cell(text)
    assert (cell[1:] if cell.startswith("'") else cell) == text
    assert csv_cell("'=x") == "''=x" and csv_cell("=x") == "'=x"


@given(st.text(max_size=30))
def test_names_are_escaped_losslessly(name: str) -> None:
    from checker.grading.safe_text import escape_name

    shown = escape_name(name)
    assert all(char >= " " and char != "\x7f" for char in shown)
    decoded = shown.encode("ascii", "backslashreplace").decode("unicode_escape")
    assert decoded == name  # the escapes are Python's: unicode_escape reads them back


def test_terminal_escapes_in_a_dockerfile_never_reach_the_text_output() -> None:
    text = "FROM python:3.12\nCOPY . .\nRUN pip install flask # \x1b]0;owned\x07 \x1b[2J\n"
    report = grade(text)
    shown = str(report)
    assert "\x1b" not in shown and "\x07" not in shown
    assert "\\x1b" in shown


_RAW_CONTROLS = ("\x1b", "\x07", "\x9b", "\u202e", "\u2028")
_HOSTILE_LINE = "RUN pip install flask # \x1b]0;owned\x07 \x1b[2J \u202e \x9b x\n"


def _assert_harmless(shown: str) -> None:
    assert not any(char in shown for char in _RAW_CONTROLS), repr(shown)
    assert "\\x1b" in shown and "\\u202e" in shown


def test_terminal_escapes_never_reach_explain_diff_fix_or_annotations(tmp_path, capsys) -> None:
    """Issue 13: the explain table, --diff, --fix's summary and --format github printed the
    Dockerfile's escapes raw; they go through the same escaping as grade's text."""
    from checker.cli import main

    path = tmp_path / "Dockerfile"
    path.write_text("FROM python:3.12\nCOPY . .\n" + _HOSTILE_LINE)
    assert main(["explain", str(path), "--changed", "app.py"]) == 0
    _assert_harmless(capsys.readouterr().out)
    assert main(["grade", str(path), "--diff"]) == 1
    _assert_harmless(capsys.readouterr().out)
    assert main(["grade", str(path), "--format", "github"]) == 1
    annotations = capsys.readouterr().out
    _assert_harmless(annotations)
    lines = annotations.splitlines()
    assert lines and all(line.startswith(("::error ", "::warning ", "::notice ")) for line in lines)
    assert len(lines) == len(grade(path).findings)  # one line per annotation, no more
    assert main(["grade", str(path), "--fix"]) == 0
    _assert_harmless(capsys.readouterr().out)


def test_line_separators_are_escaped_too() -> None:
    from checker.grading.safe_text import escape_control

    assert escape_control("a\u2028b\u2029c\rd\r\n") == "a\\u2028b\\u2029c\\x0dd\r\n"


def test_error_messages_show_file_names_escaped(tmp_path, capsys) -> None:
    from checker.cli import main

    assert main(["grade", str(tmp_path / "no\x1b[2Jpe")]) == 2
    error = capsys.readouterr().err
    assert "\x1b" not in error and "no\\x1b[2Jpe: no such file" in error


def test_a_fifo_named_as_the_dockerfile_is_said_to_be_one(tmp_path, capsys) -> None:
    import os

    from checker.cli import main

    os.mkfifo(tmp_path / "Dockerfile")
    assert main(["grade", str(tmp_path / "Dockerfile")]) == 2
    error = capsys.readouterr().err
    assert "a FIFO, not a regular file" in error and "no such file" not in error


def test_grading_a_folder_grades_around_a_broken_link_and_a_fifo(tmp_path, capsys) -> None:
    """Issue 13: one dangling-link or FIFO ``Dockerfile.*`` made ``grade DIR`` stop with no
    output. The others are graded and printed; each unreadable one is reported with its
    reason, and the exit code is 2 as for any unreadable input (README)."""
    import os

    from checker.cli import main

    (tmp_path / "Dockerfile").write_text("FROM python:3.12\nRUN pip install flask\n")
    (tmp_path / "Dockerfile.dangling").symlink_to("missing")
    os.mkfifo(tmp_path / "Dockerfile.fifo")
    assert main(["grade", str(tmp_path)]) == 2
    captured = capsys.readouterr()
    assert f"{tmp_path / 'Dockerfile'}: PASSED" in captured.out
    assert "Dockerfile.dangling is a broken link to missing" in captured.err
    assert "Dockerfile.fifo is a FIFO, not a regular file" in captured.err


# --------------------------------------------------------------------------------------
# Generated shapes


_soup = st.lists(
    st.sampled_from(["a", "b", "/", "*", "**", "**/", "?", "[ab]", "[^a]", ".", "a*", "x"]),
    min_size=1,
    max_size=8,
).map("".join)


@settings(max_examples=400, deadline=None)
@given(_soup, st.lists(st.sampled_from(["a", "b", "/", ".", "x", "\n"]), max_size=12).map("".join))
def test_the_nfa_and_the_regex_agree_on_any_pattern(pattern: str, path: str) -> None:
    """The two engines behind a pattern (a C regex for few loops, the NFA for many) give
    the same answer on every pattern both can run."""
    from checker.cache.dockerignore import DockerignoreError, _Nfa, _regex_piece, _scan

    try:
        kind, tokens = _scan(pattern, 1)
    except DockerignoreError:
        return
    if kind != "regex":
        return
    regex = re.compile("".join(_regex_piece(token) for token in tokens))
    assert _Nfa(tokens).fullmatch(path) == (regex.fullmatch(path) is not None)


_assignments = st.lists(
    st.tuples(
        st.sampled_from(["ENV", "ARG"]),
        st.sampled_from(["A", "B"]),
        st.lists(st.sampled_from(["$A", "$B", "${A}", "x", "${B:-$A}", "${A%%x*}"]), max_size=6),
    ),
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(_assignments)
def test_any_doubling_of_variables_stays_within_the_bound(lines) -> None:
    text = "FROM a\nENV A=a B=b\n" + "".join(
        f"{keyword} {name}={''.join(parts) or 'v'}\n" for keyword, name, parts in lines
    )
    text += "WORKDIR $A$B\nCOPY ${A##*a} ${B%b*} /x/\n"
    dockerfile = parse(text)
    for instruction in dockerfile.instructions[-2:]:
        assert sum(map(len, instruction.resolved_arguments)) <= 3 * MAX_VALUE


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 300), st.sampled_from(["RUN pip install x", "WORKDIR /w", "ENV X=1"]))
def test_any_run_of_steps_after_a_broad_copy_grades(count: int, filler: str) -> None:
    text = "FROM python:3.12\nCOPY . .\n" + f"{filler}\nRUN pip install -r r.txt\n" * count
    report = grade(text)
    assert report.error is None
    if report.suggested_dockerfile is not None:
        assert grade(report.suggested_dockerfile).dependency_cache == "kept"


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(
                ["base.txt", "dev.txt", "requirements.txt", "sub/x.txt", "pyproject.toml"]
            ),
            st.sampled_from(["../outside/secret.txt", "/etc/hostname", "base.txt", "sub", "x"]),
        ),
        max_size=5,
    )
)
def test_a_farm_of_links_never_shows_what_is_outside(tmp_path_factory, links) -> None:
    """Links of every kind in the context (out of it, absolute, loops, into folders):
    the secret outside never reaches any output."""
    import os

    base = tmp_path_factory.mktemp("farm")
    (base / "outside").mkdir()
    (base / "outside" / "secret.txt").write_text("-r SECRET-nested.txt\nSECRET-package\n")
    root = base / "ctx"
    (root / "sub").mkdir(parents=True)
    (root / "Dockerfile").write_text(
        "FROM python:3.12\nCOPY requirements.txt pyproject.toml ./\n"
        "RUN pip install -r requirements.txt\nRUN pip install .\nCOPY . .\n"
    )
    (root / "requirements.txt").write_text("-r base.txt\n-r dev.txt\n-r sub/x.txt\n")
    for name, target in links:
        path = root / name
        if os.path.lexists(path):
            continue
        path.symlink_to(target)
    report = grade(root / "Dockerfile", root)
    assert "SECRET" not in _everything(report)


def test_a_run_too_long_to_read_is_reported_not_read() -> None:
    from checker.shell.installs import MAX_RUN_TEXT

    text = "FROM python:3.12\nCOPY . .\nRUN pip install " + "pkg " * (MAX_RUN_TEXT // 4) + "\n"
    report = grade(text)
    assert report.error is None
    limits = [finding for finding in report.findings if finding.rule == "LC008"]
    assert limits and limits[0].line == 3 and "longer than" in limits[0].message


def test_too_many_instructions_are_refused_where_they_pass_the_cap() -> None:
    from checker.dockerfile.parser import MAX_INSTRUCTIONS

    report = grade("FROM python:3.12\n" + "RUN pip install x\n" * 50_000)
    assert report.error is not None and report.error_line == MAX_INSTRUCTIONS + 1
    assert f"more than {MAX_INSTRUCTIONS} instructions" in report.error
