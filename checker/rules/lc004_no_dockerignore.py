"""LC004: ``COPY . .`` with no ``.dockerignore`` in the build context."""

from __future__ import annotations

from collections.abc import Iterator

from checker.cache import context_sources, normalize
from checker.grading.findings import Finding
from checker.rules.analysis import Analysis
from checker.rules.base import Rule, describe

DOCKERIGNORE_LINES = (
    ".git",
    "__pycache__/",
    "*.pyc",
    ".venv/",
    ".pytest_cache/",
    ".ipynb_checkpoints/",
    "Dockerfile*",
    ".dockerignore",
)


class NoDockerignore(Rule):
    """The whole context is copied and no ``.dockerignore`` filters it.

    ``COPY . .`` is keyed on every file it copies, including ``.git/``, ``__pycache__/``
    and virtual environments, which change without any edit of yours (a commit, running the
    tests). Each such change invalidates the copy and every step after it. Only checked when
    a context directory is given.

    **Anti-pattern**

    .. code-block:: text

        (no .dockerignore next to the Dockerfile)

    **Best practice**

    .. code-block:: text

        # .dockerignore
        .git
        __pycache__/
        *.pyc
        .venv/
    """

    id = "LC004"
    name = "no-dockerignore"
    severity = "warning"

    def check(self, analysis: Analysis) -> Iterator[Finding]:
        context = analysis.context
        if context is None or context.root is None or context.has_dockerignore:
            return
        for instruction in analysis.dockerfile.instructions:
            if instruction.stage not in analysis.built:
                continue
            sources = context_sources(instruction) or ()
            if any(not normalize(source) for source in sources):
                yield self.finding(
                    instruction,
                    f"{describe(instruction)} copies the whole build context, and the context "
                    "has no .dockerignore: files such as .git/ and __pycache__/ change without "
                    "any edit to your code and still invalidate this step and all later ones. "
                    "Add a .dockerignore file next to the Dockerfile (its lines are below).",
                    "\n".join(DOCKERIGNORE_LINES),
                )
                return
