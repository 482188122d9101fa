"""Render reports for machines and people: text, JSON (Lines), CSV, SARIF 2.1.0, GitHub
Actions workflow commands and GitLab code-quality JSON.

Each function takes a list of reports and returns the whole output as one string, so the
CLI, the batch grader and tests share one implementation.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from checker.grading.report import VERDICT_RULE, Finding, Report, render_grade_text, verdict_finding
from checker.grading.row_output import rows_text
from checker.grading.safe_text import escape_control
from checker.rules import RULES

FORMATS = ("text", "json", "csv", "sarif", "github", "gitlab")
CSV_FIELDS = (
    "path",
    "passed",
    "score",
    "dependency_cache",
    "rule",
    "line",
    "end_line",
    "severity",
    "message",
    "fix",
    "error",
)
_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def render(reports: Sequence[Report], fmt: str) -> str:
    """Dispatch on ``fmt`` (one of :data:`FORMATS`)."""
    if fmt == "text":
        return to_text(reports)
    if fmt == "json":
        return to_json(reports)
    if fmt == "csv":
        return to_csv(reports)
    if fmt == "sarif":
        return to_sarif(reports)
    if fmt == "github":
        return to_github(reports)
    if fmt == "gitlab":
        return to_gitlab(reports)
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")


def to_text(reports: Sequence[Report]) -> str:
    return "\n\n".join(render_grade_text(report) for report in reports) + "\n"


def to_json(reports: Sequence[Report]) -> str:
    """One JSON object per Dockerfile, one per line (JSON Lines; a single report is one
    line of plain JSON)."""
    return rows_text("json", (report.as_dict() for report in reports))


def to_csv(reports: Sequence[Report]) -> str:
    """One row per finding; a Dockerfile without findings (or unreadable) gets one row."""
    return rows_text("csv", _csv_rows(reports), CSV_FIELDS)


def _csv_rows(reports: Sequence[Report]) -> Iterable[dict[str, object]]:
    for report in reports:
        base = {
            "path": report.path or "",
            "passed": report.passed,
            "score": report.score,
            "dependency_cache": report.dependency_cache or "",
            "error": report.error or "",
        }
        if not report.findings:
            yield base
        for finding in report.findings:
            yield {**base, **finding.as_dict()}


def _annotated(report: Report) -> tuple[Finding, ...]:
    """The findings a CI format shows: the report's, after the failing verdict's own entry
    when no finding is left to explain it (:func:`checker.grading.report.verdict_finding`), so a
    failing file always has an annotation."""
    verdict = verdict_finding(report)
    return (verdict, *report.findings) if verdict is not None else report.findings


def to_sarif(reports: Sequence[Report]) -> str:
    """A minimal valid SARIF 2.1.0 log: one run, the rule catalogue, one result a finding.

    Unreadable Dockerfiles become results of the pseudo-rule ``LC000``, a failing verdict
    whose findings were all ignored one of ``dependency-cache``."""
    rules = [
        {
            "id": rule.id,
            "name": rule.name,
            "shortDescription": {"text": (rule.__doc__ or rule.name).strip().splitlines()[0]},
            "defaultConfiguration": {"level": _SARIF_LEVEL[rule.severity]},
        }
        for rule in RULES
    ]
    rules.append(
        {
            "id": "LC000",
            "name": "unreadable-dockerfile",
            "shortDescription": {"text": "The Dockerfile cannot be read or parsed."},
            "defaultConfiguration": {"level": "error"},
        }
    )
    rules.append(
        {
            "id": VERDICT_RULE,
            "name": "failing-verdict",
            "shortDescription": {
                "text": "The install reruns on a code change; the rules that say why are ignored."
            },
            "defaultConfiguration": {"level": "error"},
        }
    )
    results = []
    for report in reports:
        uri = report.path or "Dockerfile"
        if report.error is not None:
            region = {"startLine": report.error_line or 1}
            results.append(_result("LC000", "error", report.error, uri, region))
        for finding in _annotated(report):
            region = {"startLine": finding.line, "endLine": finding.end_line}
            message = f"{finding.message}\nFix:\n{finding.fix}" if finding.fix else finding.message
            results.append(
                _result(
                    finding.rule,
                    _SARIF_LEVEL.get(finding.severity, "warning"),
                    message,
                    uri,
                    region,
                )
            )
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "checker",
                        "rules": rules,
                    }
                },
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2) + "\n"


def _result(rule: str, level: str, message: str, uri: str, region: dict[str, int]) -> dict:
    return {
        "ruleId": rule,
        "level": level,
        "message": {"text": message},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri}, "region": region}}],
    }


_GITHUB_COMMAND = {"error": "error", "warning": "warning", "info": "notice"}
_GITLAB_SEVERITY = {"error": "major", "warning": "minor", "info": "info"}


def _finding_text(message: str, fix: str) -> str:
    return f"{message}\nFix:\n{fix}" if fix else message


def _github_data(text: str) -> str:
    """Escape a workflow command's message: control characters as for the terminal (the
    log shows them), then ``%``, CR and LF (the runner decodes them), so the command stays
    one line."""
    text = escape_control(text)
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _github_property(text: str) -> str:
    """Escape a property value: as the message, plus ``:`` and ``,`` that end a property."""
    return _github_data(text).replace(":", "%3A").replace(",", "%2C")


def _github_command(level: str, path: str, line: int, end_line: int, title: str, text: str) -> str:
    properties = ",".join(
        f"{key}={_github_property(str(value))}"
        for key, value in (("file", path), ("line", line), ("endLine", end_line), ("title", title))
    )
    return f"::{level} {properties}::{_github_data(text)}\n"


def to_github(reports: Sequence[Report]) -> str:
    """GitHub Actions workflow commands, one a finding (``::error file=...,line=...::...``):
    printed in a workflow step, each becomes an annotation on the Dockerfile's lines.
    Severity maps error to ``error``, warning to ``warning`` and info to ``notice``; an
    unreadable Dockerfile is an ``error`` titled ``LC000``, and a failing verdict whose
    findings were ignored an ``error`` titled ``dependency-cache`` on the install's line."""
    commands = []
    for report in reports:
        path = report.path or "Dockerfile"
        if report.error is not None:
            line = report.error_line or 1
            commands.append(_github_command("error", path, line, line, "LC000", report.error))
        for finding in _annotated(report):
            commands.append(
                _github_command(
                    _GITHUB_COMMAND.get(finding.severity, "warning"),
                    path,
                    finding.line,
                    finding.end_line,
                    finding.rule,
                    _finding_text(finding.message, finding.fix),
                )
            )
    return "".join(commands)


def to_gitlab(reports: Sequence[Report]) -> str:
    """A GitLab code-quality report (a JSON array; ``artifacts: reports: codequality``).

    The fingerprint hashes path, rule and the flagged lines' text, not line numbers, so a
    finding keeps its identity when lines above it move."""
    import hashlib  # here, not at the top: the other formats start faster without it

    issues = []
    for report in reports:
        path = report.path or "Dockerfile"
        source = report.source.splitlines()
        entries = [
            (f.rule, f.severity, f.line, f.end_line, _finding_text(f.message, f.fix))
            for f in _annotated(report)
        ]
        if report.error is not None:
            line = report.error_line or 1
            entries.append(("LC000", "error", line, line, report.error))
        for rule, severity, line, end_line, text in entries:
            flagged = "\n".join(source[line - 1 : end_line])
            digest = hashlib.sha256(f"{path}\0{rule}\0{flagged}".encode()).hexdigest()
            issues.append(
                {
                    "description": text,
                    "check_name": rule,
                    "fingerprint": digest,
                    "severity": _GITLAB_SEVERITY.get(severity, "minor"),
                    "location": {"path": path, "lines": {"begin": line, "end": end_line}},
                }
            )
    return json.dumps(issues, indent=2) + "\n"
