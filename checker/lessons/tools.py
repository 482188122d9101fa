"""One project, one Dockerfile per packaging tool, the same two builds each: a timing table.

Why a harness: the packaging lesson compares pip, pip-tools, Poetry, uv, Pipenv and micromamba
on the same small ``src``-layout project (``notebooks/projects/packaging/<tool>/``). Each tool
gets a cold build (``no_cache``, so the table does not depend on what an earlier run left in the
cache) and a rebuild after a change to ``src/greet/app.py``; the table says whether the
dependency install step came from the cache on that rebuild, and how long each build took.

Why the Dockerfiles say nothing about the workshop's local index: each follows its tool's own
Docker guidance, and what only a room without PyPI needs (uv.lock pointed at the local index,
Poetry's mirror plugin, pdm's ``PDM_PYPI_URL``) is applied by :func:`checker.lessons.
local_index.adapt` to the temporary copy that is built. micromamba needs its own base image and
conda-forge: where neither can be had, its row says so and is skipped, rather than faking a
result.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from checker.build import BuildError, BuildResult
from checker.build.records import StepRecord
from checker.lessons import Workspace, project_source
from checker.lessons.local_index import adapt
from checker.lessons.tables import html_table, text_table

PROJECTS = "packaging"
CHANGED_FILE = "src/greet/app.py"
PYTHON_BASE = "python:3.11-slim"


@dataclass(frozen=True)
class Tool:
    """A packaging tool's version of the project: its folder and its dependency install step."""

    name: str
    folder: str
    install_step: str
    base_image: str = PYTHON_BASE


TOOLS: tuple[Tool, ...] = (
    Tool("pip install .", "pip-install-dot", "pip install --no-cache-dir ."),
    Tool("pip-tools", "pip-tools", "pip install --no-cache-dir --require-hashes"),
    Tool("Poetry", "poetry", "poetry install --no-root"),
    Tool("uv", "uv", "uv sync --locked --no-install-project"),
    Tool("Pipenv", "pipenv", "pipenv install --deploy"),
    Tool("pdm", "pdm", "pdm install --check --prod --no-self"),
    Tool("micromamba", "micromamba", "micromamba install", "mambaorg/micromamba:1.5.10"),
)


def install_step(result: BuildResult, command: str) -> StepRecord:
    """The first RUN step whose command holds ``command`` (mount flags may stand before it)."""
    for step in result.learner_steps:
        if step.keyword == "RUN" and command in " ".join(step.instruction.split()):
            return step
    raise KeyError(f"no RUN step runs {command!r}")


@dataclass
class ToolRun:
    """What the two builds of one tool did, or why they were skipped."""

    tool: Tool
    skipped: str | None = None
    cold: BuildResult | None = None
    rebuild: BuildResult | None = None
    failed: str | None = None

    @property
    def install_outcome(self) -> str:
        """``cached`` or ``ran``: the dependency install step on the rebuild."""
        if self.rebuild is None:
            return "-"
        return install_step(self.rebuild, self.tool.install_step).outcome

    @property
    def speedup(self) -> float | None:
        """How many times faster the rebuild was than the cold build (None if not built)."""
        if self.cold is None or self.rebuild is None or self.rebuild.seconds <= 0:
            return None
        return self.cold.seconds / self.rebuild.seconds

    def row(self) -> tuple[str, str, str, str, str, str, str]:
        """tool, install step, cold seconds, install on rebuild, steps ran, rebuild seconds,
        and cold seconds / rebuild seconds (two decimals, like the seconds)."""
        if self.skipped or self.failed:
            why = f"skipped: {self.skipped}" if self.skipped else f"failed: {self.failed}"
            return (self.tool.name, self.tool.install_step, "-", why, "-", "-", "-")
        assert self.cold is not None and self.rebuild is not None
        steps = self.rebuild.learner_steps
        ran = sum(step.outcome == "ran" for step in steps)
        return (
            self.tool.name,
            self.tool.install_step,
            f"{self.cold.seconds:.2f}",
            self.install_outcome,
            f"{ran} of {len(steps) - 1}",
            f"{self.rebuild.seconds:.2f}",
            f"{self.speedup:.2f}" if self.speedup is not None else "-",
        )


HEADER = (
    "tool",
    "dependency install step",
    "cold build s",
    "install after code change",
    "steps ran",
    "rebuild s",
    "times faster",
)
# Seconds and the speed-up keep their header's width: a slower run does not shift the header.
SECONDS_COLUMNS = (2, 5, 6)


