"""Suggested fixes must build: what a moved RUN executes is copied first, what needs the
source stays below the copy, and the pyproject.toml one-liner runs on any Python 3.

The grading cases (tests/grading_cases) hold the Dockerfiles; these tests check the fix
snippets the rules show and the pieces that cannot be seen in a re-grade.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from test_grading_cases import CASES, context_of

from checker.grading.grade import grade
from checker.rules.reinstall_fixes import pyproject_dependencies_command


def fixes_of(stem: str) -> dict[str, str]:
    path = CASES / f"{stem}.Dockerfile"
    report = grade(path, context=context_of(path))
    return {finding.rule: finding.fix for finding in report.findings}


def test_lc002_and_lc003_snippets_copy_the_install_script_by_name() -> None:
    fixes = fixes_of("sh_install_script_at_root_after_copy_all")
    for rule in ("LC002", "LC003"):
        lines = fixes[rule].splitlines()
        assert lines[0] == "COPY requirements.txt install.sh ./", (rule, lines)
        assert lines[1:] == ["RUN sh install.sh", "COPY . ."], (rule, lines)


def test_a_command_that_needs_the_source_stays_below_the_copy() -> None:
    lines = fixes_of("install_then_import_check_after_copy_all")["LC002"].splitlines()
    assert lines == [
        "COPY requirements.txt ./",
        "RUN pip install --no-cache-dir -r requirements.txt",
        "COPY . .",
        'RUN python -c "import greeter; greeter.hello()"',
    ]


def test_a_stage_folder_bind_is_narrowed_to_the_manifest() -> None:
    fix = fixes_of("bind_source_dir_from_stage")["LC002"]
    assert "from=source,source=/src/requirements.txt,target=/src/requirements.txt" in fix
    assert "source=/src,target=/src " not in fix


def test_a_script_the_context_has_but_no_copy_brings_is_a_missing_file(tmp_path: Path) -> None:
    (tmp_path / "install.sh").write_text("pip install -r requirements.txt\n")
    (tmp_path / "requirements.txt").write_text("idna\n")
    text = "FROM python:3.11-slim\nWORKDIR /app\nCOPY requirements.txt ./\nRUN sh install.sh\n"
    found = [f for f in grade(text, context=tmp_path).findings if f.rule == "LC011"]
    assert [f.line for f in found] == [4]
    assert found[0].fix.splitlines()[0] == "COPY install.sh ./"
    copied = text.replace("COPY requirements.txt ./", "COPY requirements.txt install.sh ./")
    assert not [f for f in grade(copied, context=tmp_path).findings if f.rule == "LC011"]


def _dependencies_listed(tmp_path: Path, preamble: str) -> list[str]:
    """Run the fix's ``python -c`` one-liner (up to its ``>``) in ``tmp_path``."""
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "demo"\nversion = "1"\ndependencies = ["idna", "tabulate>=0.9"]\n'
        '[project.optional-dependencies]\ndev = ["six"]\n'
    )
    command = pyproject_dependencies_command(extras=("dev",))
    script = command.split('python -c "', 1)[1].split('" > /tmp/requirements.txt', 1)[0]
    # In double quotes the shell hands `\n` on as written: the script is taken as it is.
    result = subprocess.run(
        [sys.executable, "-c", preamble + script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.split()


def test_the_pyproject_one_liner_lists_dependencies_and_extras(tmp_path: Path) -> None:
    assert _dependencies_listed(tmp_path, "") == ["idna", "tabulate>=0.9", "six"]


def test_the_pyproject_one_liner_works_without_tomllib(tmp_path: Path) -> None:
    # As on Python 3.9 or 3.10: no tomllib, so pip's vendored TOML reader is used.
    hide = (
        "import importlib.util as _u; _find = _u.find_spec; "
        "_u.find_spec = lambda name, *a: None if name == 'tomllib' else _find(name, *a)\n"
    )
    assert _dependencies_listed(tmp_path, hide) == ["idna", "tabulate>=0.9", "six"]


def test_a_moved_install_gets_the_requirement_files_no_copy_brings_yet() -> None:
    path = CASES / "no_deps_plugins_with_project_after_source.Dockerfile"
    lines = (grade(path).suggested_dockerfile or "").splitlines()
    copy = lines.index("COPY requirements-plugins.txt ./")
    install = next(i for i, line in enumerate(lines) if "-r requirements-plugins.txt" in line)
    assert copy < install < lines.index("COPY . .")
    assert lines[-1] == "RUN pip install --no-cache-dir --no-deps -e ."
