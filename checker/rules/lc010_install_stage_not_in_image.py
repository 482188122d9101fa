"""LC010: a stage installs dependencies that the final image never gets."""

from __future__ import annotations

from collections.abc import Iterator

from checker.cache import needed_stages
from checker.grading.findings import Finding
from checker.rules.analysis import Analysis
from checker.rules.base import Rule, describe
from checker.shell.installs import installs_in

# Stage names of images built on purpose with --target, beside the final one.
BUILD_TARGETS = frozenset(
    ("test", "tests", "testing", "dev", "development", "lint", "ci", "docs", "debug", "local")
)


class InstallStageNotInImage(Rule):
    """A stage installs the dependencies, but the final stage neither builds on it nor copies
    anything from it.

    BuildKit builds only the stages the target needs, so the install never runs and the
    final image has none of the packages: the cache is "kept" only because nothing is
    installed at all. (The classic builder runs the stage, then throws it away.)

    **Anti-pattern**

    .. code-block:: dockerfile

        FROM python:3.12-slim AS deps
        COPY requirements.txt .
        RUN pip install --prefix=/install -r requirements.txt

        FROM python:3.12-slim
        COPY . /app

    **Best practice**

    .. code-block:: dockerfile

        FROM python:3.12-slim
        COPY --from=deps /install /usr/local
        COPY . /app
    """

    id = "LC010"
    name = "install-stage-not-in-image"
    severity = "warning"

    def check(self, analysis: Analysis) -> Iterator[Finding]:
        dockerfile = analysis.dockerfile
        if len(dockerfile.stages) < 2:
            return
        needed = needed_stages(dockerfile)
        final = dockerfile.stages[-1]
        for stage in dockerfile.stages:
            if stage.index in needed or (stage.name or "").lower() in BUILD_TARGETS:
                continue  # a stage meant for `docker build --target test` is not forgotten
            install = next(
                (
                    item
                    for item in stage.instructions
                    if any(found.manifests for found in installs_in(dockerfile, item))
                ),
                None,
            )
            if install is None:
                continue
            name = stage.name or str(stage.index)
            yield self.finding(
                install,
                f"{describe(install)} installs the dependencies in stage '{name}', but the "
                f"final stage (line {final.line}) neither builds FROM it nor copies from it: "
                "BuildKit skips the stage, and the image gets none of these packages. Copy "
                "the installed environment into the final stage.",
                f"COPY --from={name} <the environment it installed into> <the same path>",
            )
