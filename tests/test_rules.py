"""Each rule: its metadata, its documented examples, and the edge cases it must respect."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from checker.dockerfile import parse
from checker.grading.grade import grade
from checker.rules import RULES, RULES_BY_ID
from checker.rules.analysis import THROUGH_STAGE, Analysis
from checker.rules.edits import render
from checker.rules.unset_args import assume_unset_args
from checker.shell.installs import installs_in
from checker.shell.manifests import is_manifest

_BLOCK = re.compile(
    r"\*\*(Anti-pattern|Best practice)\*\*\s*\n\s*\.\. code-block:: (\w+)\s*\n((?:\n|\s{8}.*\n)+)"
)


def _examples(rule) -> dict[str, str]:
    blocks = {}
    for kind, language, body in _BLOCK.findall(rule.__doc__):
        if language == "dockerfile":
            lines = [line[8:] if line.startswith(" " * 8) else line for line in body.splitlines()]
            blocks[kind] = "\n".join(lines).strip() + "\n"
    return blocks


def test_rules_have_unique_ids_names_and_valid_severities() -> None:
    assert len({rule.id for rule in RULES}) == len(RULES)
    assert len({rule.name for rule in RULES}) == len(RULES)
    for rule in RULES:
        assert re.fullmatch(r"LC\d{3}", rule.id)
        assert rule.severity in ("error", "warning", "info")
        assert "**Anti-pattern**" in rule.__doc__ and "**Best practice**" in rule.__doc__


@pytest.mark.parametrize(
    # LC004 and LC011 look at the build context, which these examples do not have.
    "rule",
    [rule for rule in RULES if rule.id not in ("LC004", "LC011")],
    ids=lambda rule: rule.id,
)
def test_documented_anti_pattern_fires_and_best_practice_does_not(rule) -> None:
    examples = _examples(rule)
    bad = grade("FROM python:3.12-slim\nWORKDIR /app\n" + examples["Anti-pattern"])
    good = grade("FROM python:3.12-slim\nWORKDIR /app\n" + examples["Best practice"])
    assert bad.error is None and good.error is None
    assert rule.id in {finding.rule for finding in bad.findings}
    assert rule.id not in {finding.rule for finding in good.findings}


def test_findings_carry_line_span_message_and_fix() -> None:
    report = grade("FROM python:3.12\nCOPY . .\nRUN pip install \\\n    -r requirements.txt\n")
    lc002 = next(finding for finding in report.findings if finding.rule == "LC002")
    assert (lc002.line, lc002.end_line) == (3, 4)
    assert "reinstall" in lc002.message
    assert lc002.fix.startswith("COPY requirements.txt ./")


def test_lc004_only_with_a_context_and_a_whole_context_copy(tmp_path: Path) -> None:
    text = (
        "FROM python:3.12\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\n"
    )
    assert "LC004" not in {finding.rule for finding in grade(text).findings}
    (tmp_path / "requirements.txt").write_text("flask\n")
    found = grade(text, tmp_path).findings
    lc004 = [finding for finding in found if finding.rule == "LC004"]
    assert [finding.line for finding in lc004] == [4]
    assert ".git" in lc004[0].fix
    narrow = "FROM python:3.12\nCOPY app.py .\n"
    assert "LC004" not in {finding.rule for finding in grade(narrow, tmp_path).findings}


def test_lc006_ignores_stable_names_and_args_after_the_install() -> None:
    stable = (
        "FROM python:3.12\nARG PYTHON_VERSION\nCOPY requirements.txt .\n"
        "RUN pip install --no-cache-dir -r requirements.txt\n"
    )
    after = (
        "FROM python:3.12\nCOPY requirements.txt .\n"
        "RUN pip install --no-cache-dir -r requirements.txt\nARG BUILD_DATE\nCOPY . .\n"
    )
    assert not grade(stable).findings
    assert not grade(after).findings


def test_lc006_global_arg_not_redeclared_is_out_of_scope() -> None:
    text = (
        "ARG GIT_COMMIT\nFROM python:3.12\nCOPY requirements.txt .\n"
        "RUN pip install --no-cache-dir -r requirements.txt\n"
    )
    assert "LC006" not in {finding.rule for finding in grade(text).findings}


def test_lc006_env_with_a_volatile_name_before_the_install() -> None:
    text = (
        "FROM python:3.12\nENV APP_VERSION=1.4.2\nCOPY requirements.txt .\n"
        "RUN pip install --no-cache-dir -r requirements.txt\n"
    )
    finding = next(item for item in grade(text).findings if item.rule == "LC006")
    assert finding.line == 2


def test_lc007_accepts_no_cache_dir_env_and_cache_mounts() -> None:
    for text in (
        "FROM python:3.12\nRUN pip install --no-cache-dir flask\n",
        "FROM python:3.12\nENV PIP_NO_CACHE_DIR=1\nRUN pip install flask\n",
        "FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/pip pip install flask\n",
    ):
        assert "LC007" not in {finding.rule for finding in grade(text).findings}, text
    leaky = grade("FROM python:3.12\nRUN python -m pip install flask\n")
    assert "LC007" in {finding.rule for finding in leaky.findings}


def test_install_recognition_covers_the_usual_tools() -> None:
    text = (
        "FROM python\n"
        "RUN pip3 install -r requirements.txt\n"
        "RUN python -m pip install --no-cache-dir .\n"
        "RUN uv pip install --system -r requirements.txt\n"
        "RUN poetry install --no-root\n"
        "RUN pipenv install --deploy --system\n"
        "RUN apt-get update && apt-get install -y gcc\n"
    )
    model = parse(text)
    found = [installs_in(model, item) for item in model.stages[0].instructions]
    assert [bool(item) for item in found] == [True, True, True, True, True, False]
    assert found[1][0].installs_project
    assert not found[3][0].installs_project


def test_manifest_names() -> None:
    for name in (
        "requirements.txt",
        "requirements-dev.txt",
        "requirements/base.txt",
        "pyproject.toml",
        "poetry.lock",
        "uv.lock",
        "Pipfile.lock",
        "setup.cfg",
    ):
        assert is_manifest(name), name
    for name in ("app.py", "README.md", "src/requirements_parser.py"):
        assert not is_manifest(name), name


def test_registry_by_id() -> None:
    assert RULES_BY_ID["LC001"].name == "source-before-install"


def test_lc006_suggestion_moves_the_arg_below_the_install() -> None:
    text = (
        "FROM python:3.12\nARG GIT_SHA\nCOPY requirements.txt .\n"
        "RUN pip install --no-cache-dir -r requirements.txt\nCOPY . .\nLABEL rev=$GIT_SHA\n"
    )
    report = grade(text)
    assert report.suggested_dockerfile == (
        "FROM python:3.12\nCOPY requirements.txt .\n"
        "RUN pip install --no-cache-dir -r requirements.txt\nARG GIT_SHA\nCOPY . .\n"
        "LABEL rev=$GIT_SHA\n"
    )
    assert "LC006" not in {finding.rule for finding in grade(report.suggested_dockerfile).findings}


def test_lc006_no_move_when_the_install_uses_the_value() -> None:
    text = (
        "FROM python:3.12\nARG APP_VERSION\n"
        "RUN pip install --no-cache-dir myapp==$APP_VERSION\nCMD myapp\n"
    )
    report = grade(text)
    assert "LC006" in {finding.rule for finding in report.findings}
    assert report.suggested_dockerfile is None


def test_rule_docs_are_generated_from_the_docstrings() -> None:
    from checker.rules.docs import rule_docs

    docs = rule_docs()
    for rule in RULES:
        assert f"## {rule.id} {rule.name} ({rule.severity})" in docs
    opened = docs.count("```dockerfile\n") + docs.count("```text\n")
    assert opened == docs.count("```\n") == 2 * len(RULES)  # every fence is closed


def test_the_install_recogniser_reads_commands_not_text() -> None:
    """One recogniser (checker.shell) for every rule: commands parsed, echoes ignored."""

    def recognised(run: str) -> tuple:
        model = parse(f"FROM python\nRUN {run}\n")
        return installs_in(model, model.stages[0].instructions[0])

    found = recognised(
        "apt-get install -y python3-pip && PIP_NO_CACHE_DIR=1 pip install -r req.txt; "
        "echo 'pip install fake' && sudo python3 -m pip install --no-deps -e ./lib && "
        "uv sync --locked --no-install-project && poetry install --only-root && "
        "pip wheel -r req.txt -w /wheels"
    )
    assert [item.tool for item in found] == ["pip", "pip", "uv", "poetry", "pip"]
    assert found[0].reads == ("req.txt",) and not found[0].cache_in_layer
    assert found[1].installs_project and found[1].editable and found[1].no_deps
    assert not found[2].installs_project
    assert found[3].installs_project and found[3].no_deps
    assert recognised("pip install 'unterminated") == recognised("pip install 'unterminated")
    assert recognised("pip --version && pip list") == ()


def test_docs_rules_md_is_the_generated_reference() -> None:
    """docs/rules.md is what learners read; it must match the rules' docstrings.

    Regenerate with: python -c "from checker.rules.docs import rule_docs; \
open('docs/rules.md', 'w').write(rule_docs())"
    """
    from pathlib import Path

    from checker.rules.docs import rule_docs

    page = Path(__file__).resolve().parents[1] / "docs" / "rules.md"
    assert page.read_text() == rule_docs()


def test_an_install_hidden_in_an_unread_script_is_judged_by_position_and_says_so() -> None:
    report = grade("FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nRUN ./install_deps.sh\n")
    assert report.dependency_cache == "reinstalled"
    (hidden,) = [finding for finding in report.findings if finding.rule == "LC009"]
    assert hidden.line == 4 and "could not read" in hidden.message and "Assumed" in hidden.message
    assert report.suggested_dockerfile is None  # what the script reads is unknown


def test_an_install_hidden_in_a_read_script_names_what_it_runs(tmp_path) -> None:
    (tmp_path / "install.sh").write_text("#!/bin/sh\nset -e\npip install -r requirements.txt\n")
    (tmp_path / "requirements.txt").write_text("six\n")
    (tmp_path / "app.py").write_text("print(1)\n")
    text = (
        "FROM python:3.12-slim\nWORKDIR /app\nCOPY install.sh requirements.txt ./\n"
        "RUN ./install.sh\nCOPY . .\n"
    )
    report = grade(text, context=tmp_path)
    assert report.dependency_cache == "kept"
    (hidden,) = [finding for finding in report.findings if finding.rule == "LC009"]
    assert "pip install -r requirements.txt" in hidden.message


def test_a_dependency_stage_the_final_image_never_gets_is_reported() -> None:
    text = (
        "FROM python:3.12-slim AS deps\nCOPY requirements.txt .\n"
        "RUN pip install --prefix=/install -r requirements.txt\n"
        "FROM python:3.12-slim\nCOPY . /app\n"
    )
    rules = {finding.rule: finding for finding in grade(text).findings}
    assert rules["LC010"].line == 3 and "deps" in rules["LC010"].message
    used = text.replace("COPY . /app", "COPY --from=deps /install /usr/local\nCOPY . /app")
    assert "LC010" not in {finding.rule for finding in grade(used).findings}


def test_a_requirements_file_missing_from_the_context_fails_the_grade(tmp_path) -> None:
    (tmp_path / "requirements.txt").write_text("six\n")
    (tmp_path / "app.py").write_text("print(1)\n")
    text = (
        "FROM python:3.12-slim\nCOPY requirements/base.txt .\n"
        "RUN pip install -r requirements/dev.txt\nCOPY . .\n"
    )
    report = grade(text, context=tmp_path)
    missing = [finding for finding in report.findings if finding.rule == "LC011"]
    assert [finding.line for finding in missing] == [2, 3]
    assert not report.passed
    good = "FROM python:3.12-slim\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n"
    assert "LC011" not in {finding.rule for finding in grade(good, context=tmp_path).findings}


def test_a_project_install_with_no_project_metadata_in_the_image_fails() -> None:
    text = (
        "FROM python:3.12-slim\nWORKDIR /app\nCOPY app.py requirements.txt ./\nRUN pip install .\n"
    )
    (missing,) = [finding for finding in grade(text).findings if finding.rule == "LC011"]
    assert missing.line == 4 and "pyproject.toml" in missing.message
    fine = text.replace("COPY app.py requirements.txt ./", "COPY pyproject.toml app.py ./")
    assert "LC011" not in {finding.rule for finding in grade(fine).findings}
    broad = text.replace("COPY app.py requirements.txt ./", "COPY . .")
    assert "LC011" not in {finding.rule for finding in grade(broad).findings}


def test_a_requirements_file_in_the_context_but_not_in_the_image_fails(tmp_path) -> None:
    (tmp_path / "requirements.txt").write_text("six\n")
    before = "FROM python:3.12-slim\nWORKDIR /app\nRUN pip install -r requirements.txt\nCOPY . .\n"
    elsewhere = (
        "FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt /tmp/\n"
        "RUN pip install -r requirements.txt\n"
    )
    for text, line in ((before, 3), (elsewhere, 4)):
        for context in (tmp_path, None):
            missing = [f for f in grade(text, context=context).findings if f.rule == "LC011"]
            assert [finding.line for finding in missing] == [line]
            assert "/app/requirements.txt" in missing[0].message
    bound = (
        "FROM python:3.12-slim\nWORKDIR /app\n"
        "RUN --mount=type=bind,source=requirements.txt,target=requirements.txt "
        "pip install -r requirements.txt\n"
    )
    assert "LC011" not in {finding.rule for finding in grade(bound, context=tmp_path).findings}


def test_an_empty_folder_of_the_context_is_no_missing_file(tmp_path) -> None:
    (tmp_path / "wheels").mkdir()
    (tmp_path / "requirements.txt").write_text("six\n")
    text = (
        "FROM python:3.12-slim\nCOPY wheels/ /wheels/\nCOPY requirements.txt .\n"
        "RUN pip install --find-links /wheels -r requirements.txt\n"
    )
    assert "LC011" not in {finding.rule for finding in grade(text, context=tmp_path).findings}


def test_a_requirements_file_copied_from_a_stage_is_not_missing_from_the_context(
    tmp_path,
) -> None:
    # uv_export_stage_then_pip_no_deps, proved on BuildKit: pip reads the exported file
    (tmp_path / "uv.lock").write_text("version = 1\n")
    (tmp_path / "app.py").write_text("print(1)\n")
    text = (
        "FROM python:3.11-slim AS build\nWORKDIR /app\nCOPY uv.lock .\n"
        "RUN uv export --frozen > /app/requirements.txt\n"
        "FROM python:3.11-slim\nWORKDIR /app\nCOPY --from=build /app/requirements.txt .\n"
        "RUN pip install --no-deps -r requirements.txt\nCOPY . .\n"
    )
    assert "LC011" not in {finding.rule for finding in grade(text, context=tmp_path).findings}


def test_lc009_says_what_a_python_install_script_calls_not_the_script_again() -> None:
    stem = "hidden_install_python_tool_before_source"
    path = Path(__file__).parent / "grading_cases" / f"{stem}.Dockerfile"
    report = grade(path, context=path.parent / "contexts" / stem)
    (lc009,) = [finding for finding in report.findings if finding.rule == "LC009"]
    assert "runs: python tools/pip_install.py" not in lc009.message
    assert "`pip install`" in lc009.message and "requirements.txt" in lc009.message


def test_lc005_with_a_cache_mount_says_the_downloads_are_spared() -> None:
    path = Path(__file__).parent / "grading_cases" / "uv_sync_after_copy.Dockerfile"
    report = grade(path)
    assert report.dependency_cache == "reinstalled-with-cache"
    (lc005,) = [finding for finding in report.findings if finding.rule == "LC005"]
    assert "cache mount spares the downloads" in lc005.message


def test_lc012_names_the_build_input_and_the_install_it_reruns() -> None:
    text = (
        "FROM python:3.12-slim\nWORKDIR /app\nCOPY gen_version.py .\n"
        "RUN python gen_version.py\nCOPY requirements.txt .\n"
        "RUN pip install -r requirements.txt\nCOPY . .\n"
    )
    report = grade(text)
    assert report.dependency_cache == "kept"
    (lc012,) = [finding for finding in report.findings if finding.rule == "LC012"]
    assert lc012.line == 3 and lc012.severity == "info"
    assert "line 4 runs" in lc012.message and "line 6" in lc012.message
    collectstatic = text.replace("COPY gen_version.py .\nRUN python gen_version.py\n", "")
    collectstatic += "RUN python manage.py collectstatic --noinput\n"
    assert "LC012" not in {finding.rule for finding in grade(collectstatic).findings}


def test_rule_modules_are_named_by_their_id() -> None:
    for rule in RULES:
        module = type(rule).__module__.rsplit(".", 1)[-1]
        assert module.startswith(f"{rule.id.lower()}_"), module  # ls checker/rules/: the index


def test_each_reinstalling_step_has_one_cause_and_one_rule_reports_it() -> None:
    """A RUN that binds both a stage's copy of the source and a folder of the context: the
    install after it reruns through the stage (LC002), reported once, not also as LC001."""
    text = (
        "FROM python:3.12 AS src\nCOPY . /src\nFROM python:3.12\nWORKDIR /app\n"
        "RUN --mount=type=bind,from=src,source=/src,target=/x "
        "--mount=type=bind,source=lib,target=/lib cp /x/requirements.txt .\n"
        "RUN pip install -r requirements.txt\n"
    )
    dockerfile = parse(text)
    analysis = _analysis(dockerfile, text)
    assert [item.cause for item in analysis.reinstalls] == [THROUGH_STAGE]
    rules = [finding.rule for finding in grade(text).findings if finding.rule in ("LC001", "LC002")]
    assert rules == ["LC002"]


def test_the_suggestion_is_rendered_from_the_edits_the_findings_carry() -> None:
    text = (
        "FROM python:3.12-slim\nARG GIT_SHA\nWORKDIR /app\nCOPY . .\n"
        "RUN pip install -r requirements.txt\nCMD python app.py\n"
    )
    analysis = _analysis(parse(text), text)
    findings = {finding.rule: finding for rule in RULES for finding in rule.check(analysis)}
    assert findings["LC002"].edits and findings["LC002"].edits == findings["LC003"].edits
    assert findings["LC006"].edits  # one plan for the step, shared; the ARG moved apart
    edits = [edit for finding in findings.values() for edit in finding.edits]
    unique = list({id(edit): edit for edit in edits}.values())
    suggested = grade(text).suggested_dockerfile
    assert suggested is not None and "ARG GIT_SHA" in suggested
    assert suggested == render(analysis.dockerfile, text, unique)


def _analysis(dockerfile, text: str) -> Analysis:
    """The analysis grading makes of ``text`` (unset build args assumed as grading does)."""
    dockerfile, notes = assume_unset_args(dockerfile, None)
    return Analysis(dockerfile, text, None, notes=notes)
