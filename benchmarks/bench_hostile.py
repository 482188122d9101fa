"""Benchmark: the worst input shapes we know, each graded in a child process with a limit.

Run:  python benchmarks/bench_hostile.py [--only NAME] [--timeout 20] [--memory-mb 1024]

Each case builds its input (a Dockerfile text, and for some a build context in a temporary
directory), then times ``checker.grading.grade.grade`` on it in a child process whose address
space is capped (``RLIMIT_AS``); the child grades a two-line file first, so imports are not
timed. It prints wall time, CPU time (what a loaded machine changes least), peak resident
memory and how the grade ended (``graded``, ``refused: ...`` for a report with an error,
``timeout`` or ``memory``). The shapes are issue 13's reproducers (doubling variables, long
moves, ignore comments, chains of stages, compound shell, backtracking ``.dockerignore``
patterns, pattern soups, big contexts) scaled up to the input caps. Target: every case
under 2 s and 512 MB. Not part of the test suite: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

# Run as a plain script from a checkout: make the repository's package importable.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

MIB = 1 << 20


def _cap() -> int:
    """The grader's instruction cap: each shape is generated at the largest size it grades."""
    from checker.grading.grade import MAX_INSTRUCTIONS

    return MAX_INSTRUCTIONS


def _doubling(keyword: str, count: int, use: str) -> str:
    return f"FROM a\n{keyword} A=a\n" + f"{keyword} A=$A$A\n" * count + use


def _moves(count: int, ignore: bool = False) -> str:
    comment = "# checker ignore=LC007\n" if ignore else ""
    return "FROM python:3.12\nCOPY . .\n" + (comment + "RUN pip install x\n") * count


def _max_moves() -> str:
    from checker.grading.grade import MAX_INSTRUCTIONS

    return _moves(MAX_INSTRUCTIONS - 3)


def _stage_chain(count: int, runs: int = 1) -> str:
    """``count`` stages, each built FROM the one before, with ``runs`` RUNs each (issue 13:
    999 stages ran past 60 s, a per-step scan of the stages up the chain)."""
    lines = (
        "RUN pip install pkg{index}\n",
        "RUN echo step {index}\n",
        "RUN python -c 'print({index})'\n",
    )
    stages = ["FROM python:3.12 AS s0\n"]
    for index in range(1, count):
        body = "".join(line.format(index=index) for line in lines[:runs])
        stages.append(f"FROM s{index - 1} AS s{index}\n{body}")
    return "".join(stages)


def _distinct_runs(line: str) -> str:
    """As many RUNs as the cap allows after a broad COPY, each ``line`` with its own
    number (no per-text cache helps)."""
    from checker.grading.grade import MAX_INSTRUCTIONS

    count = MAX_INSTRUCTIONS - 3
    return "FROM python:3.12\nCOPY . .\n" + "".join(line.format(i=i) + "\n" for i in range(count))


