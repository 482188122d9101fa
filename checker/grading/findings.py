"""What grading finds: the dependency-cache verdicts, the severities, and one finding.

Plain data that rules produce and renderers (:mod:`checker.grading.report`,
:mod:`checker.grading.formats`) read, kept apart from both so a rule never imports a renderer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from checker.rules.edits import Edit

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
    # The fix as structured edits of the parsed instructions (checker.rules.edits), when
    # the rule planned an exact one: the suggested Dockerfile is rendered from them.
    edits: tuple[Edit, ...] = field(default=(), compare=False, repr=False)

    def as_dict(self) -> dict[str, object]:
        return {
            "rule": self.rule,
            "line": self.line,
            "end_line": self.end_line,
            "severity": self.severity,
            "message": self.message,
            "fix": self.fix,
        }
