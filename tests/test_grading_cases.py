"""Every Dockerfile in tests/grading_cases/ grades as its first line says.

A fixture with a folder of the same stem under ``grading_cases/contexts/`` is graded with that
folder as its build context (its verdict depends on the files: a script the ``RUN`` executes,
a Makefile target, a package's modules); the others are graded without a context.

The expectations are what BuildKit does (the hard ones are proved by builds in
``test_grading_cases_built.py``), never what the checker happens to answer.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.grading.grade import grade
from checker.grading.report import verdict_finding

CASES = Path(__file__).parent / "grading_cases"
CONTEXTS = CASES / "contexts"
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


CASE_FILES = sorted(CASES.glob("*.Dockerfile"))


def test_every_context_folder_belongs_to_a_fixture() -> None:
    stems = {path.stem for path in CASES.glob("*.Dockerfile")}
    folders = {folder.name for folder in CONTEXTS.iterdir() if folder.is_dir()}
    assert folders <= stems, sorted(folders - stems)


@pytest.mark.parametrize("path", CASE_FILES, ids=lambda path: path.stem)
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


@pytest.mark.parametrize("path", CASE_FILES, ids=lambda path: path.stem)
def test_a_suggested_fix_regraded_in_its_context_keeps_the_install_and_finds_every_file(
    path: Path,
) -> None:
    """The suggestion is graded again with the fixture's own context: the install stays
    cached (or reruns only with a download cache), and no step misses a file (LC011: a
    script the moved RUN executes, a manifest, the project metadata)."""
    context = context_of(path)
    report = grade(path, context=context)
    if report.dependency_cache != "reinstalled" or report.suggested_dockerfile is None:
        return
    again = grade(report.suggested_dockerfile, context=context)
    assert again.error is None, again.error
    assert again.dependency_cache in ("kept", "reinstalled-with-cache"), again.dependency_cache
    missing = [f"line {f.line}: {f.message}" for f in again.findings if f.rule == "LC011"]
    assert not missing, missing


@pytest.mark.parametrize("path", CASE_FILES, ids=lambda path: path.stem)
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
    # What text and the CI formats show: the findings, and the failing verdict's own entry
    # where the rules that explain it are ignored (``# checker ignore=``).
    shown = [item for item in (verdict_finding(report), *report.findings) if item is not None]
    if not report.passed:
        assert any(
            finding.severity in ("error", "warning") and finding.line >= 1 for finding in shown
        ), [finding.rule for finding in shown]
