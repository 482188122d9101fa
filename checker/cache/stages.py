"""Which stages a build builds, and what each stage builds on (``FROM`` a stage, ``COPY
--from``, ``RUN --mount=from=``): BuildKit builds only what the target needs, the classic
builder every stage."""

from __future__ import annotations

from checker.dockerfile.model import Dockerfile, Instruction
from checker.shell.mounts import mounts


def stage_dependencies(dockerfile: Dockerfile) -> dict[int, set[int]]:
    """For each stage, the earlier stages it builds on (FROM) or copies/mounts from."""
    dependencies: dict[int, set[int]] = {stage.index: set() for stage in dockerfile.stages}
    for stage in dockerfile.stages:
        parent = stage_ref(dockerfile, stage.base, stage.index)
        if parent is not None:
            dependencies[stage.index].add(parent)
        for instruction in stage.instructions:
            for reference in from_references(instruction):
                found = stage_ref(dockerfile, reference, stage.index)
                if found is not None:
                    dependencies[stage.index].add(found)
    return dependencies


def from_references(instruction: Instruction) -> list[str]:
    """The stages (or images) a step builds on besides its own stage: ``COPY``/``ADD
    --from`` and any ``RUN --mount`` with ``from=`` (a cache mount seeded from a stage too)."""
    references = []
    if instruction.keyword in ("COPY", "ADD"):
        source = instruction.flag("from")
        if source:
            references.append(source)
    for mount in mounts(instruction):
        if mount.from_:
            references.append(mount.from_)
    return references


def stage_index(dockerfile: Dockerfile, reference: str) -> int | None:
    """The index of the stage ``reference`` names (``Dockerfile.stage_named``, a dict
    lookup), or None for an image."""
    stage = dockerfile.stage_named(reference)
    return None if stage is None else stage.index


def stage_ref(dockerfile: Dockerfile, reference: str, before: int) -> int | None:
    """The index of the earlier stage ``reference`` names, or None for an image."""
    index = stage_index(dockerfile, reference)
    if index is None or index >= before:
        return None
    return index


def needed_stages(dockerfile: Dockerfile, target: str | None = None) -> frozenset[int]:
    """The stages BuildKit builds for ``target`` (default: the last stage)."""
    if not dockerfile.stages:
        return frozenset()
    final = dockerfile.stages[-1].index
    if target is not None:
        named = stage_index(dockerfile, target)
        if named is not None:
            final = named
    dependencies = stage_dependencies(dockerfile)
    needed = {final}
    pending = [final]
    while pending:
        for parent in dependencies.get(pending.pop(), ()):
            if parent not in needed:
                needed.add(parent)
                pending.append(parent)
    return frozenset(needed)


def built_stages(
    dockerfile: Dockerfile, builder: str = "buildkit", target: str | None = None
) -> frozenset[int]:
    """The stages ``builder`` builds: BuildKit only those ``target`` needs, the classic
    builder every stage in the file."""
    if builder == "buildkit":
        return needed_stages(dockerfile, target)
    return frozenset(stage.index for stage in dockerfile.stages)
