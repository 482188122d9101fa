"""Every Dockerfile in tests/grading_cases/ grades as its first line says."""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.grading import grade

CASES = Path(__file__).parent / "grading_cases"
REINSTALL_RULES = {"LC001", "LC002", "LC003", "LC005"}


def _expectation(path: Path) -> tuple[str, set[str]]:
    header = path.read_text(encoding="utf-8").splitlines()[0]
    fields = dict(item.split("=", 1) for item in header.removeprefix("# expect:").split())
    rules = {rule for rule in fields.get("rules", "").split(",") if rule}
    return fields["dependency_cache"], rules


@pytest.mark.parametrize("path", sorted(CASES.glob("*.Dockerfile")), ids=lambda path: path.stem)
def test_grading_case_gets_the_expected_verdict_and_rules(path: Path) -> None:
    verdict, rules = _expectation(path)
    report = grade(path)
    found = {finding.rule for finding in report.findings}
    assert report.error is None
    assert report.dependency_cache == verdict
    assert rules <= found, f"missing {rules - found}; got {sorted(found)}"
    if not rules & REINSTALL_RULES:
        assert not found & REINSTALL_RULES, f"unexpected {sorted(found & REINSTALL_RULES)}"


@pytest.mark.parametrize("path", sorted(CASES.glob("*.Dockerfile")), ids=lambda path: path.stem)
def test_a_suggested_dockerfile_always_keeps_the_install(path: Path) -> None:
    report = grade(path)
    if report.suggested_dockerfile is not None:
        again = grade(report.suggested_dockerfile)
        assert again.error is None
        assert again.dependency_cache == "kept"


def test_correct_answers_pass_and_wrong_ones_fail() -> None:
    for path in sorted(CASES.glob("*.Dockerfile")):
        verdict, rules = _expectation(path)
        report = grade(path)
        should_pass = verdict in ("kept", "no-install") and not rules & REINSTALL_RULES
        assert report.passed is should_pass, path.name
