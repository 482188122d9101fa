"""Proof that the cache model is right: build twice on a real engine and compare, step by step.

``verify(dockerfile, context)`` builds the context once, changes one application source file,
builds again, and sets what the engine did on the second build (each step cached or ran)
beside what :func:`checker.cache.predict` said it would do after that change. Every
verdict the grader gives rests on that model, so a disagreement is a bug in the checker, and
the report says so in words a learner can pass on.

Why a copy of the context: the change is made to a temporary copy, so the user's directory is
never written to. The change appends a comment line with a fresh random token: the cache
cannot hold the changed file from an earlier run, so the second build really meets a change.

Why not use the runner alone: an untrusted Dockerfile is built under the limits and with the
clean-up of :mod:`checker.verify.sandbox`, and the steps are paired with the prediction by
:mod:`checker.verify.compare`.

Outcomes (:attr:`VerifyReport.exit_code`): 0 the engine did what the model predicted; 1 it did
not (a checker bug), or the checker itself failed; 2 the check could not be made: unusable
input (no such file, a Dockerfile that does not parse or does not build, a missing base image
or package, the time limit) or no engine. ``verify`` never raises for these: the report holds
a one-line ``error``.

In a notebook (the report renders as a table)::

    from checker.runtime.progress import printer
    from checker.verify.proof import verify
    verify("sample_project/Dockerfile", progress=printer())
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import docker
from docker.errors import DockerException, NotFound
from requests.exceptions import RequestException

from checker.build import BuildError, BuildResult, BuildTimeout, NoBuildKitClient, build
from checker.build.classic import api_client
from checker.build.events import BuildEvent, StepStarted
from checker.build.labels import PROJECT_LABEL
from checker.build.records import StepRecord
from checker.cache import (
    ContextFiles,
    built_stages,
    context_sources,
    predict,
    source_matches,
)
from checker.dockerfile import DockerfileSyntaxError, parse_file
from checker.dockerfile.model import Dockerfile
from checker.runtime.progress import Progress, quiet
from checker.shell.manifests import is_manifest
from checker.shell.mounts import bind_sources as context_bind_sources
from checker.verify.compare import AlignmentError, StepCheck, align, describe_mismatch
from checker.verify.network import build_engine, plan_network
from checker.verify.sandbox import (
    DEFAULT_TIMEOUT,
    BuildkitCgroup,
    CleanupSummary,
    Leftovers,
    Limits,
    base_images,
    image_ids,
    index_urls,
    local_engine,
)

THROWAWAY_ENGINE = "a throwaway engine of verify's own, deleted after the check"
LEARNERS_ENGINE = "the engine DOCKER_HOST names (or the local one)"
AGREED = "agreed"
MISMATCH = "mismatch"
ERROR = "error"
PLEASE_REPORT = (
    "please report this checker bug to the workshop maintainers, with the Dockerfile and the "
    "output of `python -m checker verify ... --format json`"
)
_NETWORK_FAILURE = re.compile(
    r"name resolution|resolve host|Name or service not known|Connection refused|"
    r"Network is unreachable|No route to host|Connection reset|Failed to connect",
    re.IGNORECASE,
)
_NO_DISTRIBUTION = re.compile(r"No matching distribution found for (?P<name>[^\s;]+)")
_COMMENT = {
    **dict.fromkeys(("js", "ts", "go", "c", "h", "cc", "cpp", "java", "rs", "kt"), ("//", "")),
    **dict.fromkeys(("html", "htm", "xml", "md", "svg"), ("<!--", " -->")),
    "css": ("/*", " */"),
}


class VerifyProblem(Exception):
    """Why the check could not be made (``kind``: input, engine, build-failed, timeout,
    missing-base-image, missing-package, interference) or failed inside the checker
    (``internal``)."""

    def __init__(self, kind: str, message: str, detail: list[str] | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = " ".join(message.split())
        self.detail = detail or []


@dataclass
class VerifyReport:
    """What the two builds showed, beside what the cache model predicted."""

    dockerfile: str
    context: str
    builder: str
    changed: str | None = None
    steps: list[StepCheck] = field(default_factory=list)
    error: str | None = None
    error_kind: str | None = None
    detail: list[str] = field(default_factory=list)
    builds: list[dict[str, object]] = field(default_factory=list)
    network: str = "default"
    network_reason: str = ""
    network_contained: bool = False
    engine: str = ""
    limits: str = ""
    cleanup: CleanupSummary = field(default_factory=CleanupSummary)

    @property
    def mismatches(self) -> list[StepCheck]:
        return [step for step in self.steps if step.mismatch]

    @property
    def compared(self) -> list[StepCheck]:
        return [step for step in self.steps if step.agrees is not None]

    @property
    def status(self) -> str:
        if self.error is not None:
            return ERROR
        return MISMATCH if self.mismatches else AGREED

    @property
    def checker_bug(self) -> bool:
        return self.status == MISMATCH or self.error_kind in ("internal", "alignment")

    @property
    def exit_code(self) -> int:
        if self.checker_bug:
            return 1
        return 2 if self.error is not None else 0

    def summary(self) -> str:
        """One line: the verdict (what the CLI prints on stderr when it is not 0)."""
        if self.status == AGREED:
            return (
                f"the engine did what the cache model predicted on all {len(self.compared)} "
                f"compared steps after a change to {self.changed}"
            )
        if self.status == MISMATCH:
            count = len(self.mismatches)
            return (
                f"checker bug: the cache model disagreed with the engine on {count} "
                f"step{'s' if count != 1 else ''}: {describe_mismatch(self.mismatches[0])}"
            )
        if self.error_kind in ("internal", "alignment"):
            return f"checker bug: {self.error}"
        return f"could not verify: {self.error}"

    def to_dict(self) -> dict[str, object]:
        return {
            "dockerfile": self.dockerfile,
            "context": self.context,
            "builder": self.builder,
            "changed": self.changed,
            "status": self.status,
            "exit_code": self.exit_code,
            "summary": self.summary(),
            "error": (
                None
                if self.error is None
                else {"kind": self.error_kind, "message": self.error, "detail": self.detail}
            ),
            "steps": [step.to_dict() for step in self.steps],
            "mismatches": [step.number for step in self.mismatches],
            "builds": self.builds,
            "sandbox": {
                "network": self.network,
                "network_reason": self.network_reason,
                "network_contained": self.network_contained,
                "engine": self.engine,
                "limits": self.limits,
            },
            "cleanup": self.cleanup.to_dict(),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    def __str__(self) -> str:
        return render_proof_text(self)

    def _repr_html_(self) -> str:
        return render_proof_html(self)


def render_proof_text(report: VerifyReport) -> str:
    """The terminal rendering: the step table, the verdict, the sandbox, the clean-up."""
    lines = [f"verify {report.dockerfile} (context {report.context}, {report.builder} builder)"]
    if report.changed and len(report.builds) == 2:
        lines.append(f"built, changed {report.changed}, built again:")
    if report.steps:
        rows = [("step", "line", "instruction", "predicted", "engine", "")]
        for step in report.steps:
            text = (
                step.instruction if len(step.instruction) <= 48 else step.instruction[:45] + "..."
            )
            mark = {True: "ok", False: "MISMATCH", None: ""}[step.agrees]
            rows.append(
                (str(step.number), str(step.line), text, step.predicted, step.actual or "-", mark)
            )
        widths = [max(len(row[column]) for row in rows) for column in range(5)]
        for row in rows:
            cells = [row[column].ljust(widths[column]) for column in range(5)]
            lines.append("  ".join([*cells, row[5]]).rstrip())
    lines.append("")
    lines.append(report.summary())
    if report.status == MISMATCH:
        lines.extend(describe_mismatch(step) for step in report.mismatches[1:])
    lines.extend(f"    {line}" for line in report.detail)
    if report.checker_bug:
        lines.append(PLEASE_REPORT)
    if report.limits:
        lines.append(f"engine: {report.engine}")
        lines.append(f"network: {report.network} ({report.network_reason})")
        lines.append(f"limits: {report.limits}")
    removed = len(report.cleanup.images) + len(report.cleanup.containers)
    lines.append(f"clean-up: removed {removed} image(s)/container(s) this check created")
    lines.extend(f"clean-up: kept {item}" for item in report.cleanup.kept)
    return "\n".join(lines).rstrip() + "\n"


def render_proof_html(report: VerifyReport) -> str:
    """The notebook rendering: the verdict, then the step table (inline CSS, no script)."""
    colour = {AGREED: "#e6f4ea", MISMATCH: "#fdecea", ERROR: "#fef7e0"}[report.status]
    parts = [
        f"<div style='background:{colour};padding:4px 8px;font-family:sans-serif'>"
        f"<b>{html.escape(report.summary())}</b>"
    ]
    if report.checker_bug:
        parts.append(f"<br>{html.escape(PLEASE_REPORT)}")
    parts.append("</div>")
    if report.steps:
        cell = "style='text-align:left;padding:2px 8px'"
        parts.append(
            "<table style='border-collapse:collapse;font-family:monospace;font-size:13px'><tr>"
            + "".join(
                f"<th {cell}>{name}</th>"
                for name in ("step", "line", "instruction", "predicted", "engine", "why")
            )
            + "</tr>"
        )
        for step in report.steps:
            background = {True: "#e6f4ea", False: "#fdecea", None: "#fff"}[step.agrees]
            values = (
                str(step.number),
                str(step.line),
                step.instruction,
                step.predicted,
                step.actual or "-",
                step.reason,
            )
            parts.append(
                f"<tr style='background:{background}'>"
                + "".join(f"<td {cell}>{html.escape(value)}</td>" for value in values)
                + "</tr>"
            )
        parts.append("</table>")
    return "".join(parts)


# --------------------------------------------------------------------------------------
# Choosing and making the change


def choose_changed_file(
    dockerfile: Dockerfile,
    context: ContextFiles,
    builder: str,
    exclude: Callable[[str], bool] = lambda path: False,
) -> str | None:
    """The application file to change: the first ``.py`` file (not a dependency manifest)
    that a built step copies, else any such ``.py`` file, else any other copied file that is
    not a manifest. None when the context has nothing to change."""
    built = built_stages(dockerfile, builder)
    sources = [
        source
        for stage in dockerfile.stages
        if stage.index in built
        for instruction in stage.instructions
        for source in (context_sources(instruction) or context_bind_sources(instruction))
    ]
    files = [path for path in context.files() if not is_manifest(path) and not exclude(path)]
    python = [path for path in files if path.endswith(".py")]

    def copied(path: str) -> bool:
        return any(source_matches(source, path) for source in sources)

    special = {Path(dockerfile.path or "Dockerfile").name, ".dockerignore"}
    others = [path for path in files if Path(path).name not in special]
    for candidates in ([p for p in python if copied(p)], python, [p for p in others if copied(p)]):
        if candidates:
            return candidates[0]
    return None


def _is_link(root: Path) -> Callable[[str], bool]:
    def is_link(path: str) -> bool:
        return (root / path).is_symlink()

    return is_link


def append_change(path: Path) -> str:
    """Append a comment line with a fresh token; returns the line (without newlines)."""
    open_mark, close_mark = _COMMENT.get(path.suffix.lstrip(".").lower(), ("#", ""))
    line = f"{open_mark} changed by checker verify {uuid.uuid4().hex}{close_mark}"
    with path.open("a", encoding="utf-8") as handle:
        handle.write(f"\n{line}\n")
    return line


# --------------------------------------------------------------------------------------
# The check


def verify(
    dockerfile: str | os.PathLike[str],
    context: str | os.PathLike[str] | None = None,
    *,
    builder: str = "classic",
    changed: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    progress: Progress = quiet,
    limits: Limits | None = None,
    contain: bool = True,
) -> VerifyReport:
    """Build twice (before and after a change to ``changed``) and compare with the model.

    ``context`` defaults to the Dockerfile's directory; ``changed`` is context-relative
    (default: :func:`choose_changed_file`). ``progress`` receives progress lines (the builds
    take a while). ``timeout`` is per build; ``limits`` replaces all the limits (its own
    timeout included) for callers that need other memory or CPU limits. The builds run on a
    throwaway engine whose ``RUN`` steps reach only the package index, where this machine allows
    (:mod:`checker.verify.network`; the report says where not, and why); ``contain=False``
    builds on the learner's engine as before (for tests of that path).
    """
    path = Path(dockerfile)
    root = Path(context) if context is not None else path.parent
    limits = Limits(timeout=timeout) if limits is None else limits
    result = VerifyReport(str(dockerfile), str(root), builder)
    try:
        _check(result, path, root, changed, limits, progress, contain)
    except VerifyProblem as problem:
        result.error, result.error_kind, result.detail = (
            problem.message,
            problem.kind,
            problem.detail,
        )
    except Exception as error:  # verify never raises: an unexpected failure is a checker bug
        result.error = " ".join(f"{type(error).__name__}: {error}".split())
        result.error_kind = "internal"
    return result


def _check(
    result: VerifyReport,
    path: Path,
    root: Path,
    changed: str | None,
    limits: Limits,
    progress: Progress,
    contain: bool = True,
) -> None:
    if result.builder not in ("classic", "buildkit"):
        raise VerifyProblem("input", f"builder must be classic or buildkit, not {result.builder}")
    if not path.is_file():
        raise VerifyProblem("input", f"{path}: no such Dockerfile")
    if not root.is_dir():
        raise VerifyProblem("input", f"{root}: the build context is not a directory")
    try:
        parsed = parse_file(path)
    except DockerfileSyntaxError as error:
        raise VerifyProblem("input", f"{path}: {error}") from error
    with tempfile.TemporaryDirectory(prefix="checker-verify-") as scratch:
        copy = Path(scratch) / "context"
        progress(f"copying the context {root} to a temporary directory")
        try:
            shutil.copytree(root, copy, symlinks=True)
        except OSError as error:
            raise VerifyProblem("input", f"could not copy the context {root}: {error}") from error
        dockerfile_arg = _dockerfile_in(root, path)
        ignore_from = str(copy / dockerfile_arg) if result.builder == "buildkit" else None
        build_context = ContextFiles.from_dir(copy, ignore_from)
        target = _target_file(parsed, build_context, copy, changed, result.builder)
        result.changed = target
        subject = _Subject(result, parsed, copy, dockerfile_arg, target, build_context)
        _run(subject, limits, progress, contain)


def _dockerfile_in(root: Path, path: Path) -> str:
    """The Dockerfile as the runner takes it: its place in the copy, or its own path."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path.resolve())


