"""What grading finds: the dependency-cache verdicts, the severities, and one finding.

Plain data that rules produce and renderers (:mod:`checker.report`, :mod:`checker.formats`)
read, kept apart from both so a rule never imports a renderer.
"""

from __future__ import annotations

from dataclasses import dataclass

# dependency_cache verdicts
KEPT = "kept"
REINSTALLED = "reinstalled"
REINSTALLED_WITH_CACHE = "reinstalled-with-cache"
NO_INSTALL = "no-install"

SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class Finding:
    """One problem in a Dockerfile: where, why it costs a reinstall, and the fixed lines."""

    rule: str  # "LC001"
    name: str  # "source-before-install"
    line: int
    end_line: int
    severity: str  # error | warning | info
    message: str
    fix: str  # Dockerfile lines (or .dockerignore lines, said so in the message)

    def as_dict(self) -> dict[str, object]:
        return {
            "rule": self.rule,
            "line": self.line,
            "end_line": self.end_line,
            "severity": self.severity,
            "message": self.message,
            "fix": self.fix,
        }
