"""LC013: the grade rests on something the Dockerfile does not say, and says what it assumed."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from checker.cache import stage_index
from checker.grading.findings import Finding
from checker.rules.analysis import Analysis
from checker.rules.base import Rule, describe
from checker.rules.environments import points_at, stage_copies, workdir_at


class Assumption(Rule):
    """The verdict depends on something the checker cannot see, so it assumed it.

    A build argument without a default (``ARG REQS`` then ``COPY ${REQS} ./``) gets its
    value from ``docker build --build-arg``, which the checker is not given; an image named
    by ``COPY --from=IMAGE`` or ``RUN --mount=type=bind,from=IMAGE`` is not part of the
    Dockerfile, and its files may change when its tag moves; a folder copied from a builder
    is taken to be the base image's own Python environment when its name says so. The
    finding names the assumption, so a learner knows what the grade is for. Give the
    argument a default, or copy from a stage of the same Dockerfile, and the checker needs
    no assumption.

    **Anti-pattern**

    .. code-block:: dockerfile

        ARG REQS
        COPY ${REQS} ./
        RUN pip install -r ${REQS}

    **Best practice**

    .. code-block:: dockerfile

        ARG REQS=requirements.txt
        COPY ${REQS} ./
        RUN pip install -r ${REQS}
    """

    id = "LC013"
    name = "assumption"
    severity = "info"

    def check(self, analysis: Analysis) -> Iterator[Finding]:
        notes = list(analysis.argument_notes)
        notes.extend(_environment_notes(analysis))
        notes.extend(_image_notes(analysis))
        yield from self.notes_by_line(notes)


def _environment_notes(analysis: Analysis) -> list[tuple[int, str]]:
    """Copies taken to carry the base image's own environment (a name, not a known path)."""
    found = []
    for step in analysis.install_steps:
        if not step.installs_project or not analysis.rebuilt(step.instruction):
            continue
        for supply in analysis.supplies(step):
            if supply.reaches and supply.assumed:
                found.append(
                    (
                        supply.copy.line,
                        f"{describe(supply.copy)}: {supply.assumed}. The install on line "
                        f"{step.instruction.line} is graded as finding the dependencies there.",
                    )
                )
    return found


def _image_notes(analysis: Analysis) -> list[tuple[int, str]]:
    """``COPY --from=IMAGE`` or a bind mount ``from=IMAGE`` that an install reads from."""
    dockerfile = analysis.dockerfile
    # Copies from an image are rare; find them once, not once per install (a file of
    # thousands of installs would otherwise cost their square).
    external = {
        item.index
        for item in dockerfile.instructions
        if any(
            stage_index(dockerfile, reference) is None
            for reference, _, _ in stage_copies(dockerfile, item)
        )
    }
    found: list[tuple[int, str]] = []
    if not external:
        return found
    for step in analysis.install_steps:
        chain = [
            item
            for item in (*analysis.chain_before(step.instruction), step.instruction)
            if item.index in external
        ]
        workdir = workdir_at(dockerfile, step.instruction)
        reads = [
            posixpath.normpath(posixpath.join(workdir, path))
            for install in step.installs
            for path in install.reads
        ]
        for item in chain:
            for reference, sources, destination in stage_copies(dockerfile, item):
                if stage_index(dockerfile, reference) is not None:
                    continue
                used = (
                    item is step.instruction
                    or any(
                        path == destination or path.startswith(destination.rstrip("/") + "/")
                        for path in reads
                    )
                    or any(
                        points_at(dockerfile, step.instruction, install, destination)
                        for install in step.installs
                    )
                )
                if not used:
                    continue
                found.append(
                    (
                        item.line,
                        f"{describe(item)} takes {' '.join(sources)} from the image "
                        f"{reference}, not from a stage of this Dockerfile, and the install "
                        f"on line {step.instruction.line} reads it. Assumed: the image's "
                        "files stay the same between builds (the checker cannot see into "
                        "it); when its tag moves to new content, BuildKit reruns the steps "
                        "from here on.",
                    )
                )
    return found