class ToolTable:
    """The comparison as a table (text and HTML); seconds last in each text line."""

    def __init__(self, runs: list[ToolRun]) -> None:
        self.runs = runs

    def rows(self) -> list[tuple[str, ...]]:
        return [run.row() for run in self.runs]

    def __repr__(self) -> str:
        return text_table(HEADER, self.rows(), SECONDS_COLUMNS)

    def _repr_html_(self) -> str:
        return html_table(HEADER, self.rows(), outcome_column=3)


def base_image_env(image: str = PYTHON_BASE) -> dict[str, str]:
    """The ``ENV`` of a local image (empty when the engine does not have it)."""
    import docker
    from docker.errors import ImageNotFound

    client = docker.from_env()
    try:
        env = client.api.inspect_image(image)["Config"].get("Env") or []
    except ImageNotFound:
        return {}
    finally:
        client.close()
    return dict(item.split("=", 1) for item in env if "=" in item)


def image_unavailable(image: str) -> str | None:
    """Why ``image`` cannot be used here (None when it is present or could be pulled)."""
    import docker
    from docker.errors import APIError, ImageNotFound

    client = docker.from_env()
    try:
        client.images.get(image)
        return None
    except ImageNotFound:
        pass
    try:
        client.images.pull(image)
        return None
    except APIError:
        return f"{image} is not on this engine and no registry answers to pull it"
    finally:
        client.close()


def run_tool(tool: Tool, builder: str = "buildkit") -> ToolRun:
    """The cold build and the rebuild after a code change, in a temporary copy."""
    run = ToolRun(tool)
    if tool.base_image != PYTHON_BASE:
        run.skipped = image_unavailable(tool.base_image)
        if run.skipped:
            return run
    args: dict[str, str] = {}
    # Cold first, then a change with a fresh token: nothing to forget for the next run.
    workspace = Workspace(f"{PROJECTS}/{tool.folder}", builder=builder, forget=False)  # type: ignore[arg-type]
    with workspace:
        adapt(workspace.path)
        try:
            # Into the cache only (no image is run here): exporting and unpacking the numpy
            # and pandas layers would take longer than many of the builds themselves.
            run.cold = workspace.build(
                "cold", cold=True, live=False, table=False, buildargs=args, export=False
            )
            # A fresh token each time: no cache anywhere can already hold the changed file.
            workspace.append(CHANGED_FILE, f"# edited {uuid.uuid4().hex}\n")
            run.rebuild = workspace.build(
                "after a code change",
                cold=False,
                live=False,
                table=False,
                buildargs=args,
                export=False,
            )
        except BuildError as error:
            run.failed = str(error).splitlines()[0][:120]
    return run


def show_dockerfiles(tools: tuple[Tool, ...] = TOOLS) -> None:
    """Print each tool's Dockerfile under its name."""
    for tool in tools:
        path = project_source(f"{PROJECTS}/{tool.folder}") / "Dockerfile"
        print(f"--- {tool.name}: projects/{PROJECTS}/{tool.folder}/Dockerfile")
        print(path.read_text())


def compare_tools(tools: tuple[Tool, ...] = TOOLS, builder: str = "buildkit") -> ToolTable:
    """Build every tool's project twice; print one line per tool as it goes."""
    runs = []
    for tool in tools:
        print(f"{tool.name}: cold build, then a rebuild after a change to {CHANGED_FILE}")
        runs.append(run_tool(tool, builder))
    return ToolTable(runs)


def plot_tools(table: ToolTable) -> Any:
    """Bar chart: cold build and rebuild seconds per tool (skipped tools left out)."""
    import matplotlib.pyplot as plt

    runs = [run for run in table.runs if run.cold is not None and run.rebuild is not None]
    figure, ax = plt.subplots(figsize=(8, 3.5))
    xs = range(len(runs))
    cold = [run.cold.seconds for run in runs if run.cold]
    again = [run.rebuild.seconds for run in runs if run.rebuild]
    ax.bar([x - 0.2 for x in xs], cold, width=0.4, label="cold build", color="#90caf9")
    colours = ["#c8e6c9" if run.install_outcome == "cached" else "#ffd8a8" for run in runs]
    ax.bar([x + 0.2 for x in xs], again, width=0.4, color=colours, edgecolor="#555555")
    ax.set_xticks(list(xs))
    ax.set_xticklabels([run.tool.name for run in runs])
    ax.set_ylabel("seconds")
    ax.set_title("rebuild after a code change: green = install cached, orange = reinstalled")
    ax.legend(loc="upper right")
    figure.tight_layout()
    plt.close(figure)
    return figure