def _compound_runs(size: int) -> str:
    """RUNs of compound shell (``if``/``for``/``$(...)``: the full shell parser) of about
    ``size`` characters each, up to the 1 MiB cap."""
    piece = "if [ -f r{i}.txt ]; then pip install -r r{i}.txt; else echo $(date) {i}; fi; "
    run = "RUN " + "".join(piece.format(i=i) for i in range(max(1, size // len(piece))))
    count = min(MIB // (len(run) + 1) - 1, _cap() - 10)
    return "FROM python:3.12\nCOPY . .\n" + "".join(f"{run} # {i}\n" for i in range(count))


def _context(files: list[str], ignore: str, link: dict[str, str] | None = None) -> str:
    root = tempfile.mkdtemp(prefix="bench-hostile-")
    for name in files:
        path = Path(root, name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x\n")
    for name, target in (link or {}).items():
        os.symlink(target, Path(root, name))
    Path(root, ".dockerignore").write_text(ignore)
    Path(root, "Dockerfile").write_text(
        "FROM python:3.12\nCOPY . .\nRUN pip install -r requirements.txt\n"
    )
    return root


def _wide_tree(count: int) -> list[str]:
    return [f"pkg{index // 500}/mod{index}.py" for index in range(count)]


def _gitignore_like() -> str:
    lines = []
    for name in (
        "__pycache__",
        "*.py[cod]",
        "*$py.class",
        "*.so",
        ".Python",
        "build",
        "develop-eggs",
        "dist",
        "downloads",
        "eggs",
        ".eggs",
        "lib",
        "lib64",
        "parts",
        "sdist",
        "var",
        "wheels",
        "*.egg-info",
        ".installed.cfg",
        "*.egg",
        "MANIFEST",
        "*.manifest",
        "*.spec",
        "pip-log.txt",
        "htmlcov",
        ".tox",
        ".nox",
        ".coverage",
        ".coverage.*",
        ".cache",
        "nosetests.xml",
        "coverage.xml",
        "*.cover",
        "*.py,cover",
        ".hypothesis",
        ".pytest_cache",
        "*.mo",
        "*.pot",
        "*.log",
        "local_settings.py",
        "db.sqlite3",
        "instance",
        ".webassets-cache",
        ".scrapy",
        "docs/_build",
        "target",
        ".ipynb_checkpoints",
        "profile_default",
        "ipython_config.py",
        ".pdm.toml",
        "__pypackages__",
        "celerybeat-schedule",
        "*.sage.py",
        ".env",
        "env",
        "venv",
        "ENV",
        "env.bak",
        "venv.bak",
        ".spyderproject",
        ".ropeproject",
        "site",
        ".mypy_cache",
        ".dmypy.json",
        "dmypy.json",
        ".pyre",
        ".pytype",
        "cython_debug",
        ".idea",
        ".vscode",
        "*.swp",
        "*~",
        ".DS_Store",
        "Thumbs.db",
    ):
        lines.extend((name, f"**/{name}"))
    lines.extend(["!requirements*.txt", "!src/**", "node_modules", "**/*.tmp"])
    return "\n".join(lines[:108]) + "\n"


# name -> builder of (Dockerfile text, context dir or None)
CASES: dict[str, Callable[[], tuple[str, str | None]]] = {
    "env-doubling-20-trim": lambda: (_doubling("ENV", 20, "COPY ${A##*b} /x\n"), None),
    "env-doubling-30-workdir": lambda: (_doubling("ENV", 30, "WORKDIR $A\n"), None),
    "arg-doubling-40-copy": lambda: (_doubling("ARG", 40, "COPY $A /x\n"), None),
    "env-doubling-max-lines": lambda: (_doubling("ENV", _cap() - 3, "COPY ${A%%*b} /x\n"), None),
    "one-line-1mib-install": lambda: (
        "FROM python:3.12\nCOPY . .\nRUN pip install " + "pkg " * (MIB // 4 - 20) + "\n",
        None,
    ),
    "one-line-128kib-install": lambda: (
        "FROM python:3.12\nCOPY . .\nRUN pip install " + "pkg " * (32 * 1024 - 20) + "\n",
        None,
    ),
    "short-lines-1mib": lambda: (
        "FROM python:3.12\n" + "RUN pip install x\n" * (MIB // 18 - 2),
        None,
    ),
    "moves-400": lambda: (_moves(400), None),
    "moves-1600": lambda: (_moves(1600), None),
    "moves-5500": lambda: (_moves(5500), None),
    "moves-max": lambda: (_max_moves(), None),
    "moves-1600-ignores": lambda: (_moves(1600, ignore=True), None),
    "moves-max-distinct": lambda: (
        _distinct_runs("RUN pip install -r r{i}.txt && pip install a{i} b c && rm -rf /x{i}"),
        None,
    ),
    "one-run-7000-installs": lambda: (
        "FROM python:3.12\nCOPY . .\nRUN " + "pip install a && " * 7000 + "pip cache purge\n",
        None,
    ),
    "compound-runs-200b": lambda: (_compound_runs(200), None),
    "compound-runs-20kib": lambda: (_compound_runs(20_000), None),
    "compound-runs-128kib": lambda: (_compound_runs(128_000), None),
    "stage-chain-999": lambda: (_stage_chain(999), None),
    "stage-chain-max": lambda: (_stage_chain(1000), None),
    "stage-chain-500-of-3-runs": lambda: (_stage_chain(_cap() // 4, runs=3), None),
    "ignore-star-a-backtracking": lambda: (
        "FROM python:3.12\nCOPY . .\nRUN pip install -r requirements.txt\n",
        _context(["a" * 40 + ".py", "requirements.txt"], "*a" * 12 + "\n"),
    ),
    "ignore-doublestar-deep": lambda: (
        "FROM python:3.12\nCOPY . .\nRUN pip install -r requirements.txt\n",
        _context(["/".join(["d"] * 25) + "/x.py", "requirements.txt"], "**/" * 10 + "y\n"),
    ),
    "ignore-101-patterns-20000-files": lambda: (
        "FROM python:3.12\nCOPY . .\nRUN pip install -r requirements.txt\n",
        _context(
            [*_wide_tree(20000), "requirements.txt"],
            "".join(f"pattern{index}/**/*.tmp\n" for index in range(101)),
        ),
    ),
    "ignore-gitignore-15000-venv": lambda: (
        "FROM python:3.12\nCOPY . .\nRUN pip install -r requirements.txt\n",
        _context(
            [f".venv/lib/python3.12/site-packages/p{i // 100}/m{i}.py" for i in range(15000)]
            + ["requirements.txt", "app.py"],
            _gitignore_like(),
        ),
    ),
    "ignore-1mib-of-patterns": lambda: (
        "FROM python:3.12\nCOPY . .\nRUN pip install -r requirements.txt\n",
        _context(
            ["app.py", "requirements.txt"],
            "".join(f"**/p{index}/*a*a*[a-z]?\n" for index in range(MIB // 24)),
        ),
    ),
}


def _run_case(name: str) -> None:
    """Child side: build the input, grade it once, print the figures as JSON."""
    from checker.grading.grade import grade

    grade("FROM python:3.12\nRUN if true; then pip install x; fi\n")  # imports, bashlex tables
    text, context = CASES[name]()
    start = time.perf_counter()
    cpu = time.process_time()
    try:
        report = grade(text, context)
        outcome = "graded" if report.error is None else f"refused: {report.error[:70]}"
    except MemoryError:
        outcome = "memory"
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "cpu": cpu, "peak_mb": peak, "outcome": outcome}))


def _limit(memory_mb: int) -> Callable[[], None]:
    def apply() -> None:
        size = memory_mb * MIB
        resource.setrlimit(resource.RLIMIT_AS, (size, size))

    return apply


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="run only the cases whose name contains this")
    parser.add_argument("--timeout", type=float, default=20.0, help="seconds per case")
    parser.add_argument("--memory-mb", type=int, default=1024, help="address-space cap")
    parser.add_argument("--case", help=argparse.SUPPRESS)  # child mode
    args = parser.parse_args()
    if args.case:
        _run_case(args.case)
        return 0
    with tempfile.TemporaryDirectory(prefix="bench-hostile-") as scratch:
        return _run_all(args, scratch)


def _run_all(args: argparse.Namespace, scratch: str) -> int:
    """Parent side: each case in a child whose temporary files go under ``scratch``."""
    environment = {**os.environ, "TMPDIR": scratch}
    print(f"{'case':34} {'seconds':>8} {'cpu s':>6} {'peak MB':>8}  outcome")
    worst = 0.0
    for name in CASES:
        if args.only and args.only not in name:
            continue
        start = time.perf_counter()
        try:
            done = subprocess.run(
                [sys.executable, __file__, "--case", name],
                capture_output=True,
                text=True,
                timeout=args.timeout,
                preexec_fn=_limit(args.memory_mb),
                env=environment,
                check=False,
            )
        except subprocess.TimeoutExpired:
            print(f"{name:34} {'>' + str(int(args.timeout)):>8} {'-':>6} {'-':>8}  timeout")
            worst = float("inf")
            continue
        lines = done.stdout.strip().splitlines()
        if done.returncode != 0 or not lines:
            tail = (done.stderr.strip().splitlines() or ["?"])[-1]
            elapsed = time.perf_counter() - start
            print(f"{name:34} {elapsed:8.2f} {'-':>6} {'-':>8}  crashed: {tail[:60]}")
            worst = float("inf")
            continue
        figures = json.loads(lines[-1])
        worst = max(worst, figures["seconds"])
        print(
            f"{name:34} {figures['seconds']:8.2f} {figures['cpu']:6.2f} {figures['peak_mb']:8.0f}"
            f"  {figures['outcome']}"
        )
    print(f"worst: {worst:.2f} s (target < 2 s, < 512 MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
