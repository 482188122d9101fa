"""``build()``: the one call a notebook or the checker makes.

It picks the builder, wires the live display to the events, shows the final table, and returns
the :class:`~checker.build.records.BuildResult` (or raises :class:`BuildError`, after showing
the table of what ran up to the failure).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TextIO

from .buildkit import build_buildkit
from .classic import build_classic
from .display import LIVE_OUTPUT_LINES, Line, LiveView, default_emitter, end_live, show
from .errors import BuildError
from .events import BuildEvent
from .labels import PROJECT_LABELS
from .listener import Listener, ignore
from .options import BuilderName, BuildOptions
from .records import BuildResult, StepRecord


def build(
    context: str | os.PathLike[str],
    *,
    builder: BuilderName = "classic",
    tag: str | None = None,
    no_cache: bool = False,
    buildargs: dict[str, str] | None = None,
    dockerfile: str | os.PathLike[str] | None = None,
    target: str | None = None,
    network_mode: str | None = None,
    memory: int | None = None,
    memswap: int | None = None,
    cpu_shares: int | None = None,
    cpuset_cpus: str | None = None,
    cgroup_parent: str | None = None,
    timeout: float | None = None,
    docker_host: str | None = None,
    export: bool = True,
    live: bool = True,
    table: bool = True,
    output_lines: int = LIVE_OUTPUT_LINES,
    title: str | None = None,
    on_event: Callable[[BuildEvent, StepRecord | None], None] | None = None,
    stream: TextIO | None = None,
) -> BuildResult:
    """Build the directory ``context`` and return what each step did.

    ``builder`` is ``"classic"`` (docker-py, the Engine API) or ``"buildkit"`` (a docker CLI
    with BuildKit). ``live`` shows steps as they happen (``output_lines`` lines of each step's
    output); ``table`` shows the final table; ``on_event`` receives every event as well (for a
    JSON log, say). See :class:`BuildOptions` for the build options.
    """
    options = BuildOptions(
        tag=tag,
        no_cache=no_cache,
        buildargs=dict(buildargs or {}),
        dockerfile=dockerfile,
        target=target,
        network_mode=network_mode,
        memory=memory,
        memswap=memswap,
        cpu_shares=cpu_shares,
        cpuset_cpus=cpuset_cpus,
        cgroup_parent=cgroup_parent,
        timeout=timeout,
        docker_host=docker_host,
        export=export,
    )
    if builder not in ("classic", "buildkit"):
        raise ValueError(f"builder must be 'classic' or 'buildkit', not {builder!r}")
    listeners: list[Listener] = []
    emit: Callable[[Line], None] | None = None
    if live:
        hidden = len(PROJECT_LABELS) if builder == "classic" else 0
        emit = default_emitter(stream)
        listeners.append(LiveView(emit, output_lines=output_lines, hide_label_steps=hidden))
    if on_event is not None:
        listeners.append(on_event)
    listener = _fan_out(listeners)
    run = build_classic if builder == "classic" else build_buildkit
    try:
        try:
            result = run(context, options, listener)
        finally:
            end_live(emit)
    except BuildError as error:
        if table:
            show(error.result, title, stream)
        raise
    if table:
        show(result, title, stream)
    return result


def _fan_out(listeners: list[Listener]) -> Listener:
    if not listeners:
        return ignore
    if len(listeners) == 1:
        return listeners[0]

    def each(event: BuildEvent, record: StepRecord | None) -> None:
        for listener in listeners:
            listener(event, record)

    return each
