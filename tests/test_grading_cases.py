"""Every Dockerfile in tests/grading_cases/ grades as its first line says.

A fixture with a folder of the same stem under ``grading_cases/contexts/`` is graded with that
folder as its build context (its verdict depends on the files: a script the ``RUN`` executes,
a Makefile target, a package's modules); the others are graded without a context.

``grading_cases/KNOWN_WRONG.txt`` lists the fixtures the checker gets wrong today, one a line:
``STEM CHECKS: what the checker answers -> what BuildKit does``, where CHECKS says which test
fails (``verdict``: the verdict or rules; ``pass``: passed/failed). Those tests are
``xfail(strict=True)``: CI stays green, and each one fails loudly ("XPASS(strict)") the moment
the checker is fixed, so its line can be deleted. The list is temporary; the expectations
themselves are never weakened.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.grading import grade

CASES = Path(__file__).parent / "grading_cases"
CONTEXTS = CASES / "contexts"
KNOWN_WRONG_FILE = CASES / "KNOWN_WRONG.txt"
REINSTALL_RULES = {"LC001", "LC002", "LC003", "LC005"}


def expectation(path: Path) -> tuple[str, set[str]]:
    """(verdict, rule ids) from a fixture's ``# expect:`` first line."""
    header = path.read_text(encoding="utf-8").splitlines()[0]
    fields = dict(item.split("=", 1) for item in header.removeprefix("# expect:").split())
    rules = {rule for rule in fields.get("rules", "").split(",") if rule}
    return fields["dependency_cache"], rules


def context_of(path: Path) -> Path | None:
    """The fixture's own build context, where it has one."""
    folder = CONTEXTS / path.stem
    return folder if folder.is_dir() else None


def known_wrong() -> dict[str, tuple[set[str], str]]:
    """Stem -> (the checks that fail today, what is wrong), from KNOWN_WRONG.txt."""
    if not KNOWN_WRONG_FILE.is_file():
        return {}
    entries: dict[str, tuple[set[str], str]] = {}
    for number, line in enumerate(KNOWN_WRONG_FILE.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        head, sep, why = line.partition(":")
        stem, _, checks = head.strip().partition(" ")
        names = {name.strip() for name in checks.split(",") if name.strip()}
        if not sep or not names or not names <= CHECKS:
            raise ValueError(
                f"KNOWN_WRONG.txt line {number}: write `STEM verdict,pass: why` "
                f"(checks are {sorted(CHECKS)}), not {line!r}"
            )
        entries[stem] = (names, why.strip())
    return entries


CHECKS = {"verdict", "pass"}


def _cases(check: str) -> list[object]:
    wrong = known_wrong()
    params = []
    for path in sorted(CASES.glob("*.Dockerfile")):
        marks = []
        checks, why = wrong.get(path.stem, (set(), ""))
        if check in checks:
            reason = f"known checker bug (KNOWN_WRONG.txt): {why}"
            marks.append(pytest.mark.xfail(strict=True, reason=reason))
        params.append(pytest.param(path, id=path.stem, marks=marks))
    return params


def test_every_known_wrong_entry_names_a_fixture() -> None:
    stems = {path.stem for path in CASES.glob("*.Dockerfile")}
    assert set(known_wrong()) <= stems, sorted(set(known_wrong()) - stems)


def test_every_context_folder_belongs_to_a_fixture() -> None:
    stems = {path.stem for path in CASES.glob("*.Dockerfile")}
    folders = {folder.name for folder in CONTEXTS.iterdir() if folder.is_dir()}
    assert folders <= stems, sorted(folders - stems)


@pytest.mark.parametrize("path", _cases("verdict"))
def test_grading_case_gets_the_expected_verdict_and_rules(path: Path) -> None:
    verdict, rules = expectation(path)
    report = grade(path, context=context_of(path))
    found = {finding.rule for finding in report.findings}
    assert report.error is None
    assert report.dependency_cache == verdict
    assert rules <= found, f"missing {rules - found}; got {sorted(found)}"
    if not rules & REINSTALL_RULES:
        assert not found & REINSTALL_RULES, f"unexpected {sorted(found & REINSTALL_RULES)}"


@pytest.mark.parametrize("path", sorted(CASES.glob("*.Dockerfile")), ids=lambda path: path.stem)
def test_a_suggested_dockerfile_always_keeps_the_install(path: Path) -> None:
    report = grade(path, context=context_of(path))
    if report.suggested_dockerfile is not None:
        again = grade(report.suggested_dockerfile)
        assert again.error is None
        assert again.dependency_cache == "kept"


@pytest.mark.parametrize("path", _cases("pass"))
def test_correct_answers_pass_and_wrong_ones_fail(path: Path) -> None:
    verdict, rules = expectation(path)
    report = grade(path, context=context_of(path))
    should_pass = verdict in ("kept", "no-install") and not rules & REINSTALL_RULES
    assert report.passed is should_pass, path.name


@pytest.mark.parametrize("path", sorted(CASES.glob("*.Dockerfile")), ids=lambda path: path.stem)
def test_every_new_case_says_why(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("# expect: dependency_cache=")
    if path.stem not in ORIGINAL_CASES:
        assert len(lines) > 1 and lines[1].startswith("# why: "), "add a `# why:` second line"


# The fixtures written before the `# why:` line was asked for.
ORIGINAL_CASES = frozenset(
    {
        "base_stage_reused",
        "bind_requirements",
        "bind_whole_context",
        "builder_copies_all_first",
        "copy_all_and_bind_all",
        "copy_all_then_install",
        "editable_after_deps",
        "editable_project_after_deps",
        "heredoc_install",
        "lesson_bad",
        "lesson_good",
        "no_install",
        "pdm_no_self",
        "pip_project_only",
        "pipenv_lockfile_first",
        "poetry_all_at_once",
        "poetry_no_root",
        "project_with_extra_requirements",
        "requirements_folder",
        "requirements_glob",
        "source_dir_before_install",
        "two_requirement_files",
        "unused_stage_bad",
        "uv_no_install_project",
        "uv_sync_after_copy",
        "venv_builder_stage",
        "volatile_arg",
        "wheels_builder_stage",
    }
)


@pytest.mark.parametrize("path", sorted(CASES.glob("*.Dockerfile")), ids=lambda path: path.stem)
def test_a_failing_grade_always_names_a_finding_with_its_line(path: Path) -> None:
    context = CASES / "contexts" / path.stem
    report = grade(path, context=context if context.is_dir() else None)
    if not report.passed:
        assert any(
            finding.severity in ("error", "warning") and finding.line >= 1
            for finding in report.findings
        ), [finding.rule for finding in report.findings]