def _target_file(
    parsed: Dockerfile, context: ContextFiles, copy: Path, changed: str | None, builder: str
) -> str:
    """The context-relative file to change, checked to be a regular file inside the copy:
    a symbolic link could lead the change out of the copy, into the user's own files."""
    if changed is None:
        found = choose_changed_file(parsed, context, builder, exclude=_is_link(copy))
        if found is None:
            raise VerifyProblem(
                "input", "the context has no application file to change; name one with --changed"
            )
        changed = found
    candidate = (copy / changed).resolve()
    try:
        relative = candidate.relative_to(copy.resolve()).as_posix()
    except ValueError:
        raise VerifyProblem("input", f"--changed {changed}: not inside the context") from None
    if (copy / changed).is_symlink() or not candidate.is_file():
        raise VerifyProblem("input", f"--changed {changed}: not a regular file in the context")
    return relative


@dataclass(frozen=True)
class _Subject:
    """What is proven: the report being filled in, the parsed Dockerfile, the context's
    temporary copy (``dockerfile`` names the file in it as the builder takes it), the file
    the second build changes, and the context as the cache model reads it."""

    result: VerifyReport
    parsed: Dockerfile
    copy: Path
    dockerfile: str
    target: str
    context: ContextFiles


def _run(subject: _Subject, limits: Limits, progress: Progress, contain: bool = True) -> None:
    """Choose the engine and network the builds run on (a throwaway engine whose ``RUN``
    steps reach only the package index, where one can be had), then build there."""
    result, parsed = subject.result, subject.parsed
    try:
        api = api_client(timeout=60)
        api.ping()
    except (DockerException, RequestException) as error:
        raise VerifyProblem("engine", f"no Docker engine answers ({error})") from error
    try:
        bases = base_images(parsed)
        indexes = index_urls(api, bases)
        plan = plan_network(parsed, indexes, api, contain)
        present = [name for name, image in image_ids(api, bases).items() if image]
        with build_engine(plan, api, present, progress) as engine:
            result.network, result.network_reason = plan.name, plan.why
            result.network_contained = plan.contained
            result.engine = THROWAWAY_ENGINE if engine is not None else LEARNERS_ENGINE
            where = _Where(api, None, plan.mode, "")
            if engine is not None:
                where = _Where(api_client(engine.host, timeout=60), engine.host, None, plan.why)
            try:
                _builds(subject, limits, where, progress)
            finally:
                if engine is not None:
                    where.api.close()
    except (DockerException, RequestException) as error:
        raise VerifyProblem("engine", f"the Docker engine failed: {error}") from error
    finally:
        api.close()


