"""Errors a build raises, each saying what the learner would need to know."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .records import BuildResult, StepRecord

# How many of the failing step's last output lines an error message shows.
ERROR_OUTPUT_LINES = 25


class BuildError(RuntimeError):
    """The build failed. ``step`` is the failing step when known, ``result`` what ran before.

    The message names the step (number and instruction) and shows the end of its output, which
    is where a ``RUN`` command's own error is.
    """

    def __init__(self, message: str, result: BuildResult, step: StepRecord | None = None) -> None:
        self.reason = message
        self.result = result
        self.step = step
        super().__init__(self._describe())

    def _describe(self) -> str:
        if self.step is None:
            return f"the build failed: {self.reason}"
        where = f"step {self.step.label} `{self.step.instruction}`"
        lines = [f"{where} failed: {self.reason}"]
        output = self.step.output[-ERROR_OUTPUT_LINES:]
        if output:
            skipped = len(self.step.output) - len(output)
            lines.append("its output" + (f" (last {len(output)} lines):" if skipped else ":"))
            lines.extend(f"    {line}" for line in output)
        return "\n".join(lines)


class BuildTimeout(BuildError):
    """The build ran past its wall-clock limit and was stopped (its containers removed)."""


class NoBuildKitClient(RuntimeError):
    """No docker client on this machine can build with BuildKit."""
