"""Exercises: the learner writes a Dockerfile, the checker grades it and proves it with builds.

Why grade and prove: the grade (:func:`checker.grade`) reasons from the cache model, which
accepts every correct answer (``COPY requirements*.txt``, a bind mount, a multi-stage build),
not one expected text. The proof is :func:`checker.verify.verify`: two real builds around a
change to an application file, each step compared with the model's prediction, so the
learner sees the engine itself agree with the verdict.
"""

from __future__ import annotations

import shutil
import tempfile
import textwrap
from dataclasses import dataclass
from pathlib import Path

from checker.grading import grade
from checker.lessons import project_source
from checker.report import Report


@dataclass(frozen=True)
class Exercise:
    """A task on a project folder, with hints from gentle to explicit."""

    name: str
    project: str
    task: str
    hints: tuple[str, ...]


EXERCISES: dict[str, Exercise] = {
    "order": Exercise(
        "order",
        "beyond",
        "Write a Dockerfile for projects/beyond (app.py, requirements.txt) on python:3.11-slim "
        "so that a change to app.py does not reinstall the packages.",
        (
            "Which files does the install step need? Only those should be in the image "
            "before it runs.",
            "COPY requirements.txt first, RUN pip install -r requirements.txt, and only "
            "then COPY the rest.",
            "FROM python:3.11-slim / WORKDIR /app / COPY requirements.txt . / "
            "RUN pip install --no-cache-dir -r requirements.txt / COPY . . / "
            'CMD ["python", "app.py"]',
        ),
    ),
    "project": Exercise(
        "project",
        "packaging/pip-tools",
        "projects/packaging/pip-tools has a pyproject.toml, a compiled requirements.txt and "
        "src/greet/. Install the dependencies and the project so that a change under src/ "
        "keeps the dependencies cached.",
        (
            "`pip install .` alone installs the dependencies too, so it must not be the step "
            "that keeps them.",
            "Install requirements.txt first; after copying src/, install the project with "
            "`pip install --no-deps .`.",
            "COPY requirements.txt . / RUN pip install -r requirements.txt / "
            "COPY pyproject.toml . / COPY src ./src / RUN pip install --no-deps .",
        ),
    ),
}


def show_task(name: str) -> None:
    """Print an exercise's task and the files of its project."""
    exercise = EXERCISES[name]
    root = project_source(exercise.project)
    files = sorted(
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if path.is_file() and path.name != "Dockerfile" and "__pycache__" not in path.parts
    )
    print(f"Exercise {name!r}: {exercise.task}")
    print(f"files in projects/{exercise.project}: {', '.join(files)}")


def hint(name: str, level: int = 1) -> None:
    """Print hint ``level`` (1: a nudge ... the last: nearly the answer)."""
    hints = EXERCISES[name].hints
    level = max(1, min(level, len(hints)))
    print(f"hint {level} of {len(hints)}: {hints[level - 1]}")


def check(name: str, dockerfile: str, *, prove: bool = True) -> Report:
    """Grade ``dockerfile`` (text) on the exercise's project; with ``prove``, build it twice.

    The answer is written into a temporary copy of the project (never into the repository).
    The report is shown as the cell's value; the proof's table is printed before it.
    """
    exercise = EXERCISES[name]
    text = textwrap.dedent(dockerfile).lstrip("\n")
    with tempfile.TemporaryDirectory(prefix="exercise-") as scratch:
        copy = Path(scratch) / "project"
        shutil.copytree(project_source(exercise.project), copy)
        (copy / "Dockerfile").write_text(text)
        report = grade(copy / "Dockerfile", copy)
        print(
            f"grade: {'PASSED' if report.passed else 'FAILED'}, "
            f"dependency cache {report.dependency_cache}, score {report.score}/100"
        )
        if prove and report.error is None:
            prove_with_builds(copy)
    return _relative(report)


def prove_with_builds(context: Path) -> None:
    """Build twice around a change and print each step: predicted and done by the engine."""
    from checker.verify import verify

    result = verify(context / "Dockerfile", context, builder="buildkit")
    if result.error is not None:
        print(f"could not prove it with a build: {result.error}")
        return
    print(f"proof: two BuildKit builds around a change to {result.changed}")
    for step in result.steps:
        if step.actual is None or step.instruction.upper().startswith("FROM"):
            continue
        agreement = "as predicted" if step.agrees else "NOT as predicted"
        print(f"  {step.actual:<6}  {step.instruction[:70]:<70}  {agreement}")
    print(f"  -> {result.summary()}")


def _relative(report: Report) -> Report:
    """The report without the temporary path (stable from run to run)."""
    from dataclasses import replace

    return replace(report, path="Dockerfile")
