"""The proof of an exercise's answer: two real builds around a change, then a run of the image.

Why a proof of our own beside :func:`checker.verify.proof.verify`: verify asks "did the
engine do what the cache model predicted?"; an exercise asks "does the answer behave as the
task says?". Each exercise names a change (an application file, a build argument, files the
context should not send, a package added) and what must happen to the dependency install on
the rebuild, and the image must still run its program. The findings name the Dockerfile line
that misbehaved, so a failing answer says where to look, never what text was expected.

Every change carries a fresh random token, so the rebuild really meets a change even when an
earlier run left the same answer in BuildKit's cache (which outlives images).
"""

from __future__ import annotations

import re
import subprocess
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from checker.build import BuildError, BuildResult
from checker.build.records import StepRecord
from checker.cache import needed_stages
from checker.dockerfile import DockerfileSyntaxError, parse_file
from checker.dockerfile.model import Dockerfile, Instruction
from checker.lessons import Workspace
from checker.rules.environments import reach, stage_copies, unused_venv
from checker.shell.installs import installs_in
from checker.shell.mounts import cache_mounts
from checker.shell.record import DependencyInstall as ShellInstall

MARKER = "app ok"  # every exercise's program prints this last when its imports worked


@dataclass(frozen=True)
class Finding:
    """One thing the proof saw go wrong, at a line of the answer (0: no single line)."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


@dataclass
class Proof:
    """What the two builds and the run showed."""

    change: str
    steps: list[tuple[str, str]] = field(default_factory=list)  # (outcome, instruction)
    findings: list[Finding] = field(default_factory=list)
    measures: list[str] = field(default_factory=list)
    output: str = ""

    @property
    def passed(self) -> bool:
        return not self.findings


@dataclass(frozen=True)
class DependencyInstall:
    """A RUN step that installs dependencies, in a stage the final image is built from."""

    instruction: Instruction
    command: str


def dependency_installs(dockerfile: Dockerfile) -> tuple[list[DependencyInstall], list[Finding]]:
    """The installs the final image depends on, and findings for those whose packages do not
    reach it.

    An install of the project alone (``--no-deps``) is not a dependency install. An install
    in a stage the final stage never copies from is never built by BuildKit: it is left out
    here, and the grade's LC010 names it (a finding of our own would say it twice).
    """
    needed = needed_stages(dockerfile)
    found: list[DependencyInstall] = []
    skipped: list[Finding] = []
    by_step = [(i, installs_in(dockerfile, i)) for i in dockerfile.instructions]
    # The project's own install (`uv sync` after the code, `pip install .`) counts only where
    # nothing installs the dependencies from their files without the project (a tool installed
    # by name, `pip install uv`, is not that).
    separate = any(
        not item.installs_project and item.manifests for _, items in by_step for item in items
    )
    for instruction, items in by_step:
        installs = [
            item for item in items if not (item.installs_project and (item.no_deps or separate))
        ]
        if installs and instruction.stage in needed:
            found.append(DependencyInstall(instruction, installs[0].command))
            skipped.extend(_not_in_image(dockerfile, instruction, installs))
    return found, skipped


def _not_in_image(
    dockerfile: Dockerfile, instruction: Instruction, installs: list[ShellInstall]
) -> list[Finding]:
    """An install of a built stage whose packages still miss the final image (the stage is
    reached only through a copy of something else), or land in a venv its ``python`` does
    not use (see :mod:`checker.rules.environments`)."""
    install = next((item for item in installs if item.manifests), None)
    if install is None:
        return []
    found = reach(dockerfile, instruction, install)
    if not found.reaches:
        copies = "; ".join(
            f"line {copy.line} copies only {' '.join(sources)}"
            for copy in found.copies
            for _, sources, _ in stage_copies(dockerfile, copy)
        )
        return [
            Finding(
                instruction.line,
                f"this install writes into {found.environment.describe()}, but the final "
                f"stage gets none of it from this stage ({copies}): the packages never reach "
                "the image",
            )
        ]
    unused = unused_venv(dockerfile, found)
    if unused is not None and found.landed is not None:
        root = found.landed.root
        return [
            Finding(
                unused.line,
                f"this copies the installed packages to {root}, but nothing in the final stage "
                f"puts {root}/bin on PATH (nor does CMD run {root}/bin/python): `python` is "
                "the image's own, which cannot import them",
            )
        ]
    return []


def static_findings(
    dockerfile: Dockerfile, kind: str = "source", *, project: bool = False
) -> list[Finding]:
    """What can be seen without building: no dependency install, or one that is skipped;
    with ``project``, no install of the project itself; for an ``add-package`` exercise, an
    install whose downloads no cache mount keeps."""
    found, skipped = dependency_installs(dockerfile)
    final = dockerfile.stages[-1] if dockerfile.stages else None
    findings = list(skipped)
    if not found:
        findings.append(
            Finding(
                final.line if final else 0,
                "no step of the final image installs the dependencies, so the program cannot "
                "import them",
            )
        )
    if project and found and not _project_installed(dockerfile):
        findings.append(
            Finding(
                _program_line(dockerfile),
                "no step of the final image installs the project itself (only its "
                "dependencies): its package and the console script it declares are not in "
                "the image",
            )
        )
    if kind == "add-package":
        findings += [_uncached(dockerfile, install) for install in found]
    return [finding for finding in findings if finding is not None]


def _project_installed(dockerfile: Dockerfile) -> bool:
    needed = needed_stages(dockerfile)
    return any(
        item.installs_project
        for instruction in dockerfile.instructions
        if instruction.stage in needed
        for item in installs_in(dockerfile, instruction)
    )


def _program_line(dockerfile: Dockerfile) -> int:
    """The line of the image's program (its last CMD or ENTRYPOINT), else its FROM."""
    for instruction in reversed(dockerfile.instructions):
        if instruction.keyword in {"CMD", "ENTRYPOINT"}:
            return instruction.line
    return dockerfile.stages[-1].line if dockerfile.stages else 0


