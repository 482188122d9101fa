"""Exercises: the learner writes a Dockerfile (or a .dockerignore), the checker grades it and
two real builds prove it.

Why grade and prove: the grade (:func:`checker.grade`) reasons from the cache model, which
accepts every correct answer, not one expected text. The proof
(:mod:`checker.lessons.exercise_proof`) builds the answer, makes the change the exercise is
about (an edit to the code, a new build argument, a commit, a package added), builds again and
runs the image: an answer passes when the dependency install behaves as the task says and the
program still runs. Each finding names the line of the answer it is about.

Why solutions are held back: a learner sees a model answer with :func:`solution` only after
having tried (one :func:`check` of that exercise), or by asking with ``force=True``. Hints go
from a question to a near-answer, never the answer itself.
"""

from __future__ import annotations

import html
import textwrap
from dataclasses import dataclass, field, replace

from checker.grading.grade import grade
from checker.grading.report import Report
from checker.lessons import Workspace
from checker.lessons.exercise_proof import Finding, Proof, prove, static_findings
from checker.lessons.local_index import adapt

ROOT = "exercises"


@dataclass(frozen=True)
class Exercise:
    """A task on a project folder of its own (``notebooks/projects/exercises/<name>``)."""

    name: str
    title: str
    task: str
    passes: str  # the behaviour that passes, in words
    hints: tuple[str, ...]
    solution: str
    proof: str = "source"  # source | build-arg | ignored | add-package
    changed: str = "app.py"
    answer_file: str = "Dockerfile"
    build_arg: str | None = None
    installs_project: bool = False  # the task asks for the project itself in the image
    stale_lock: bool = False  # the build must refuse a uv.lock that pyproject.toml outgrew

    @property
    def project(self) -> str:
        return f"{ROOT}/{self.name}"


