"""LC001: application source is copied before the dependency install."""

from __future__ import annotations

from collections.abc import Iterator

from checker.grading.findings import Finding
from checker.rules.analysis import SOURCE_BEFORE_INSTALL, Analysis
from checker.rules.base import Rule, describe


class SourceBeforeInstall(Rule):
    """Application source is copied into the image before the dependency install.

    Docker caches each step keyed on its input; a ``COPY``/``ADD`` of the source changes
    whenever any source file does, and every step after a changed step is rebuilt. An install
    placed after the source copy therefore reinstalls every package on every code change,
    even though the dependency files are already in the image on their own.

    **Anti-pattern**

    .. code-block:: dockerfile

        COPY requirements.txt /srv/requirements.txt
        ADD . /srv
        RUN pip install -r requirements.txt

    **Best practice**

    .. code-block:: dockerfile

        COPY requirements.txt /srv/requirements.txt
        RUN pip install -r requirements.txt
        ADD . /srv
    """

    id = "LC001"
    name = "source-before-install"
    severity = "error"

    def check(self, analysis: Analysis) -> Iterator[Finding]:
        for reinstall in analysis.reinstalls_for(SOURCE_BEFORE_INSTALL):
            step, culprit = reinstall.step, reinstall.culprit
            changed = analysis.app_file_for(culprit)
            from checker.rules.reinstall_fixes import plan_fix  # loaded when a step reinstalls

            plan = plan_fix(analysis, reinstall)
            fix = plan.lines if plan else f"{step.instruction.original}\n{culprit.original}"
            yield self.finding(
                culprit,
                f"{describe(culprit)} copies your application code before the install on "
                f"{describe(step.instruction)}. Editing a file such as {changed} changes this "
                "step, so Docker rebuilds it and every step after it: all packages are "
                "reinstalled on every code change. Install the dependencies first, then copy "
                "the code.",
                fix,
                plan=plan,
            )
