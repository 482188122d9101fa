"""LC003: the dependency files are never copied on their own."""

from __future__ import annotations

from collections.abc import Iterator

from checker.grading.findings import Finding
from checker.rules.analysis import BROAD_COPY, Analysis, context_name
from checker.rules.base import Rule, describe


class ManifestsNotCopiedAlone(Rule):
    """Only a broad ``COPY . .`` brings the dependency files into the image.

    This is the missing step behind LC002, shown on the copy: without a ``COPY`` of the
    dependency files alone there is no layer that changes only when the dependencies do,
    so nothing can keep the install in the cache.

    **Anti-pattern**

    .. code-block:: dockerfile

        COPY . .
        RUN pip install -r requirements.txt

    **Best practice**

    .. code-block:: dockerfile

        COPY requirements.txt ./
        RUN pip install -r requirements.txt
        COPY . .
    """

    id = "LC003"
    name = "manifests-not-copied-alone"
    severity = "warning"

    def check(self, analysis: Analysis) -> Iterator[Finding]:
        for reinstall in analysis.reinstalls_for(BROAD_COPY):
            step, culprit = reinstall.step, reinstall.culprit
            if culprit.keyword not in ("COPY", "ADD"):
                continue  # a RUN that binds everything: the finding on the install says it
            names = ", ".join(dict.fromkeys(context_name(path) for path in step.manifests))
            from checker.rules.reinstall_fixes import plan_fix  # loaded when a step reinstalls

            plan = plan_fix(analysis, reinstall)
            yield self.finding(
                culprit,
                f"{names} reaches the image only inside {describe(culprit)}. Copy it on its "
                "own first, so the layer the install depends on changes only when your "
                "dependencies do.",
                plan.lines if plan else f"COPY {names} ./",
                plan=plan,
            )
