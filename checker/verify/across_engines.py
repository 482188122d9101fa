"""``batch DIR --prove --engine URL ...``: prove a class's verdicts on several Docker engines.

Each proof is one ``verify`` (two real builds, the same limits, sandbox and clean-up) run as
its own process with ``DOCKER_HOST`` set to one engine, so engines work concurrently while
each runs one submission at a time, and a proof that hangs or crashes takes only itself
down. Engines are any URL docker-py and the docker CLI accept (``unix:///...``,
``tcp://host:2376``, ``ssh://user@host``); each needs the submissions' base images.

Two addresses of the same engine (the same engine ID) count once: proofs sharing an engine
would share its build cache, and one proof's clean-up could remove layers the other is
about to take from it. An engine that does not answer at the start, or which no longer
answers a ping after a proof on it failed, is dropped: the submission
goes back to the queue for the others, and the summary names the engine and why. If every
engine is lost, the remaining rows say so (``proof`` = ``not proven``): every graded row is
accounted for. :func:`iter_proofs` yields each row once it is final, so the CLI writes it
while the other proofs go on, as plain ``batch`` writes each graded row.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

PROOF_FIELDS = ("proof", "proof_summary", "engine")
DEFAULT_ENGINE = "unix:///var/run/docker.sock"
NOT_PROVEN = "not proven"

Runner = Callable[[str, Path, Path | None], dict]
"""(engine URL, Dockerfile, context) -> verify's JSON report as a dict."""


@dataclass
class ProofRun:
    """What the proofs did: rows with the proof fields, per-engine counts, lost engines."""

    rows: list[dict]
    proved: dict[str, int] = field(default_factory=dict)
    lost: dict[str, str] = field(default_factory=dict)  # engine -> why it was dropped
    fields: tuple[str, ...] = PROOF_FIELDS  # the columns added to each row

    def summary(self) -> str:
        done = ", ".join(f"{engine}: {count}" for engine, count in self.proved.items())
        lines = [f"proofs per engine: {done or 'none'}"]
        lines += [f"engine {engine} dropped: {why}" for engine, why in self.lost.items()]
        unproven = sum(1 for row in self.rows if row.get("proof") == NOT_PROVEN)
        if unproven:
            lines.append(f"{unproven} submission(s) not proven: no engine left")
        return "\n".join(lines)

    @property
    def complete(self) -> bool:
        """Every graded row proven, and no proof found a checker bug."""
        return all(row.get("proof") in ("agreed", "error", "") for row in self.rows)


def default_engines() -> list[str]:
    """``$DOCKER_HOST``, or the local socket."""
    return [os.environ.get("DOCKER_HOST") or DEFAULT_ENGINE]


def engine_problem(url: str, timeout: float = 10) -> tuple[str | None, str | None]:
    """(why the engine at ``url`` cannot be used or None, the engine's ID or None)."""
    import docker

    try:
        client = docker.DockerClient(base_url=url, timeout=timeout)
        try:
            client.ping()
            engine_id = str(client.info().get("ID") or "") or None
        finally:
            client.close()
    except Exception as error:  # any failure to reach it means "not usable"
        return " ".join(f"{type(error).__name__}: {error}".split()), None
    return None, engine_id


def verify_in_process(builder: str = "classic", timeout: float | None = None) -> Runner:
    """A runner that runs ``python -m checker verify ... --format json`` with DOCKER_HOST."""

    def run(engine: str, dockerfile: Path, context: Path | None) -> dict:
        command = [sys.executable, "-m", "checker", "verify", str(dockerfile), "--format", "json"]
        command += ["--builder", builder]
        if context is not None:
            command += ["--context", str(context)]
        if timeout is not None:
            command += ["--timeout", str(timeout)]
        env = {**os.environ, "DOCKER_HOST": engine}
        # Two builds at most `timeout` each, plus set-up and clean-up.
        limit = None if timeout is None else 2 * timeout + 300
        with subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        ) as process:
            try:
                stdout, stderr = process.communicate(timeout=limit)
            except subprocess.TimeoutExpired:
                _stop(process)
                return _error("timeout", f"verify ran past {limit:g} s and was stopped")
        try:
            return json.loads(stdout)
        except ValueError:
            last = (stderr.strip().splitlines() or ["no output"])[-1]
            return _error("internal", f"verify exited {process.returncode}: {last}")

    return run


