"""Try one Dockerfile variant: a cold build, a change, a rebuild; then one table for all variants.

Why: the "beyond the layer cache" lesson sets several Dockerfiles side by side (``--no-cache-dir``,
a BuildKit cache mount, a bind-mounted requirements file, a multi-stage build, ``ARG``
placement) and asks the same question of each: after a change, does the dependency install
run again, and if it does, does pip download the packages again? The second half is answered
from pip's own output lines in the step's record (``Downloading ...`` against ``Using cached
...``), counted, since the lines themselves carry URLs and sizes.

Each variant runs in its own :class:`checker.lessons.Workspace` (a temporary copy, images
removed at the end). Only the rebuild is shown, and the change before it carries a fresh token,
so what it shows does not depend on whether the first build ran or came from an earlier run's
cache: the first build uses the cache, which spares a rerun of the lesson a dozen installs.
Where the rebuild's downloads depend on the first install having filled a cache mount, the
first build is cold (``no_cache``) and, when asked, the cache mounts are emptied before it, so
a rerun of the notebook shows the same table.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field, replace
from typing import Any

from checker.build import BuildResult, StepRecord, prune_buildkit_cache, show
from checker.dockerfile import parse
from checker.lessons import Workspace
from checker.lessons.tables import OUTCOME_COLOURS, html_table, text_table

PROJECT = "beyond"
_DOWNLOADING = re.compile(r"^\s*Downloading\s")
_FROM_CACHE = re.compile(r"^\s*Using cached\s")


def pip_downloads(result: BuildResult, step: str) -> tuple[int, int]:
    """(files downloaded, files taken from pip's cache) in the output of the step ``step``."""
    record = result.step(step)
    downloaded = sum(bool(_DOWNLOADING.match(line)) for line in record.output)
    cached = sum(bool(_FROM_CACHE.match(line)) for line in record.output)
    return downloaded, cached


def in_file_order(result: BuildResult, dockerfile: str) -> BuildResult:
    """The result with its steps in Dockerfile order (stage by stage, then step number).

    BuildKit builds independent stages in parallel, so the order in which steps report back
    varies from build to build; a table in that order would differ between two runs.
    """
    stages = parse(dockerfile).stages
    # BuildKit names a stage by its AS name, else stage-N; a one-stage file may print neither.
    ranks: dict[str | None, int] = {None: 0}
    for stage in stages:
        ranks[f"stage-{stage.index}"] = stage.index
        if stage.name:
            ranks[stage.name] = stage.index

    # A named stage is also known as stage-N, and which of the two names a step shared by two
    # stages (their common FROM) gets depends on which stage reached it first: use the AS name.
    names = {f"stage-{stage.index}": stage.name for stage in stages if stage.name}

    def key(step: StepRecord) -> tuple[int, int]:
        return ranks.get(step.stage, len(stages)), step.number

    steps = [
        replace(step, stage=names.get(step.stage or "", step.stage))
        for step in sorted(result.steps, key=key)
    ]
    return replace(result, steps=steps)


@dataclass
class VariantRun:
    """The builds of one variant and what its install step did on the rebuild."""

    name: str
    install_step: str
    first: BuildResult
    rebuild: BuildResult
    change: str
    image_bytes: int | None = None  # the rebuilt image's size, read before it is removed

    @property
    def install_outcome(self) -> str:
        return self.rebuild.step(self.install_step).outcome

    def row(self) -> tuple[str, str, str, str, str]:
        outcome = self.install_outcome
        downloaded, cached = pip_downloads(self.rebuild, self.install_step)
        if outcome == "cached":
            downloaded_text, cached_text = "-", "-"
        else:
            downloaded_text, cached_text = str(downloaded), str(cached)
        return (self.name, outcome, downloaded_text, cached_text, f"{self.rebuild.seconds:.2f}")


HEADER = ("variant", "install on rebuild", "downloaded", "from pip cache", "rebuild s")


@dataclass
class VariantTable:
    """All variants tried so far, as one table (text and HTML; seconds last)."""

    runs: list[VariantRun] = field(default_factory=list)

    def rows(self) -> list[tuple[str, ...]]:
        return [run.row() for run in self.runs]

    def __repr__(self) -> str:
        return text_table(HEADER, self.rows())

    def _repr_html_(self) -> str:
        return html_table(HEADER, self.rows(), outcome_column=1)


def try_variant(
    name: str,
    dockerfile: str,
    install_step: str,
    *,
    change: str = "app.py",
    first_args: dict[str, str] | None = None,
    second_args: dict[str, str] | None = None,
    empty_cache_mounts: bool = False,
    add: str = "",
    table: VariantTable | None = None,
    measure_size: bool = False,
) -> VariantRun:
    """Build ``dockerfile``, change ``change`` (or only the build arguments), rebuild.

    ``change=""`` changes no file (for the ``ARG`` experiments, which change ``second_args``).
    ``add`` is text appended to ``change`` before the fresh comment (a new requirement line).
    ``empty_cache_mounts`` empties every cache mount on the engine, and says so in the output:
    the other projects on the engine lose theirs too. The rebuild's step table is shown; the
    run is appended to ``table`` when given. The builds go to BuildKit's cache only (no image
    exported and unpacked: most of a rebuild's seconds with numpy and pandas layers), except
    the rebuild of a variant whose image size is measured (``measure_size``).
    """
    if empty_cache_mounts:
        prune_buildkit_cache(cache_mounts_only=True)
        print(
            "emptied every BuildKit cache mount on this engine (all projects', not only this "
            "lesson's), so the first build starts with an empty pip cache\n"
        )
    # Every change carries a fresh token, so the steps need not be forgotten: the next
    # variant and the next run may take the first build from the cache.
    with Workspace(PROJECT, builder="buildkit", forget=False) as workspace:
        workspace.dockerfile(dockerfile)
        # The install must really run where it fills a cache mount the rebuild reads from.
        cold = empty_cache_mounts or "--mount=type=cache" in dockerfile
        first = workspace.build(
            "first",
            cold=cold,
            live=False,
            table=False,
            buildargs=dict(first_args or {}),
            export=False,
        )
        if change:
            # A fresh token each time: no cache anywhere can already hold the changed file.
            workspace.append(change, f"{add}# edited {uuid.uuid4().hex}\n")
        described = f"changed {change}" if change else "changed build arguments only"
        if add:
            described = f"changed {change}: {add.strip()} added"
        title = f"{name}: rebuild after {described.removeprefix('changed ')}"
        rebuild = workspace.build(
            title,
            cold=False,
            live=False,
            table=False,
            buildargs=dict(second_args if second_args is not None else first_args or {}),
            export=measure_size,
        )
        show(in_file_order(rebuild, workspace.read("Dockerfile")), title)
        if rebuild.step(install_step).outcome == "ran":
            downloaded, cached = pip_downloads(rebuild, install_step)
            files = "file" if downloaded == 1 else "files"
            print(f"the install ran: pip downloaded {downloaded} {files}, {cached} from its cache")
        size = image_bytes(rebuild.image_id)
    run = VariantRun(name, install_step, first, rebuild, described, size)
    if table is not None:
        table.runs.append(run)
    return run


def image_bytes(image_id: str | None) -> int | None:
    """The image's size as ``docker image inspect`` reports it, or None without an image."""
    if not image_id:
        return None
    from checker.build.classic import api_client

    api = api_client()
    try:
        return int(api.inspect_image(image_id)["Size"])
    finally:
        api.close()


def megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f}MB"


