"""Grade a folder of learner submissions in one go, for instructors.

A submission is either a sub-folder holding a ``Dockerfile`` (the sub-folder is then its
build context, so ``.dockerignore`` counts) or a Dockerfile-like file directly in the
folder (``Dockerfile``, ``Dockerfile.alice``, ``alice.Dockerfile``). Every submission yields
exactly one row, with ``grading_status`` ``graded`` or ``error: ...``: one broken file
never loses the batch. The rows are plain dicts, ready for csv, JSON or a pandas frame.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from checker.grading import grade
from checker.rules import RULES

ROW_FIELDS = (
    "submission",
    "path",
    "grading_status",
    "passed",
    "score",
    "dependency_cache",
    "findings",
    "rules",
    *(rule.id for rule in RULES),
)


def is_dockerfile_name(name: str) -> bool:
    """``Dockerfile``, ``Dockerfile.x``, ``x.Dockerfile``, ``x.dockerfile``."""
    lower = name.lower()
    return lower == "dockerfile" or lower.startswith("dockerfile.") or lower.endswith(".dockerfile")


def find_submissions(root: str | os.PathLike[str]) -> list[tuple[str, Path, Path | None]]:
    """(submission name, Dockerfile path, context dir or None), sorted by name."""
    base = Path(root)
    found: list[tuple[str, Path, Path | None]] = []
    for entry in sorted(base.iterdir(), key=lambda item: item.name):
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            dockerfile = _dockerfile_in(entry)
            if dockerfile is not None:
                found.append((entry.name, dockerfile, entry))
        elif entry.is_file() and is_dockerfile_name(entry.name):
            found.append((entry.name, entry, None))
    return found


def _dockerfile_in(folder: Path) -> Path | None:
    plain = folder / "Dockerfile"
    if plain.is_file():
        return plain
    candidates = sorted(
        item for item in folder.iterdir() if item.is_file() and is_dockerfile_name(item.name)
    )
    return candidates[0] if candidates else None


def grade_folder(root: str | os.PathLike[str], *, use_context: bool = True) -> list[dict]:
    """One row per submission in ``root`` (see the module docstring)."""
    return [
        grade_submission(name, path, context if use_context else None)
        for name, path, context in find_submissions(root)
    ]


def grade_submission(name: str, path: Path, context: Path | None) -> dict:
    """The row for one submission; never raises."""
    row: dict[str, object] = {
        "submission": name,
        "path": str(path),
        "grading_status": "graded",
        "passed": False,
        "score": 0,
        "dependency_cache": "",
        "findings": 0,
        "rules": "",
    }
    row.update({rule.id: 0 for rule in RULES})
    try:
        report = grade(path, context)
    except Exception as error:  # grade() does not raise; this guards the batch regardless
        row["grading_status"] = f"error: {type(error).__name__}: {error}"
        return row
    if report.error is not None:
        row["grading_status"] = f"error: {report.error}"
        return row
    row["passed"] = report.passed
    row["score"] = report.score
    row["dependency_cache"] = report.dependency_cache or ""
    row["findings"] = len(report.findings)
    row["rules"] = ";".join(sorted({finding.rule for finding in report.findings}))
    for finding in report.findings:
        row[finding.rule] = int(row.get(finding.rule, 0)) + 1  # type: ignore[call-overload]
    return row


def rows_to_csv(rows: Iterable[dict], fields: Sequence[str] = ROW_FIELDS) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return buffer.getvalue()


def rows_to_json(rows: Iterable[dict]) -> str:
    """JSON Lines: one object per submission."""
    return "".join(json.dumps(row) + "\n" for row in rows)


def summarize(rows: Iterable[dict]) -> dict[str, dict[str, int]]:
    """Counts for a chart of common mistakes: submissions per verdict, per rule (a rule
    counts once per submission), and per grading status (graded vs error)."""
    verdicts: dict[str, int] = {}
    rules: dict[str, int] = {rule.id: 0 for rule in RULES}
    status: dict[str, int] = {"graded": 0, "error": 0}
    for row in rows:
        graded = row.get("grading_status") == "graded"
        status["graded" if graded else "error"] += 1
        if not graded:
            continue
        verdict = str(row.get("dependency_cache") or "")
        verdicts[verdict] = verdicts.get(verdict, 0) + 1
        for rule in str(row.get("rules") or "").split(";"):
            if rule:
                rules[rule] = rules.get(rule, 0) + 1
    return {"dependency_cache": verdicts, "rules": rules, "grading_status": status}
