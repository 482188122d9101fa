"""The builder's own words: a build through the docker CLI, as a learner's terminal shows it.

The runner turns builder output into tables; lesson 2 also teaches how to read the raw text
(``Step 3/7 : ...`` and `` ---> Using cache`` from the classic builder, ``#7 CACHED`` from
BuildKit), because that is what a learner will meet outside the workshop. So this runs the real
CLI with the project label (clean-up finds the image) and an ``--iidfile`` (the workspace
removes the image), and keeps the lines that say what each step did.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from checker.build import find_buildkit_client
from checker.build.errors import NoBuildKitClient
from checker.build.labels import PROJECT_LABELS
from checker.build.options import BuilderName

# BuildKit's plain progress: "#7 [3/5] COPY ...", "#7 CACHED", "#7 DONE 0.1s", "#7 0.123 out".
_VERTEX = re.compile(r"^#(\d+) (.*)$")
_STEP_HEADER = re.compile(r"^\[(?:(?P<stage>\S+) )?(?P<number>\d+)/\d+\] ")
_KEEP_BUILDKIT = re.compile(r"^(CACHED|DONE\b|ERROR\b|\[)")


@dataclass(frozen=True)
class Transcript:
    """The CLI's output of one build, and the image it made (None if the build failed)."""

    builder: BuilderName
    text: str
    image_id: str | None
    exit_code: int

    def steps_only(self) -> str:
        """The lines about Dockerfile steps (headers and cache hits), without pip's output."""
        if self.builder == "classic":
            return _classic_steps(self.text)
        return _buildkit_steps(self.text)


def cli_path() -> str:
    """The docker CLI a learner types: the first on PATH (else the one that has BuildKit).

    For the classic builder this matters: clients from 23.0 on send the context with empty
    owner names, as the runner does, so they share its ``COPY`` cache; Debian's 20.10 client
    sends ``root`` and misses it (then the transcript would reinstall every package).
    """
    found = shutil.which("docker")
    if found:
        return found
    try:
        return find_buildkit_client().path
    except NoBuildKitClient:
        return "docker"


def cli_build(context: Path, builder: BuilderName, no_cache: bool = False) -> Transcript:
    """Build ``context`` with the docker CLI and return its full output."""
    env = dict(os.environ)
    if builder == "buildkit":
        client = find_buildkit_client()
        env.update(client.environment())
        command = [*client.command(), "--progress=plain"]
    else:
        env["DOCKER_BUILDKIT"] = "0"
        command = [cli_path(), "build"]
    with tempfile.TemporaryDirectory(prefix="checker-transcript-") as scratch:
        iidfile = Path(scratch) / "iid"
        command += ["--iidfile", str(iidfile)]
        for key, value in PROJECT_LABELS.items():
            command += ["--label", f"{key}={value}"]
        if no_cache:
            command.append("--no-cache")
        command.append(str(context))
        done = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=900, check=False
        )
        image_id = iidfile.read_text().strip() if iidfile.is_file() else None
    text = done.stdout + done.stderr if builder == "classic" else done.stderr + done.stdout
    return Transcript(builder, text, image_id or None, done.returncode)


def _classic_steps(text: str) -> str:
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("Sending build")), 0)
    kept = [line for line in lines[start:] if line.startswith(("Sending", "Step ", " ---> "))]
    kept += [line for line in lines[start:] if line.startswith("Successfully built")]
    return "\n".join(kept)


def _buildkit_steps(text: str) -> str:
    """Step blocks in step order: BuildKit prints cached steps in whatever order they finish."""
    blocks: dict[str, list[str]] = {}
    order: dict[str, tuple[str, int]] = {}
    for line in text.splitlines():
        match = _VERTEX.match(line)
        if not match:
            continue
        vertex, rest = match.groups()
        header = _STEP_HEADER.match(rest)
        if header and vertex not in order:
            order[vertex] = (header["stage"] or "", int(header["number"]))
        if _KEEP_BUILDKIT.match(rest):
            lines = blocks.setdefault(vertex, [])
            if line not in lines:
                lines.append(line)
    steps = sorted(order, key=lambda vertex: order[vertex])
    return "\n\n".join("\n".join(blocks[vertex]) for vertex in steps)
