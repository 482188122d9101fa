"""LC002: the install reads its dependency files through a copy or bind of everything."""

from __future__ import annotations

from collections.abc import Iterator

from checker.cache import normalize
from checker.grading.findings import Finding
from checker.rules.analysis import (
    BROAD_COPY,
    CONTEXT_BOUND,
    THROUGH_STAGE,
    Analysis,
    context_name,
)
from checker.rules.base import Rule, describe


class InstallAfterBroadCopy(Rule):
    """The install gets its dependency files only through ``COPY . .`` or a bind of ``.``.

    The install needs ``requirements.txt``, but it reaches the image together with every
    other file (``COPY . .`` right before the install, or ``RUN --mount=type=bind,source=.``
    on the install itself). The install's cache key then covers the whole project: any
    code change reruns it and reinstalls every package.

    **Anti-pattern**

    .. code-block:: dockerfile

        COPY . .
        RUN pip install -r requirements.txt

        RUN --mount=type=bind,source=.,target=/src pip install -r /src/requirements.txt

    **Best practice**

    .. code-block:: dockerfile

        COPY requirements.txt ./
        RUN pip install -r requirements.txt
        COPY . .

        RUN --mount=type=bind,source=requirements.txt,target=/src/requirements.txt \\
            pip install -r /src/requirements.txt
    """

    id = "LC002"
    name = "install-after-broad-copy"
    severity = "error"

    def check(self, analysis: Analysis) -> Iterator[Finding]:
        for reinstall in analysis.reinstalls_for(THROUGH_STAGE, CONTEXT_BOUND, BROAD_COPY):
            step, culprit = reinstall.step, reinstall.culprit
            through_stage = (
                analysis.stage_copy_reason(culprit) if reinstall.cause == THROUGH_STAGE else None
            )
            names = ", ".join(dict.fromkeys(context_name(path) for path in step.manifests))
            changed = analysis.app_file_for(culprit)
            # A stage's whole folder bound into the install itself can be narrowed to the
            # manifests; a COPY --from of it is the other stage's to fix.
            own = through_stage is None or culprit is step.instruction
            from checker.rules.reinstall_fixes import plan_fix  # loaded when a step reinstalls

            plan = plan_fix(analysis, reinstall) if own else None
            if through_stage is not None:
                what = "this step" if culprit is step.instruction else describe(culprit)
                how = (
                    f"gets {names} through {what}, which takes a whole folder from another "
                    f"stage: {through_stage}"
                )
            elif reinstall.cause == CONTEXT_BOUND:
                how = "binds the whole build context into this step"
            else:
                folders = [source for source in analysis.app_sources(culprit) if normalize(source)]
                what = f"all of {', '.join(folders)}" if folders else "everything"
                how = f"gets {names} only through {describe(culprit)}, which copies {what}"
            yield self.finding(
                step.instruction,
                f"The install on {describe(step.instruction)} {how}. Docker keys the step on "
                f"every file it sees, so editing {changed} reruns the install and reinstalls "
                f"all packages. Give the install {names} alone.",
                plan.lines if plan else f"COPY {names} ./\n{step.instruction.original}\nCOPY . .",
                plan=plan,
            )