@dataclass(frozen=True)
class _Where:
    """The engine the builds run on (the learner's, or a throwaway one at ``host``), the
    network mode of its ``RUN`` steps, and what that network reaches when contained."""

    api: docker.APIClient
    host: str | None
    network: str | None
    contained: str


def _builds(subject: _Subject, limits: Limits, where: _Where, progress: Progress) -> None:
    """The two builds and the comparison, on ``where``'s engine, cleaned up after."""
    result, parsed, copy, target = subject.result, subject.parsed, subject.copy, subject.target
    api = where.api
    leftovers: Leftovers | None = None
    cgroup = BuildkitCgroup(limits.memory, limits.cpus)
    remote = not local_engine(os.environ.get("DOCKER_HOST"))  # api_client's engine
    try:
        bases = base_images(parsed)
        before = image_ids(api, bases)
        indexes = index_urls(api, bases)
        options: dict[str, object] = {"network_mode": where.network, "timeout": limits.timeout}
        if where.host is not None:
            options["docker_host"] = where.host
        if result.builder == "classic":
            options.update(memory=limits.memory, cpuset_cpus=limits.cpuset())
            if limits.memory is not None:
                options["memswap"] = limits.memory  # memory + swap = memory: no swap
        elif not remote and cgroup.__enter__().path is not None:  # left in the finally below
            options["cgroup_parent"] = cgroup.path
        result.limits = limits.describe(result.builder, "cgroup_parent" in options, remote)
        leftovers = Leftovers(api)
        missing = [name for name, image in before.items() if image is None]
        index = f"the package index {indexes[0]}" if indexes else "PyPI"
        setup = _Setup(
            copy, subject.dockerfile, options, leftovers, missing, limits, index, progress,
            where.contained,
        )  # fmt: skip
        first = _build(1, result, setup)
        line = append_change(copy / target)
        progress(f"changed {target}: appended `{line}`")
        second = _build(2, result, setup)
        _check_undisturbed(api, bases, before, first)
        prediction = predict(parsed, [target], subject.context, builder=result.builder)
        try:
            result.steps = align(parsed, prediction, second)
        except AlignmentError as error:
            raise VerifyProblem("alignment", str(error)) from error
    finally:
        if leftovers is not None:
            result.cleanup = leftovers.remove()
            progress(f"removed {len(result.cleanup.images)} image(s) this check created")
        cgroup.__exit__()


