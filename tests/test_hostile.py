"""Hostile submissions (issue 13): bounded work, nothing read outside the context, every
submission a row, output that cannot run as a formula or a terminal escape.

Property tests (hypothesis) generate the shapes (doubling variables, trim patterns, long
moves, pattern soups, link farms, odd names); the issue's reproducers are regression tests.
Time and memory figures are printed by benchmarks/bench_hostile.py, not asserted here.
"""

from __future__ import annotations

from fnmatch import fnmatchcase

from hypothesis import given, settings
from hypothesis import strategies as st

from checker.dockerfile import parse
from checker.dockerfile.variables import MAX_VALUE, _trim, expand
from checker.grading import grade

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