def _uncached(dockerfile: Dockerfile, install: DependencyInstall) -> Finding | None:
    """A dependency install whose downloads no cache mount keeps for the next build: a
    mount where the tool does not cache (another user's home, a moved cache directory) or
    a tool told to keep no cache spares nothing."""
    items = installs_in(dockerfile, install.instruction)
    if not items or any(item.cache_mounted and item.keeps_download_cache for item in items):
        return None
    item = items[0]
    targets = [mount.target for mount in cache_mounts(install.instruction) if mount.target]
    if targets and not item.keeps_download_cache:
        why = (
            f"`{item.command}` is told to keep no download cache (--no-cache-dir, "
            "PIP_NO_CACHE_DIR or the like), so the cache mount has nothing to hold"
        )
    elif targets:
        where = item.cache_dir or "another folder"
        why = (
            f"the cache mount at {', '.join(targets)} is not where {item.tool} keeps its "
            f"downloads in this step ({where}), so it spares nothing"
        )
    else:
        why = "no cache mount keeps the downloads between builds"
    return Finding(
        install.instruction.line,
        f"{why}: adding a package to the requirements downloads every package again",
    )


def token() -> str:
    """A fresh value, so that no cache holds the changed content yet."""
    return uuid.uuid4().hex[:12]


def prove(
    kind: str,
    workspace: Workspace,
    changed: str,
    *,
    build_arg: str | None = None,
    stale_lock: bool = False,
) -> Proof:
    """Build ``workspace``, make the change ``kind`` describes, build again, run the image.

    With ``stale_lock``, a third build after ``pyproject.toml`` alone asks for one more package
    (see :func:`_refuses_stale_lock`).
    """
    try:
        dockerfile = parse_file(workspace.file("Dockerfile"))
    except DockerfileSyntaxError as error:
        return Proof("none", findings=[Finding(error.line or 0, str(error))])
    installs, _ = dependency_installs(dockerfile)
    args = {build_arg: token()} if build_arg else {}
    if kind == "ignored":
        _git(workspace.path, "init", "-q")
        _git(workspace.path, "add", "-A")
        _git(workspace.path, "commit", "-q", "-m", "start")
    first = _build(workspace, "first build", args, dockerfile)
    if isinstance(first, Finding):
        return Proof("none", findings=[first])
    change, args = _change(kind, workspace, changed, args, build_arg)
    second = _build(workspace, "after the change", args, dockerfile)
    if isinstance(second, Finding):
        return Proof(change, findings=[second])
    shown = [step for step in second.learner_steps if step.outcome != "base"]
    # In the Dockerfile's order: BuildKit's own order varies where a stage is not built.
    shown.sort(key=lambda step: line_of(dockerfile, step))
    proof = Proof(change, steps=[(step.outcome, step.instruction) for step in shown])
    if kind == "add-package":
        _spared(proof, installs, second)
    elif kind == "ignored":
        _all_cached(proof, dockerfile, second)
    else:
        _installs_cached(proof, installs, second)
    _run(proof, workspace, second, dockerfile, args.get(build_arg or "", ""))
    if stale_lock:
        _refuses_stale_lock(proof, workspace, dockerfile, installs, args)
    return proof