@dataclass(frozen=True)
class _Setup:
    """What both builds share."""

    copy: Path
    dockerfile: str
    options: dict[str, object]
    leftovers: Leftovers
    missing_bases: list[str]
    limits: Limits
    index: str
    progress: Progress
    contained: str = ""  # what RUN steps reach, when verify contained their network


def _build(number: int, result: VerifyReport, setup: _Setup) -> BuildResult:
    progress = setup.progress
    which = "before the change" if number == 1 else "after the change"
    progress(f"build {number}/2 ({which}) with the {result.builder} builder: {result.limits}")

    def show_step(event: BuildEvent, record: StepRecord | None) -> None:
        if isinstance(event, StepStarted) and record is not None:
            if record.keyword == "LABEL" and PROJECT_LABEL in record.instruction:
                return
            progress(f"  build {number}/2 step {record.label}: {record.instruction[:70]}")

    try:
        built = build(
            setup.copy,
            builder=result.builder,  # type: ignore[arg-type]
            dockerfile=setup.dockerfile,
            live=False,
            table=False,
            on_event=show_step,
            **setup.options,  # type: ignore[arg-type]
        )
    except BuildError as error:
        setup.leftovers.add(error.result)
        raise _classify(error, number, setup, result.builder) from error
    except NoBuildKitClient as error:
        raise VerifyProblem("engine", str(error)) from error
    setup.leftovers.add(built)
    ran = len(built.ran_steps)
    cached = len(built.cached_steps)
    progress(f"build {number}/2 done in {built.seconds:.1f} s: {ran} step(s) ran, {cached} cached")
    result.builds.append(
        {
            "image_id": built.image_id,
            "seconds": round(built.seconds, 2),
            "ran": ran,
            "cached": cached,
        }
    )
    return built