EXERCISES: dict[str, Exercise] = {
    "order": Exercise(
        "order",
        "The order",
        "Write a Dockerfile on python:3.11-slim for app.py and requirements.txt that runs "
        "`python app.py`.",
        "after an edit to app.py the rebuild does not run the install step again, and the "
        "image still runs app.py",
        (
            "Which files does the install step read? What else is in the image when it runs?",
            "A step reruns when anything it sees changed. Give the install step a layer in "
            "which only the requirements are present.",
            "Two COPY instructions: one for the file pip reads, before the install; one for "
            "everything else, after it.",
        ),
        """\
        FROM python:3.11-slim
        WORKDIR /app
        COPY requirements.txt .
        RUN pip install --no-cache-dir -r requirements.txt
        COPY . .
        CMD ["python", "app.py"]
        """,
    ),
    "project": Exercise(
        "project",
        "A project with pyproject.toml",
        "The project is an installable package (pyproject.toml, src/shop/) with its "
        "dependencies compiled into requirements.txt. Install it so that `shop` (its console "
        "script) runs.",
        "after an edit under src/ the dependencies are not installed again; only the project "
        "itself is, and `shop` runs",
        (
            "What does `pip install .` install besides the project?",
            "Split the work: the dependencies in one step that cannot see src/, the project "
            "in a later one.",
            "pip has an option that installs a project without its dependencies; the "
            "dependencies come from the compiled file.",
        ),
        """\
        FROM python:3.11-slim
        WORKDIR /app
        COPY requirements.txt .
        RUN pip install --no-cache-dir -r requirements.txt
        COPY pyproject.toml .
        COPY src ./src
        RUN pip install --no-cache-dir --no-deps .
        CMD ["shop"]
        """,
        changed="src/shop/app.py",
        installs_project=True,
    ),
    "build-arg": Exercise(
        "build-arg",
        "An ARG that changes on every build",
        "CI builds this project with `--build-arg VERSION=<commit id>`, a new value on every "
        "build. The program prints the environment variable APP_VERSION, which must hold "
        "that value.",
        "with a new VERSION and nothing else changed, the install step comes from the cache, "
        "and the program prints the new version",
        (
            "A build argument is part of the cache key of the RUN steps after its ARG line. "
            "Which steps need VERSION?",
            "Declare the ARG as late as you can: after the install, just before the one step "
            "that uses it.",
            "ARG and ENV together, after `RUN pip install`, turn the argument into the "
            "variable the program reads.",
        ),
        """\
        FROM python:3.11-slim
        WORKDIR /app
        COPY requirements.txt .
        RUN pip install --no-cache-dir -r requirements.txt
        COPY . .
        ARG VERSION=dev
        ENV APP_VERSION=$VERSION
        CMD ["python", "app.py"]
        """,
        proof="build-arg",
        build_arg="VERSION",
    ),
    "dockerignore": Exercise(
        "dockerignore",
        "A .dockerignore",
        "The Dockerfile is given (run `show_task`): its last COPY sends the whole context. "
        "The project folder is also a git repository, with a notebooks/ folder for "
        "exploration and a data/ folder the program does not read. Write its .dockerignore.",
        "a commit, a new row in data/ and an edit in notebooks/ leave every step cached, and "
        "the image still runs app.py",
        (
            "Which files does the image need to run app.py? Which change all day long?",
            "A .dockerignore line is a pattern, relative to the context, of what not to send "
            "to the builder; git's own folder is one of them.",
            "Three folders, one line each; leave app.py and requirements.txt in.",
        ),
        """\
        .git
        notebooks/
        data/
        __pycache__/
        """,
        proof="ignored",
        answer_file=".dockerignore",
    ),
    "add-package": Exercise(
        "add-package",
        "Adding a package, with a cache mount",
        "Write a Dockerfile for app.py (numpy, requests) such that adding a package to "
        "requirements.txt does not download the packages it had before again.",
        "after a package is added to requirements.txt the install reruns (it must), but "
        "downloads only the new package: the others come from a cache that outlives the "
        "layer",
        (
            "When requirements.txt changes, the install step runs again from an empty layer. "
            "Where could pip's downloads live so the next run finds them?",
            "BuildKit can mount a cache folder into a RUN step; it is not part of the image "
            "and survives rebuilds. Which folder does pip cache downloads in?",
            "Mount the cache at pip's cache folder (as root: /root/.cache/pip), and do not "
            "tell pip to skip its cache.",
        ),
        """\
        FROM python:3.11-slim
        WORKDIR /app
        COPY requirements.txt .
        RUN --mount=type=cache,target=/root/.cache/pip \\
            pip install -r requirements.txt
        COPY . .
        CMD ["python", "app.py"]
        """,
        proof="add-package",
        changed="requirements.txt",
    ),
    "lock": Exercise(
        "lock",
        "uv with a lock file",
        "The project (pyproject.toml, uv.lock, src/greet/) is managed with uv. Install uv "
        "with pip (uv==0.13.9) and build an image in which `python -m greet.app` runs from "
        "the project's virtual environment, exactly as locked.",
        "after an edit under src/ the locked dependencies are not installed again, the build "
        "fails if uv.lock does not match pyproject.toml, and the program runs",
        (
            "uv can install a project's dependencies without the project itself; which "
            "files does that step need?",
            "`uv sync` has options to refuse an out-of-date lock and to leave the project "
            "out; the project goes in with a second `uv sync` after src/ is copied.",
            "uv's Docker guide: `--locked`, `--no-install-project` first, a cache mount at "
            "/root/.cache/uv with UV_LINK_MODE=copy, and the venv's bin first on PATH.",
        ),
        """\
        FROM python:3.11-slim
        RUN pip install --no-cache-dir uv==0.13.9
        ENV UV_LINK_MODE=copy UV_COMPILE_BYTECODE=1
        WORKDIR /app
        RUN --mount=type=cache,target=/root/.cache/uv \\
            --mount=type=bind,source=uv.lock,target=uv.lock \\
            --mount=type=bind,source=pyproject.toml,target=pyproject.toml \\
            uv sync --locked --no-install-project --no-dev
        COPY . .
        RUN --mount=type=cache,target=/root/.cache/uv \\
            uv sync --locked --no-dev --no-editable
        ENV PATH="/app/.venv/bin:$PATH"
        CMD ["python", "-m", "greet.app"]
        """,
        changed="src/greet/app.py",
        installs_project=True,
        stale_lock=True,
    ),
    "multi-stage": Exercise(
        "multi-stage",
        "A multi-stage build that copies an environment",
        "requirements/prod.txt (which includes requirements/base.txt) lists what app.py "
        "needs. Install it into a virtual environment in a first stage, and build the final "
        "image from a fresh python:3.11-slim with only that environment and the code.",
        "after an edit to app.py nothing is installed again, and the final image runs app.py "
        "with the packages from the first stage",
        (
            "A stage is built only when the final stage needs something from it.",
            "`python -m venv` makes a folder that holds the packages; `COPY --from=<stage>` "
            "brings a folder into the final stage; PATH decides which python runs.",
            "pip reads an included file (-r base.txt) relative to the including one: both "
            "must be in the stage before the install.",
        ),
        """\
        FROM python:3.11-slim AS deps
        RUN python -m venv /venv
        COPY requirements/ /tmp/requirements/
        RUN /venv/bin/pip install --no-cache-dir -r /tmp/requirements/prod.txt

        FROM python:3.11-slim
        COPY --from=deps /venv /venv
        ENV PATH=/venv/bin:$PATH
        WORKDIR /app
        COPY app.py .
        CMD ["python", "app.py"]
        """,
    ),
}

_tried: set[str] = set()


