"""LC005: the project is installed together with its dependencies after the full copy."""

from __future__ import annotations

from collections.abc import Iterator

from checker.dockerfile.model import Instruction
from checker.grading.findings import Finding
from checker.rules.analysis import PROJECT_WITH_DEPENDENCIES, Analysis, InstallStep, reads_context
from checker.rules.base import Rule, describe


class ProjectWithDependencies(Rule):
    """``pip install .``, ``poetry install`` or ``uv sync`` after ``COPY . .``, alone.

    Installing the project needs its source, so this step must come after the full copy and
    reruns on every code change. With no dependency-only install before it, that rerun
    resolves, downloads and installs every dependency again. Install the dependencies on
    their own first (``poetry install --no-root``, ``uv sync --no-install-project``,
    ``pip install -r requirements.txt``); the later project install then only adds your code.

    **Anti-pattern**

    .. code-block:: dockerfile

        COPY . .
        RUN poetry install

    **Best practice**

    .. code-block:: dockerfile

        COPY pyproject.toml poetry.lock ./
        RUN poetry install --no-root
        COPY . .
        RUN poetry install
    """

    id = "LC005"
    name = "project-installed-with-dependencies"
    severity = "error"

    def check(self, analysis: Analysis) -> Iterator[Finding]:
        for reinstall in analysis.reinstalls_for(PROJECT_WITH_DEPENDENCIES):
            step, culprit = reinstall.step, reinstall.culprit
            # Installing the project needs its source, so one that binds the whole context
            # is shown the dependency-only install to add, not a narrower bind.
            from checker.rules.reinstall_fixes import (  # loaded when a step reinstalls
                PYPROJECT_NOTE,
                plan_fix,
                project_hint,
            )

            plan = plan_fix(analysis, reinstall) if culprit is not step.instruction else None
            # The project may come built, in the wheels of another stage: any install's tool.
            tool = next(
                (item.tool for item in step.installs if item.installs_project),
                step.installs[0].tool,
            )
            if step.isolated and tool != "hatch":
                tool = "pipx"  # pipx or uv tool install: a venv of its own
            hint, note = project_hint(tool, analysis)
            if plan is not None:
                note = PYPROJECT_NOTE if plan.kind == "pyproject" else ""
            note = f" {note}" if note else ""
            downloads = (
                " (its cache mount spares the downloads, not the install)"
                if step.has_cache_mount
                else ""
            )
            missed = [supply for supply in analysis.supplies(step) if not supply.reaches]
            before = (
                "no dependency-only install reaches it: "
                + "; ".join(supply.explain() for supply in missed[:2])
                + ". So"
                if missed
                else "with no dependency-only install before it,"
            )
            if not reads_context(culprit) and culprit is not step.instruction:
                yield self._built_elsewhere(step, culprit, hint)
                continue
            yield self.finding(
                step.instruction,
                f"{describe(step.instruction)} installs your project and all its dependencies "
                f"in one step after {describe(culprit)}. It must rerun whenever your code "
                f"changes, and {before} every rerun reinstalls every dependency{downloads}. "
                "Install the dependencies alone first, or copy their environment where this "
                f"install writes.{note}",
                plan.lines if plan else f"{hint}\n{culprit.original}\n{step.instruction.original}",
                plan=plan,
            )

    def _built_elsewhere(self, step: InstallStep, copy: Instruction, hint: str) -> Finding:
        """The project's wheel was built in another stage after the source was copied there
        (``python -m build``, or ``pip wheel --no-deps .`` beside the dependency wheels): the
        fix installs the dependencies on their own first, the wheel last without them."""
        stage = copy.flag("from") or "builder"
        return self.finding(
            step.instruction,
            f"{describe(step.instruction)} installs what {describe(copy)} copies from stage "
            f"'{stage}': your project's own wheel, built there after the source was copied. "
            "A code change rebuilds that wheel, so the copy and this install rerun, and every "
            "dependency is installed again with it. Install the dependencies on their own "
            "first (dependency wheels in a folder apart from the project's), then the "
            "project's wheel with --no-deps.",
            f"{hint}\n{copy.original}\n{step.instruction.original}",
        )