def _stop(process: subprocess.Popen[str], grace: float = 60) -> None:
    """SIGTERM first, so verify removes its throwaway engine and firewall rules; SIGKILL only
    if it does not end in ``grace`` seconds (the next engine to start sweeps what is left)."""
    process.terminate()
    try:
        process.communicate(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()


def _error(kind: str, message: str) -> dict:
    return {"status": "error", "summary": message, "error": {"kind": kind, "message": message}}


def prove_rows(
    rows: list[dict],
    submissions: Sequence[tuple[str, Path, Path | None]],
    engines: Sequence[str],
    runner: Runner,
    probe: Callable[[str], tuple[str | None, str | None]] = engine_problem,
) -> ProofRun:
    """Add ``proof``, ``proof_summary`` and ``engine`` to each row; a row's ``submission``
    names its entry in ``submissions`` (as ``checker.grading.batch.find_submissions``
    gives them)."""
    run = ProofRun(rows)
    for _row in iter_proofs(run, submissions, engines, runner, probe):
        pass
    return run


def iter_proofs(
    run: ProofRun,
    submissions: Sequence[tuple[str, Path, Path | None]],
    engines: Sequence[str],
    runner: Runner,
    probe: Callable[[str], tuple[str | None, str | None]] = engine_problem,
) -> Iterator[dict]:
    """Prove ``run.rows`` (see :func:`prove_rows`), yielding each row as soon as it is
    final, so ``batch.write_rows`` writes it while the other proofs go on and a crash keeps
    what was proven: first the rows with nothing to prove, in their order, then the others
    in the order their proofs finish (the ``submission`` column names each)."""
    rows = run.rows
    where = {name: (dockerfile, context) for name, dockerfile, context in submissions}
    pending: deque[int] = deque()
    for index, row in enumerate(rows):
        row.update(dict.fromkeys(PROOF_FIELDS, ""))
        if row.get("grading_status") == "graded" and row.get("submission") in where:
            pending.append(index)
    waiting = set(pending)
    yield from (row for index, row in enumerate(rows) if index not in waiting)
    lock = threading.Lock()
    finished: queue.SimpleQueue[int | None] = queue.SimpleQueue()  # None: a worker is done

    def prove(engine: str, index: int) -> dict:
        dockerfile, context = where[rows[index]["submission"]]
        try:
            return runner(engine, dockerfile, context)
        except Exception as error:  # a row is never lost to a runner that raises
            return _error("internal", f"the proof failed: {type(error).__name__}: {error}")

    def work(engine: str) -> None:
        while True:
            with lock:
                if not pending:
                    return
                index = pending.popleft()
            result = prove(engine, index)
            # Any failed proof asks the engine again: one that dies mid-build surfaces in
            # verify as an engine error, or as an unexpected ConnectionError ("internal").
            if result.get("status") != "agreed" and result.get("status") != "mismatch":
                problem, _ = probe(engine)
                if problem is not None:
                    with lock:
                        pending.appendleft(index)  # another engine takes it
                        run.lost[engine] = f"stopped answering: {problem}"
                    return
            with lock:
                rows[index]["proof"] = str(result.get("status") or "error")
                rows[index]["proof_summary"] = str(result.get("summary") or "")
                rows[index]["engine"] = engine
                run.proved[engine] = run.proved.get(engine, 0) + 1
            finished.put(index)

    def worker(engine: str) -> None:
        try:
            work(engine)
        finally:
            finished.put(None)

    unique = _answering(run, list(dict.fromkeys(engines)), probe)
    for engine in unique:
        run.proved.setdefault(engine, 0)
    for engine in unique:
        threading.Thread(target=worker, args=(engine,), daemon=True).start()
    running = len(unique)
    while running:
        index = finished.get()
        if index is None:
            running -= 1
        else:
            yield rows[index]
    for engine in run.lost:
        if not run.proved.get(engine):
            run.proved.pop(engine, None)
    for index in pending:
        rows[index]["proof"] = NOT_PROVEN
        rows[index]["proof_summary"] = "every engine was lost before this submission's turn"
        yield rows[index]


def _answering(run: ProofRun, engines: list[str], probe) -> list[str]:
    """The engines that answer, one URL per engine: two addresses of one engine (its ID)
    would run two proofs at once there, and one proof's clean-up can remove layers the
    other is about to take from the cache, so the second address is dropped, said so."""
    seen: dict[str, str] = {}
    usable = []
    for engine in engines:
        problem, engine_id = probe(engine)
        if problem is not None:
            run.lost[engine] = f"does not answer: {problem}"
        elif engine_id is not None and engine_id in seen:
            run.lost[engine] = f"the same engine as {seen[engine_id]} (one proof at a time each)"
        else:
            if engine_id is not None:
                seen[engine_id] = engine
            usable.append(engine)
    return usable