STALE_DEPENDENCY = "tabulate==0.9.0"  # in the wheelhouse: re-locking it would succeed offline


def _refuses_stale_lock(
    proof: Proof,
    workspace: Workspace,
    dockerfile: Dockerfile,
    installs: list[DependencyInstall],
    args: dict[str, str],
) -> None:
    """A build "exactly as locked" must stop when the lock no longer matches pyproject.toml.

    Why a build and not a look for ``--locked``: ``--frozen``, ``UV_LOCKED=1`` or a
    ``uv lock --check`` step are as good, and a flag in the wrong step is not. So pyproject.toml
    gets a dependency that uv.lock does not hold, and the build must fail with uv's "needs to be
    updated"; a build that succeeds re-locked inside the image, and what it installed is not
    what was reviewed.
    """
    workspace.replace(
        "pyproject.toml", "dependencies = [", f'dependencies = ["{STALE_DEPENDENCY}", '
    )
    change = f"{STALE_DEPENDENCY} added to pyproject.toml and not to uv.lock"
    try:
        workspace.build(
            "stale lock", builder="buildkit", cold=False, live=False, table=False, buildargs=args
        )
    except BuildError as error:
        line = _failed_line(dockerfile, error)
        if "needs to be updated" in str(error):
            proof.measures.append(f"with {change}, the build stopped at line {line}: stale lock")
        else:
            proof.findings.append(
                Finding(
                    line,
                    f"with {change}, the build failed, but not because the lock was refused: "
                    f"{_last_line(error)}",
                )
            )
        return
    syncs = [
        install.instruction.line
        for install in installs
        if any(item.tool == "uv" for item in installs_in(dockerfile, install.instruction))
    ]
    proof.findings.append(
        Finding(
            syncs[0] if syncs else 0,
            f"with {change}, the build went on: uv locked again inside the image, so the "
            "image does not hold what was locked",
        )
    )


def _git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=learner", "-c", "user.email=learner@example.org", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


def _change(
    kind: str, workspace: Workspace, changed: str, args: dict[str, str], build_arg: str | None
) -> tuple[str, dict[str, str]]:
    fresh = token()
    if kind == "build-arg" and build_arg:
        return f"--build-arg {build_arg}={fresh}", {build_arg: fresh}
    if kind == "ignored":
        workspace.append("data/visits.csv", f"Rome,{int(fresh, 16) % 97}\n")
        workspace.replace("notebooks/explore.ipynb", "Exploration", f"Exploration {fresh}")
        _git(workspace.path, "commit", "-q", "--allow-empty", "-m", f"work {fresh}")
        return "a commit in .git, a row in data/, an edit in notebooks/", args
    if kind == "add-package":
        workspace.append(changed, f"tabulate==0.9.0  # added {fresh}\n")
        return f"tabulate added to {changed}", args
    workspace.append(changed, f"# changed {fresh}\n")
    return f"a change to {changed}", args


def _build(
    workspace: Workspace, label: str, args: dict[str, str], dockerfile: Dockerfile
) -> BuildResult | Finding:
    try:
        result = workspace.build(
            label, builder="buildkit", cold=False, live=False, table=False, buildargs=args
        )
    except BuildError as error:
        return Finding(_failed_line(dockerfile, error), f"the build failed: {_last_line(error)}")
    return result


def _failed_line(dockerfile: Dockerfile, error: BuildError) -> int:
    return line_of(dockerfile, error.step) if error.step is not None else 0


