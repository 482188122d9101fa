"""Parse BuildKit's ``--progress=rawjson`` output (buildx 0.13 and newer) into build events.

Where the plain printer writes text for people, ``rawjson`` writes BuildKit's own status
updates as JSON objects (buildx 0.13 prints each indented over several lines), so nothing is
guessed from wording::

    {"vertexes": [{"digest": "sha256:...", "name": "[4/5] RUN pip install ...",
                   "started": "...", "completed": "...", "cached": true, "error": "..."}],
     "statuses": [...], "logs": [{"vertex": "sha256:...", "stream": 1, "data": "<base64>"}]}

A vertex is listed many times as its state changes: first without ``started`` (queued), then
started, then completed (with ``cached`` or ``error``). A step whose result comes from an
imported cache (``--cache-from``) can be listed again after that, started and completed without
``cached``, while its layer is fetched for the step above it; and under load that listing can
come first. A step is therefore cached once any listing says so, even after a plain completion
(the plain printer prints ``CACHED`` for it too). Vertices are numbered in the order they
start, as the plain printer numbers them, and the events are the same as
:class:`~checker.build.buildkit_stream.BuildKitPlainParser` gives for the same build.
``reported_seconds`` is ``completed - started``. Logs arrive in chunks that need not end at a
line break, so each vertex keeps its unfinished line until more comes or it ends. Text outside
the JSON objects (the error summary the CLI prints at the end) becomes notices, as in plain.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from .buildkit_stream import STEP_HEADER, failure_at_exit, replay
from .events import BuildEvent, BuildFailed, CacheHit, Notice, OutputLine, StepDone, StepStarted


@dataclass
class _Vertex:
    key: str
    is_step: bool
    done: bool = False  # completed: StepDone was given
    finished: bool = False  # cached or failed: nothing later can change it
    partial: dict[int, str] = field(default_factory=dict)  # unfinished line per stream


class BuildKitRawJsonParser:
    """Turns ``--progress=rawjson`` lines into events, one line at a time."""

    def __init__(self) -> None:
        self._vertices: dict[str, _Vertex] = {}
        self._pending: list[str] = []  # lines of a JSON object not yet closed
        self.failed = False
        self.trailing: list[str] = []

    def feed_line(self, raw: str) -> list[BuildEvent]:
        line = raw.rstrip("\n").rstrip("\r")
        if not self._pending:
            if not line.strip():
                return []
            if not line.startswith("{"):
                self.trailing.append(line)
                return [Notice(line)]
        self._pending.append(line)
        # An indented object closes with "}" alone at the margin; a compact one is one line.
        if len(self._pending) > 1 and line != "}":
            return []
        try:
            update = json.loads("\n".join(self._pending))
        except ValueError:
            if len(self._pending) == 1:
                return []  # the first line of an indented object
            text, self._pending = "\n".join(self._pending), []
            return [Notice(text)]
        self._pending = []
        return self.feed_update(update)

    def feed_update(self, update: dict) -> list[BuildEvent]:
        """The events of one decoded status update."""
        events: list[BuildEvent] = []
        for entry in update.get("logs") or []:
            events.extend(self._log(entry))
        for vertex in update.get("vertexes") or []:
            events.extend(self._vertex(vertex))
        for warning in update.get("warnings") or []:
            short = warning.get("short")
            if short:
                events.append(Notice(_decoded(short)))
        return events

    def close(self, exit_code: int = 0) -> list[BuildEvent]:
        """Call at the end of the output; a non-zero exit without an error still fails."""
        failure = failure_at_exit(exit_code, self.failed, self.trailing)
        self.failed = self.failed or failure is not None
        return [failure] if failure is not None else []

    def _vertex(self, vertex: dict) -> list[BuildEvent]:
        digest, name = vertex.get("digest", ""), vertex.get("name", "")
        events: list[BuildEvent] = []
        known = self._vertices.get(digest)
        if known is None:
            if not any(vertex.get(what) for what in ("started", "completed", "cached", "error")):
                return []  # queued: the plain printer shows a vertex once it starts
            step = STEP_HEADER.match(name)
            known = _Vertex(str(len(self._vertices) + 1), is_step=step is not None)
            self._vertices[digest] = known
            if step:
                events.append(
                    StepStarted(
                        known.key,
                        int(step["number"]),
                        step["instruction"].strip(),
                        int(step["total"]),
                        step["stage"],
                    )
                )
            else:
                events.append(Notice(name))
        if known.finished:
            return events
        error = vertex.get("error")
        if error:
            events.extend(self._flush(known))
            known.finished = True
            self.failed = True
            events.append(BuildFailed(error, known.key if known.is_step else None))
        elif known.is_step and vertex.get("cached") and (vertex.get("completed") or known.done):
            events.extend(self._flush(known))
            known.finished = True
            events.append(CacheHit(known.key))
            if not known.done:
                events.append(StepDone(known.key))
            known.done = True
        elif known.is_step and vertex.get("completed") and not known.done:
            events.extend(self._flush(known))
            known.done = True
            seconds = _seconds_between(vertex.get("started"), vertex["completed"])
            events.append(StepDone(known.key, reported_seconds=seconds))
        return events

    def _log(self, entry: dict) -> list[BuildEvent]:
        known = self._vertices.get(entry.get("vertex", ""))
        if known is None or not known.is_step or known.done:
            return []
        stream = int(entry.get("stream") or 1)
        text = known.partial.pop(stream, "") + _decoded(entry.get("data") or "")
        *lines, rest = text.split("\n")
        if rest:
            known.partial[stream] = rest
        return [OutputLine(known.key, line.rstrip("\r")) for line in lines if line.strip()]

    def _flush(self, known: _Vertex) -> list[BuildEvent]:
        rest = [known.partial.pop(stream) for stream in sorted(known.partial)]
        return [OutputLine(known.key, text) for text in rest if text.strip()]


def _decoded(data: str) -> str:
    try:
        return base64.b64decode(data).decode(errors="replace")
    except ValueError:
        return data


def _seconds_between(started: str | None, completed: str) -> float | None:
    try:
        begin, end = _timestamp(started or ""), _timestamp(completed)
    except ValueError:
        return None
    return round((end - begin).total_seconds(), 3)


def _timestamp(text: str) -> datetime:
    """An RFC 3339 time with nanoseconds (Go's format), which Python's parser refuses."""
    head, dot, tail = text.rstrip("Z").partition(".")
    fraction = "".join(ch for ch in tail if ch.isdigit())[:6] if dot else ""
    return datetime.fromisoformat(f"{head}.{fraction or '0'}+00:00")


def parse_buildkit_rawjson(lines: Iterable[str], exit_code: int = 0) -> list[BuildEvent]:
    """All events of a whole recorded output (for tests and replays)."""
    return replay(BuildKitRawJsonParser(), lines, exit_code)
