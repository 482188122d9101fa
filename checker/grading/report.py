"""What grading one Dockerfile produced, and how a learner reads it (text or notebook HTML).

The report is plain data; renderings are functions of it and nothing else, so the HTML and
the text say the same thing and are byte-for-byte stable from run to run.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from checker.grading.findings import KEPT, NO_INSTALL, REINSTALLED, REINSTALLED_WITH_CACHE, Finding
from checker.grading.safe_text import escape_control

VERDICT_TEXT = {
    KEPT: "kept: a change to your application code reuses the installed packages from the cache",
    REINSTALLED: "reinstalled: every change to your application code reinstalls all packages",
    REINSTALLED_WITH_CACHE: (
        "reinstalled-with-cache: a code change reruns the install, but a cache mount spares "
        "the downloads"
    ),
    NO_INSTALL: "no-install: no Python dependency install was found in the stages built",
}


@dataclass(frozen=True)
class Report:
    """The grade of one Dockerfile. ``error`` is set (and nothing else is) for unreadable input."""

    path: str | None
    passed: bool
    score: int
    dependency_cache: str | None
    findings: tuple[Finding, ...] = ()
    suggested_dockerfile: str | None = None
    error: str | None = None
    error_line: int | None = None
    source: str = field(default="", repr=False)  # the Dockerfile text, for highlighting
    # The first install that reruns on a code change (its first and last line), and the
    # rules whose findings were left out (configuration, --ignore, ``# checker ignore=``):
    # with them a failing verdict is explained even when no finding is left to say why.
    install_lines: tuple[int, int] | None = None
    ignored_rules: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        data: dict[str, object] = {
            "path": self.path,
            "passed": self.passed,
            "score": self.score,
            "dependency_cache": self.dependency_cache,
            "findings": [finding.as_dict() for finding in self.findings],
            "suggested_dockerfile": self.suggested_dockerfile,
        }
        if self.error is not None:
            data["error"] = self.error
            data["error_line"] = self.error_line
        return data

    def to_text(self) -> str:
        return render_grade_text(self)

    def __str__(self) -> str:
        return render_grade_text(self)

    def __repr__(self) -> str:
        """One line, so a report shown as a cell's value (or in a list) reads at a glance;
        ``str()`` and the HTML view give the findings in full."""
        name = self.path or "Dockerfile"
        if self.error is not None:
            return f"<Report {name}: error>"
        verdict = "passed" if self.passed else "failed"
        count = len(self.findings)
        return (
            f"<Report {name}: {verdict}, score {self.score}, "
            f"dependency cache {self.dependency_cache or '-'}, "
            f"{count} finding{'' if count == 1 else 's'}>"
        )

    def _repr_html_(self) -> str:
        return render_grade_html(self)


VERDICT_RULE = "dependency-cache"
"""The pseudo-rule that annotates a failing verdict no remaining finding explains."""


def verdict_finding(report: Report) -> Finding | None:
    """An error on the install that reruns, when the verdict fails the file and no finding
    of error severity is left to say so (its rules were ignored): every failing report
    then names a line, in text and in each CI format. None otherwise."""
    if report.error is not None or report.passed or report.dependency_cache in (KEPT, NO_INSTALL):
        return None
    if report.install_lines is None or any(f.severity == "error" for f in report.findings):
        return None
    line, end_line = report.install_lines
    source = report.source.splitlines()
    text = " ".join(source[line - 1].split()) if line <= len(source) else ""
    shown = f" ({text[:57]}...)" if len(text) > 60 else f" ({text})" if text else ""
    message = (
        f"The install on line {line}{shown} reruns when an application file changes"
        f" (dependency cache: {report.dependency_cache}), so the file fails."
    )
    if report.ignored_rules:
        message += (
            f" Rules ignored here (by the configuration, --ignore or a `# checker ignore=`"
            f" comment): {', '.join(report.ignored_rules)}; ignoring a rule hides its"
            " findings, not the verdict."
        )
    if report.suggested_dockerfile:
        message += " `grade --diff` shows a reordered Dockerfile that keeps the install cached."
    return Finding(VERDICT_RULE, "failing-verdict", line, end_line, "error", message, "")


def render_grade_text(report: Report) -> str:
    """A terminal rendering: verdict, then each finding's why and fix. Control characters
    from the Dockerfile (terminal escapes) are shown escaped, never sent raw."""
    return escape_control(_text(report))


def _text(report: Report) -> str:
    name = report.path or "<Dockerfile>"
    if report.error is not None:
        return f"{name}: error: {report.error}"
    lines = [
        f"{name}: {'PASSED' if report.passed else 'FAILED'}  score {report.score}/100",
        f"  dependency cache: {VERDICT_TEXT.get(report.dependency_cache or '', '-')}",
    ]
    verdict = verdict_finding(report)
    for finding in (verdict, *report.findings) if verdict else report.findings:
        where = (
            f"line {finding.line}"
            if finding.line == finding.end_line
            else f"lines {finding.line}-{finding.end_line}"
        )
        lines.append(f"  {finding.rule} {finding.severity} ({finding.name}) {where}:")
        lines.append(f"    {finding.message}")
        if finding.fix:
            lines.append("    fix:")
            lines.extend(f"      {line}" for line in finding.fix.splitlines())
    if report.suggested_dockerfile:
        lines.append("  suggested Dockerfile:")
        lines.extend(f"    {line}" for line in report.suggested_dockerfile.splitlines())
    return "\n".join(lines)


_CSS = (
    ".lc-report{font-family:system-ui,sans-serif;font-size:14px;line-height:1.4;"
    "border:1px solid #ccc;border-radius:6px;padding:10px;max-width:900px}"
    ".lc-verdict{font-weight:600;padding:6px 8px;border-radius:4px;margin-bottom:8px}"
    ".lc-pass{background:#e6f4ea;color:#1e4620}.lc-fail{background:#fdecea;color:#611a15}"
    ".lc-code{font-family:monospace;white-space:pre;background:#f7f7f7;padding:6px;"
    "border-radius:4px;overflow-x:auto;margin:6px 0}"
    ".lc-line{display:block}.lc-hit{background:#fff3bf}"
    ".lc-no{color:#888;display:inline-block;width:3em;user-select:none}"
    ".lc-finding{border-left:4px solid #d93025;padding:4px 8px;margin:8px 0}"
    ".lc-warning{border-left-color:#f29900}.lc-info{border-left-color:#1a73e8}"
)


def render_grade_html(report: Report) -> str:
    """Self-contained HTML (inline CSS, no script) for Jupyter; deterministic."""
    import html  # only notebooks render HTML; a command-line grade never does

    name = html.escape(report.path or "Dockerfile")
    parts = [f"<div class='lc-report'><style>{_CSS}</style>"]
    if report.error is not None:
        parts.append(
            f"<div class='lc-verdict lc-fail'>{name}: cannot grade: "
            f"{html.escape(report.error)}</div>"
        )
        parts.append("</div>")
        return "".join(parts)
    status = "lc-pass" if report.passed else "lc-fail"
    verdict = html.escape(VERDICT_TEXT.get(report.dependency_cache or "", "-"))
    parts.append(
        f"<div class='lc-verdict {status}'>{name}: {'passed' if report.passed else 'failed'}"
        f" &middot; score {report.score}/100<br>dependency cache: {verdict}</div>"
    )
    hit = set()
    for finding in report.findings:
        hit.update(range(finding.line, finding.end_line + 1))
    if report.source:
        parts.append("<div class='lc-code'>")
        for number, line in enumerate(report.source.splitlines(), start=1):
            css = "lc-line lc-hit" if number in hit else "lc-line"
            parts.append(
                f"<span class='{css}'><span class='lc-no'>{number}</span>{html.escape(line)}</span>"
            )
        parts.append("</div>")
    for finding in report.findings:
        where = (
            f"line {finding.line}"
            if finding.line == finding.end_line
            else f"lines {finding.line}&ndash;{finding.end_line}"
        )
        parts.append(
            f"<div class='lc-finding lc-{html.escape(finding.severity)}'>"
            f"<b>{html.escape(finding.rule)}</b> {html.escape(finding.name)}"
            f" ({html.escape(finding.severity)},"
            f" {where})<br>{html.escape(finding.message)}"
        )
        if finding.fix:
            parts.append(f"<div>Fix:</div><div class='lc-code'>{html.escape(finding.fix)}</div>")
        parts.append("</div>")
    if report.suggested_dockerfile:
        parts.append(
            "<div>Suggested Dockerfile:</div>"
            f"<div class='lc-code'>{html.escape(report.suggested_dockerfile)}</div>"
        )
    parts.append("</div>")
    return "".join(parts)