def compare_sizes(*runs: VariantRun) -> str:
    """The variants' image sizes, smallest first, each against the smallest.

    The sizes themselves vary a little between machines; the ratio is rounded to a tenth, so
    it reads the same on every run of the lesson.
    """
    sized = sorted((run for run in runs if run.image_bytes), key=lambda run: run.image_bytes or 0)
    if not sized:
        return "no image sizes were recorded"
    smallest = sized[0].image_bytes or 1
    width = max(len(run.name) for run in sized)
    lines = [f"smallest image: {sized[0].name}"]
    for run in sized:
        size = run.image_bytes or 0
        lines.append(f"  {run.name:<{width}}  {megabytes(size)}  x{size / smallest:.1f}")
    return "\n".join(lines)


def index_cache_control(package: str = "requests") -> str:
    """What the package index the base image uses says about caching its files.

    pip keeps a downloaded file in its cache (and so in a cache mount) only when the index
    allows it with a ``Cache-Control`` header; PyPI sends ``max-age=365000000, immutable``.
    Some mirrors send none, and then a cache mount saves nothing. Returns one sentence.
    """
    import urllib.parse
    import urllib.request

    from checker.lessons.tools import base_image_env

    index = base_image_env().get("PIP_INDEX_URL")
    if not index:
        return "the base image uses PyPI, which sends Cache-Control: max-age=365000000, immutable"
    page_url = urllib.parse.urljoin(index, f"{package}/")
    with urllib.request.urlopen(page_url, timeout=10) as response:
        page = response.read().decode("utf-8", errors="replace")
    link = re.search(r'href="([^"#]+)', page)
    if link is None:
        return f"the index at {index} lists no file for {package}"
    request = urllib.request.Request(urllib.parse.urljoin(page_url, link[1]), method="HEAD")
    with urllib.request.urlopen(request, timeout=10) as response:
        header = response.headers.get("Cache-Control")
    if header:
        return f"the local index sends Cache-Control: {header}, so pip may cache its files"
    return (
        "the local index sends no Cache-Control header with its files, so pip does not keep "
        "them in its cache: here a cache mount cannot spare the downloads"
    )


def fresh_value() -> str:
    """A build-argument value no earlier build used (a made-up 7-digit commit id).

    BuildKit keeps its cache after the images are gone, so a value from an earlier run of the
    notebook would find its cached steps and the experiment would not show a change.
    """
    return uuid.uuid4().hex[:7]


def plot_variants(table: VariantTable) -> Any:
    """Bar chart: rebuild seconds per variant, green where the install came from the cache.

    Why a chart: the table's point is a comparison (which orders pay for a reinstall on every
    rebuild), and bars of very different lengths show it at a glance. The figure is closed
    before it is returned, so a notebook shows it once (as the cell's value), not twice.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    runs = list(reversed(table.runs))  # the first variant at the top
    figure, ax = plt.subplots(figsize=(8, 3.5))
    colours = [OUTCOME_COLOURS.get(run.install_outcome, "#dddddd") for run in runs]
    ax.barh(range(len(runs)), [run.rebuild.seconds for run in runs], color=colours,
            edgecolor="#555555")  # fmt: skip
    ax.set_yticks(list(range(len(runs))))
    ax.set_yticklabels([run.name for run in runs])
    ax.set_xlabel("rebuild seconds")
    ax.set_title("rebuild after the change: did the dependency install run?")
    legend = [Patch(color=OUTCOME_COLOURS[outcome], label=f"install {outcome}")
              for outcome in ("ran", "cached")]  # fmt: skip
    ax.legend(handles=legend, loc="lower right")
    figure.tight_layout()
    plt.close(figure)
    return figure