@dataclass
class Result:
    """An answer's grade and proof. ``passed`` when both agree that it does what was asked."""

    exercise: Exercise
    report: Report | None
    proof: Proof | None
    findings: list[Finding] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        graded = self.report is None or self.report.passed
        return graded and not self.findings and (self.proof is None or self.proof.passed)

    def all_findings(self) -> list[Finding]:
        found = list(self.findings)
        if self.report is not None:
            found += [Finding(f.line or 0, f"{f.rule} {f.message}") for f in self.report.findings]
        if self.proof is not None:
            found += self.proof.findings
        # Stable: in order of line, then as found (a set's order changes from run to run).
        return sorted(dict.fromkeys(found), key=lambda finding: finding.line)

    def text(self) -> str:
        """The short form, for reports and a terminal."""
        lines = [f"{self.exercise.name}: {'PASSED' if self.passed else 'NOT YET'}"]
        if self.proof is not None:
            lines.append(f"  proof: two builds around {self.proof.change}")
            lines += [
                f"    {outcome:<6} {instruction[:66]}" for outcome, instruction in self.proof.steps
            ]
            lines += [f"  measured: {measure}" for measure in self.proof.measures]
        else:
            lines.append("  not proved by builds (prove=False)")
        lines += [f"  - {finding}" for finding in self.all_findings()]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.text()

    def _repr_html_(self) -> str:
        colour = "#2b8a3e" if self.passed else "#c92a2a"
        verdict = "PASSED" if self.passed else "NOT YET"
        parts = [f'<p><b style="color:{colour}">{self.exercise.name}: {verdict}</b></p>']
        if self.proof is not None and self.proof.steps:
            rows = "".join(
                f"<tr><td>{html.escape(o)}</td><td><code>{html.escape(i[:80])}</code></td></tr>"
                for o, i in self.proof.steps
            )
            parts.append(
                f"<p>after {html.escape(self.proof.change)}:</p>"
                f"<table><tr><th>step</th><th>instruction</th></tr>{rows}</table>"
            )
        parts += [
            f"<p>measured: {html.escape(m)}</p>"
            for m in (self.proof.measures if self.proof else [])
        ]
        items = "".join(f"<li>{html.escape(str(f))}</li>" for f in self.all_findings())
        if items:
            parts.append(f"<ul>{items}</ul>")
        return "\n".join(parts)


def show_task(name: str) -> None:
    """Print an exercise's task, what passes, and the files of its project."""
    exercise = EXERCISES[name]
    with Workspace(exercise.project) as workspace:
        files = [f for f in workspace.files() if "__pycache__" not in f]
        print(f"Exercise {name!r}: {exercise.title}")
        print(textwrap.fill(exercise.task, 92))
        print(textwrap.fill(f"It passes when {exercise.passes}.", 92))
        print(f"Files: {', '.join(files)}")
        if exercise.answer_file != "Dockerfile":
            print(f"Your answer is the project's {exercise.answer_file}. Its Dockerfile:")
            print(workspace.read("Dockerfile"), end="")


def hint(name: str, level: int = 1) -> None:
    """Print hint ``level`` (1: a question ... the last: a near-answer, never the answer)."""
    hints = EXERCISES[name].hints
    level = max(1, min(level, len(hints)))
    print(f"hint {level} of {len(hints)}: {hints[level - 1]}")


def solution(name: str, *, force: bool = False) -> None:
    """Print a model answer, once the exercise has been tried (or with ``force=True``)."""
    exercise = EXERCISES[name]
    if name not in _tried and not force:
        print(
            f"Try it first: check({name!r}, your_answer) once, then ask again "
            f"(or solution({name!r}, force=True))."
        )
        return
    print(f"One answer that passes (there are others) - {exercise.answer_file}:")
    print(textwrap.dedent(exercise.solution), end="")


def check(name: str, answer: str, *, prove: bool = True) -> Result:
    """Grade ``answer`` on the exercise's project and, with ``prove``, prove it by two builds.

    The answer is written into a temporary copy of the project (never into the repository).
    """
    exercise = EXERCISES[name]
    _tried.add(name)
    text = textwrap.dedent(answer).lstrip("\n")
    # The proof's change carries a fresh token: no earlier run's cache can hold it, so the
    # steps need not be forgotten at the end.
    with Workspace(exercise.project, builder="buildkit", forget=False) as workspace:
        workspace.write(exercise.answer_file, text)
        report = _relative(grade(workspace.file("Dockerfile"), workspace.path))
        findings: list[Finding] = []
        if report.error is None:
            from checker.dockerfile import parse_file

            findings = static_findings(
                parse_file(workspace.file("Dockerfile")),
                exercise.proof,
                project=exercise.installs_project,
            )
        result = Result(exercise, report, None, findings)
        if prove and report.error is None:
            adapt(workspace.path)
            result.proof = _prove(exercise, workspace)
    return result


def _prove(exercise: Exercise, workspace: Workspace) -> Proof:
    return prove(
        exercise.proof,
        workspace,
        exercise.changed,
        build_arg=exercise.build_arg,
        stale_lock=exercise.stale_lock,
    )


def _relative(report: Report) -> Report:
    """The report without the temporary path (stable from run to run)."""
    return replace(report, path="Dockerfile")