def _classify(error: BuildError, number: int, setup: _Setup, builder: str) -> VerifyProblem:
    """A failed build as one line naming what is missing where that is what failed."""
    step = error.step
    output = step.output if step is not None else []
    text = "\n".join([error.reason, *output, *error.result.notices[-20:]])
    which = "first" if number == 1 else "second"
    where = f"step {step.label} `{' '.join(step.instruction.split())}`" if step else "the build"
    detail = output[-10:]
    limits, missing_bases = setup.limits, setup.missing_bases
    if isinstance(error, BuildTimeout):
        return VerifyProblem(
            "timeout",
            f"the {which} build ran past the {limits.timeout:g} s time limit at {where}",
            detail,
        )
    package = _NO_DISTRIBUTION.search(text)
    if package:
        return VerifyProblem(
            "missing-package",
            f"package {package['name']} is not available from {setup.index} "
            f"({where} failed: No matching distribution found for {package['name']})",
            detail,
        )
    at_from = step is None or step.keyword == "FROM"
    if missing_bases and at_from:
        name = next((base for base in missing_bases if base in text), missing_bases[0])
        return VerifyProblem(
            "missing-base-image",
            f"base image {name} is not on this engine and could not be pulled "
            f"({_pull_reason(error.reason)})",
        )
    reason = " ".join(error.reason.split())
    if re.search(r"code: 137\b", reason) and limits.memory:
        reason += f" (killed: probably the {limits.memory // 1024**2} MiB memory limit)"
    elif setup.contained and _NETWORK_FAILURE.search(text):
        reason += f" (verify's network is contained: {setup.contained})"
    return VerifyProblem(
        "build-failed", f"the Dockerfile does not build: {where} failed: {reason}", detail
    )


def _pull_reason(reason: str) -> str:
    lowered = reason.lower()
    if "pull access denied" in lowered or "denied" in lowered:
        return "pull access denied"
    if "not found" in lowered or "manifest unknown" in lowered:
        return "not found in the registry"
    if any(word in lowered for word in ("no such host", "dial tcp", "timeout", "tls", "refused")):
        return "no registry is reachable from the engine"
    text = " ".join(reason.split())
    return text if len(text) <= 120 else text[:117] + "..."


def _check_undisturbed(
    api: docker.APIClient, bases: list[str], before: dict[str, str | None], first: BuildResult
) -> None:
    """Something else on the engine can spoil the comparison; say so rather than blame the
    model: a base image replaced between the builds, or the first image (whose layers are
    the classic builder's cache) removed by another clean-up."""
    after = image_ids(api, [name for name in bases if before.get(name)])
    for name, image in after.items():
        if image != before[name]:
            raise VerifyProblem(
                "interference",
                f"the base image {name} was replaced during the check; run verify again",
            )
    if first.image_id:
        try:
            api.inspect_image(first.image_id)
        except NotFound:
            raise VerifyProblem(
                "interference",
                "something removed the first build's image during the check (another "
                "clean-up on this engine?); run verify again",
            ) from None
