"""LC007: pip's download cache is written into the image."""

from __future__ import annotations

from collections.abc import Iterator

from checker.grading.findings import Finding
from checker.rules.analysis import Analysis
from checker.rules.base import Rule, describe
from checker.shell.mounts import cache_mounts


class PipCacheInImage(Rule):
    """``pip install`` without ``--no-cache-dir`` and without a cache mount.

    pip keeps every downloaded wheel in ``/root/.cache/pip``; inside a ``RUN`` that cache
    becomes part of the layer (tens of megabytes shipped with the image) and is still useless
    to the next build, because a rerun step starts from the previous layer, not from this
    one. Either drop it (``--no-cache-dir``) or keep it outside the image with a BuildKit
    cache mount, which also makes a rerun install reuse the downloads.

    **Anti-pattern**

    .. code-block:: dockerfile

        RUN pip install -r requirements.txt

    **Best practice**

    .. code-block:: dockerfile

        RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt
    """

    id = "LC007"
    name = "pip-cache-in-image"
    severity = "info"

    def check(self, analysis: Analysis) -> Iterator[Finding]:
        for step in analysis.install_steps:
            if step.has_cache_mount:
                continue
            leaky = [item for item in step.installs if item.cache_in_layer]
            if not leaky:
                continue
            instruction = step.instruction
            default = "/root/.cache/uv" if leaky[0].tool == "uv" else "/root/.cache/pip"
            target = leaky[0].cache_dir or default
            body = instruction.text if not instruction.json_form else leaky[0].command
            mounted = [mount.target for mount in cache_mounts(instruction) if mount.target]
            advice = (
                f"Its cache mount at {', '.join(mounted)} is not where {leaky[0].tool} keeps "
                f"its downloads in this step ({target}), so it spares nothing: mount {target} "
                "instead, or use --no-cache-dir."
                if mounted
                else "Use a cache mount (faster reinstalls) or --no-cache-dir."
            )
            yield self.finding(
                instruction,
                f"{describe(instruction)} leaves the package download cache inside the image: "
                f"it makes the image bigger and does not speed up the next build. {advice}",
                f"RUN --mount=type=cache,target={target} {body}",
            )
