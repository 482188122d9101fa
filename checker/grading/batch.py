"""Grade a folder of learner submissions in one go, for instructors.

A submission is either a sub-folder holding a ``Dockerfile`` (the sub-folder is then its
build context, so ``.dockerignore`` counts) or a Dockerfile-like file directly in the
folder (``Dockerfile``, ``Dockerfile.alice``, ``alice.Dockerfile``). Every entry of the
folder (but hidden ones, whose name starts with ``.``) yields exactly one row, whatever it
is: ``grading_status`` is ``graded``, ``error: ...`` (unreadable, or a link, which is never
followed), ``timeout: ...`` (past the time or memory limit) or ``skipped: ...`` (not a
submission, said why). One broken or hostile entry never loses the batch.

Each submission is graded in a worker process with a time limit and an address-space
limit; a worker that overruns is killed and replaced, and the batch goes on. Rows come out
one by one (:func:`iter_rows`), so :func:`write_rows` writes and flushes each as soon as it
is graded. Names are written losslessly escaped (:func:`checker.grading.safe_text.escape_name`).
The rows are plain dicts, ready for csv, JSON or a pandas frame.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import resource
import stat
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from checker.cache.jail import link_problem
from checker.dockerfile.names import is_dockerfile_name
from checker.grading.grade import grade
from checker.grading.row_output import row_writer, rows_text
from checker.grading.safe_text import escape_control, escape_name
from checker.rules import RULES

if TYPE_CHECKING:  # the worker's modules load when a batch starts, not with `grade`
    import multiprocessing.connection
    import multiprocessing.process

ROW_FIELDS = (
    "submission",
    "path",
    "grading_status",
    "passed",
    "score",
    "dependency_cache",
    "findings",
    "rules",
    *(rule.id for rule in RULES),
)
TIMEOUT_SECONDS = 20.0
"""Per submission; a real Dockerfile grades in milliseconds."""
MEMORY_MB = 1024
"""Address space of the worker that grades (grading stays far below 512 MB)."""
STATUSES = ("graded", "error", "timeout", "skipped")


@dataclass(frozen=True)
class Entry:
    """One entry of the class folder: a submission to grade, or why it is not one."""

    name: str
    path: Path
    dockerfile: Path | None = None  # set for a submission
    context: Path | None = None
    status: str = ""  # "error: ..." or "skipped: ..." when there is nothing to grade


def entries(root: str | os.PathLike[str]) -> list[Entry]:
    """Every non-hidden entry of ``root``, sorted by name, classified without following a
    link or opening anything but directories."""
    base = Path(root)
    found = []
    for entry in sorted(base.iterdir(), key=lambda item: os.fsencode(item.name)):
        if not entry.name.startswith("."):
            found.append(_classify(entry))
    return found


def _classify(entry: Path) -> Entry:
    name = entry.name
    try:
        mode = entry.lstat().st_mode
    except OSError as error:
        return Entry(name, entry, status=f"error: cannot stat it ({error.strerror})")
    if stat.S_ISLNK(mode):
        return Entry(name, entry, status=f"error: {link_problem(entry)} (links are not followed)")
    if stat.S_ISDIR(mode):
        try:
            dockerfile = _dockerfile_in(entry)
        except OSError as error:
            return Entry(name, entry, status=f"error: cannot list the folder ({error.strerror})")
        if dockerfile is None:
            return Entry(name, entry, status="skipped: a folder without a Dockerfile")
        return Entry(name, entry, dockerfile, entry)
    if not is_dockerfile_name(name):
        return Entry(name, entry, status="skipped: not named like a Dockerfile")
    if not stat.S_ISREG(mode):
        return Entry(name, entry, status="error: not a regular file")
    return Entry(name, entry, entry, None)


def _dockerfile_in(folder: Path) -> Path | None:
    """The folder's ``Dockerfile`` (or first Dockerfile-like name) that is not a folder: a
    regular file, or a link, which grading follows inside the submission's folder (as the
    docker CLI follows a linked Dockerfile) and refuses with its own message otherwise."""
    candidates = sorted(
        (item for item in folder.iterdir() if is_dockerfile_name(item.name)),
        key=lambda item: (item.name != "Dockerfile", os.fsencode(item.name)),
    )
    for item in candidates:
        try:
            if not stat.S_ISDIR(item.lstat().st_mode):
                return item
        except OSError:
            continue
    return None


def find_submissions(root: str | os.PathLike[str]) -> list[tuple[str, Path, Path | None]]:
    """(submission name, Dockerfile path, context dir or None), sorted by name."""
    return [
        (entry.name, entry.dockerfile, entry.context)
        for entry in entries(root)
        if entry.dockerfile is not None
    ]


def grade_folder(
    root: str | os.PathLike[str],
    *,
    use_context: bool = True,
    timeout: float = TIMEOUT_SECONDS,
    memory_mb: int = MEMORY_MB,
) -> list[dict]:
    """One row per entry of ``root`` (see the module docstring)."""
    return list(iter_rows(root, use_context=use_context, timeout=timeout, memory_mb=memory_mb))


def iter_rows(
    root: str | os.PathLike[str],
    *,
    use_context: bool = True,
    timeout: float = TIMEOUT_SECONDS,
    memory_mb: int = MEMORY_MB,
) -> Iterator[dict]:
    """The rows, one as each entry is done; submissions graded in a limited worker."""
    importlib.import_module("checker.shell")  # imported once here, not in every new worker
    worker = _Worker(memory_mb)
    try:
        for entry in entries(root):
            if entry.dockerfile is None:
                yield _row(entry.name, entry.path, entry.status)
                continue
            context = entry.context if use_context else None
            yield worker.grade(entry.name, entry.dockerfile, context, timeout)
    finally:
        worker.stop()


def _row(name: str, path: Path, status: str = "graded") -> dict:
    row: dict[str, object] = {
        "submission": escape_name(name),
        "path": escape_name(str(path)),
        "grading_status": escape_control(status),
        "passed": False,
        "score": 0,
        "dependency_cache": "",
        "findings": 0,
        "rules": "",
    }
    row.update({rule.id: 0 for rule in RULES})
    return row


def grade_submission(name: str, path: Path, context: Path | None) -> dict:
    """The row for one submission, graded in this process; never raises."""
    row = _row(name, path)
    try:
        report = grade(path, context)
    except Exception as error:  # grade() does not raise; this guards the batch regardless
        row["grading_status"] = escape_control(f"error: {type(error).__name__}: {error}")
        return row
    if report.error is not None:
        row["grading_status"] = escape_control(f"error: {report.error}")
        return row
    row["passed"] = report.passed
    row["score"] = report.score
    row["dependency_cache"] = report.dependency_cache or ""
    row["findings"] = len(report.findings)
    row["rules"] = ";".join(sorted({finding.rule for finding in report.findings}))
    for finding in report.findings:
        row[finding.rule] = int(row.get(finding.rule, 0)) + 1  # type: ignore[call-overload]
    return row


# --------------------------------------------------------------------------------------
# The worker process


def _serve(connection: multiprocessing.connection.Connection, memory_mb: int) -> None:
    """Worker side: cap the address space (what the fork already maps, plus the limit:
    a notebook kernel may map gigabytes it never touches), then grade what it is sent."""
    _release_free_heap()
    size = _mapped_bytes() + memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (size, size))
    connection.send("ready")  # the per-submission time limit starts after start-up
    while True:
        try:
            job = connection.recv()
        except EOFError:
            return
        if job is None:
            return
        name, path, context = job
        try:
            row = grade_submission(name, path, context)
        except MemoryError:
            row = _row(name, path, f"timeout: past the {memory_mb} MB memory limit")
        connection.send(row)


def _release_free_heap() -> None:
    """Hand the heap the parent freed back to the system (glibc), so the limit counts
    what grading allocates, not what the parent happened to leave free."""
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL("libc.so.6")
        libc.malloc_trim(0)
        # A fixed mmap threshold (M_MMAP_THRESHOLD, -3): large blocks always get mappings of
        # their own, which the limit counts, instead of reusing heap the parent left free
        # (glibc raises the threshold after each large free it sees).
        libc.mallopt(-3, 128 * 1024)


def _mapped_bytes() -> int:
    try:
        with open("/proc/self/statm", encoding="ascii") as handle:
            return int(handle.read().split()[0]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        return 0


START_SECONDS = 120
"""How long a fresh grading worker may take to import the checker."""


class _Worker:
    """One forked grading process at a time, replaced when it overruns or dies."""

    def __init__(self, memory_mb: int) -> None:
        self.memory_mb = memory_mb
        self.process: multiprocessing.process.BaseProcess | None = None
        self.connection: multiprocessing.connection.Connection | None = None

    def _start(self) -> None:
        # A fresh interpreter, not a fork: its memory is only what grading needs, so the limit
        # means the same whatever the parent (a notebook, a test run) holds or left free.
        import multiprocessing

        context = multiprocessing.get_context("spawn")
        parent, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, self.memory_mb), daemon=True)
        self.process.start()
        child.close()
        self.connection = parent
        if not parent.poll(START_SECONDS) or parent.recv() != "ready":
            raise RuntimeError(f"the grading worker did not start within {START_SECONDS} s")

    def grade(self, name: str, path: Path, context: Path | None, timeout: float) -> dict:
        if self.process is None or not self.process.is_alive():
            self._start()
        assert self.connection is not None
        try:
            self.connection.send((name, path, context))
            if self.connection.poll(timeout):
                row = self.connection.recv()
                status = str(row.get("grading_status"))
                if status.startswith("timeout:") or "MemoryError" in status:
                    row["grading_status"] = f"timeout: past the {self.memory_mb} MB memory limit"
                    self.stop()  # a worker that ran out of memory is not reused
                return row
            status = f"timeout: not graded within {timeout:g} s"
        except (EOFError, OSError):
            code = self.process.exitcode if self.process is not None else None
            status = f"error: the grading worker died (exit code {code})"
        self.stop()
        return _row(name, path, status)

    def stop(self) -> None:
        """End the worker (asked politely first, then killed) and reap it."""
        process, connection = self.process, self.connection
        self.process = self.connection = None
        if connection is not None:
            with contextlib.suppress(OSError):
                connection.send(None)
            connection.close()
        if process is not None:
            process.join(0.5)
            if process.is_alive():
                process.kill()
                process.join()


# --------------------------------------------------------------------------------------
# Output


def rows_to_csv(rows: Iterable[dict], fields: Sequence[str] = ROW_FIELDS) -> str:
    return rows_text("csv", rows, fields)


def rows_to_json(rows: Iterable[dict]) -> str:
    """JSON Lines: one object per submission."""
    return rows_text("json", rows)


def write_rows(
    rows: Iterable[dict], stream: TextIO, fmt: str = "csv", fields: Sequence[str] = ROW_FIELDS
) -> int:
    """Write each row as it comes (flushed), so a crash keeps the rows already graded.
    Returns the number of rows written."""
    count = 0
    writer = row_writer(stream, fmt, fields)
    for row in rows:
        writer.write(row)
        count += 1
    return count


def summarize(rows: Iterable[dict]) -> dict[str, dict[str, int]]:
    """Counts for a chart of common mistakes: submissions per verdict, per rule (a rule
    counts once per submission), and per grading status (graded, error, timeout, skipped)."""
    verdicts: dict[str, int] = {}
    rules: dict[str, int] = {rule.id: 0 for rule in RULES}
    status = dict.fromkeys(STATUSES, 0)
    for row in rows:
        kind = str(row.get("grading_status") or "error").split(":", 1)[0]
        status[kind if kind in status else "error"] += 1
        if kind != "graded":
            continue
        verdict = str(row.get("dependency_cache") or "")
        verdicts[verdict] = verdicts.get(verdict, 0) + 1
        for rule in str(row.get("rules") or "").split(";"):
            if rule:
                rules[rule] = rules.get(rule, 0) + 1
    return {"dependency_cache": verdicts, "rules": rules, "grading_status": status}