def line_of(dockerfile: Dockerfile, step: StepRecord) -> int:
    """The line of the instruction a build step ran (0 when none matches).

    The same text can stand in two stages (`COPY --from=deps /venv /venv` in a test stage and
    the final one): an instruction of the stage BuildKit names for the step comes first.
    """
    names = {stage.index: stage.name or f"stage-{stage.index}" for stage in dockerfile.stages}
    matching = [
        instruction
        for instruction in dockerfile.instructions
        if instruction.keyword == step.keyword and _matches(step.instruction, instruction)
    ]
    same_stage = [i for i in matching if step.stage and names.get(i.stage) == step.stage]
    return (same_stage or matching)[0].line if matching else 0


def _last_line(error: BuildError) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    errors = [line for line in lines if "ERROR" in line or "error" in line]
    return (errors or lines or ["(no output)"])[-1][:200]


def _matches(step_instruction: str, instruction: Instruction) -> bool:
    wanted = " ".join(f"{instruction.keyword} {instruction.text}".split())
    seen = " ".join(step_instruction.split())
    return seen.endswith(" ".join(instruction.text.split())[-60:]) or seen == wanted


def _step_of(result: BuildResult, instruction: Instruction) -> str | None:
    for step in result.learner_steps:
        if step.keyword == instruction.keyword and _matches(step.instruction, instruction):
            return step.outcome
    return None


def _installs_cached(proof: Proof, installs: list[DependencyInstall], second: BuildResult) -> None:
    for install in installs:
        if _step_of(second, install.instruction) == "ran":
            proof.findings.append(
                Finding(
                    install.instruction.line,
                    f"`{install.command}` ran again after {proof.change}: the packages "
                    "were installed again",
                )
            )


def _all_cached(proof: Proof, dockerfile: Dockerfile, second: BuildResult) -> None:
    for instruction in dockerfile.instructions:
        if instruction.keyword in {"COPY", "ADD"} and _step_of(second, instruction) == "ran":
            proof.findings.append(
                Finding(
                    instruction.line,
                    f"`{instruction.original.strip()}` ran again after {proof.change}: "
                    "files the image does not need reached the build context",
                )
            )


_SIZE = re.compile(r"\(([\d.]+) (kB|MB|GB)\)")
_UNITS = {"kB": 1e3, "MB": 1e6, "GB": 1e9}


def _sizes(lines: list[str], prefix: str) -> float:
    total = 0.0
    for line in lines:
        text = line.strip()
        if text.startswith(prefix) and ".whl" in text and ".metadata" not in text:
            match = _SIZE.search(text)
            if match:
                total += float(match.group(1)) * _UNITS[match.group(2)]
    return total


def _spared(proof: Proof, installs: list[DependencyInstall], second: BuildResult) -> None:
    for install in installs:
        steps = [
            step
            for step in second.learner_steps
            if step.keyword == "RUN" and _matches(step.instruction, install.instruction)
        ]
        if not steps or steps[0].outcome != "ran":
            continue
        downloaded = _sizes(steps[0].output, "Downloading")
        reused = _sizes(steps[0].output, "Using cached")
        proof.measures.append(
            f"the rerun install downloaded {downloaded / 1e6:.1f} MB and took "
            f"{reused / 1e6:.1f} MB from the cache mount"
        )
        if downloaded > reused:
            proof.findings.append(
                Finding(
                    install.instruction.line,
                    "the install downloaded the packages it had before again: nothing kept "
                    "pip's downloads from the last build",
                )
            )


def _run(
    proof: Proof, workspace: Workspace, result: BuildResult, dockerfile: Dockerfile, version: str
) -> None:
    output = workspace.run(result, quiet=True) or ""
    proof.output = output.strip()
    cmd = next(
        (i for i in reversed(dockerfile.instructions) if i.keyword in {"CMD", "ENTRYPOINT"}),
        None,
    )
    line = cmd.line if cmd else 0
    if MARKER not in output:
        last = (output.strip().splitlines() or ["(nothing)"])[-1][:160]
        proof.findings.append(Finding(line, f"the image does not run its program: {last}"))
    elif version and version not in output:
        proof.findings.append(
            Finding(line, "the program does not see the version passed as build argument")
        )
