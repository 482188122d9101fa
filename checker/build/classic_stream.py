"""Parse the classic builder's JSON stream (``APIClient.build(decode=True)``) into events.

The engine sends one JSON object per write: ``stream`` (text, not necessarily whole lines),
``aux`` (``{"ID": "sha256:..."}``, the built image), ``errorDetail`` (the error; the flat
``error`` field beside it is deprecated) and ``status`` (pull progress). The text has changed
across engine versions, and every form below is accepted:

* ``Step 0 : FROM x`` (very old, 0-based), ``Step 1 : FROM x``, ``Step 1/5 : FROM x``;
* `` ---> Using cache`` (the step is a cache hit), `` ---> Running in abc123`` (a container runs);
* `` ---> 1a2b3c4d5e6f`` (the layer the step produced: the step is done);
* ``Removing intermediate container abc`` (before 25.0, after the layer line) and
  `` ---> Removed intermediate container abc`` (25.0 on, before the layer line);
* ``Successfully built 1a2b3c4d5e6f`` and ``Successfully tagged name:tag``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from .events import (
    BuildEvent,
    BuildFailed,
    BuildSucceeded,
    CacheHit,
    Notice,
    OutputLine,
    StepDone,
    StepStarted,
    Tagged,
)

_STEP = re.compile(r"^Step (?P<number>\d+)(?:/(?P<total>\d+))? : (?P<instruction>.*)$")
_ARROW = " ---> "
_LAYER = re.compile(r"^(?:sha256:)?(?P<id>[0-9a-f]{12,64})$")
_RUNNING = re.compile(r"^Running in (?P<id>[0-9a-f]+)$")
_REMOVED = re.compile(r"^(?:Removing|Removed) intermediate container (?P<id>[0-9a-f]+)$")
_BUILT = re.compile(r"^Successfully built (?P<id>\S+)$")
_TAGGED = re.compile(r"^Successfully tagged (?P<tag>\S+)$")


class ClassicStreamParser:
    """Turns the classic builder's messages into events, one message at a time.

    Feed each decoded message to :meth:`feed`; call :meth:`close` at the end of the stream to
    flush a last line that had no newline. The parser keeps only what the text format needs: the
    step being dispatched, whether step numbers are 0-based, and a partial line.
    """

    def __init__(self) -> None:
        self._buffer = ""
        self._current: str | None = None
        self._current_done = False
        self._number_offset: int | None = None
        self._image_reported = False
        self.container_ids: list[str] = []

    def feed(self, message: Mapping[str, Any]) -> list[BuildEvent]:
        events: list[BuildEvent] = []
        if "stream" in message:
            self._buffer += str(message["stream"])
            *lines, self._buffer = self._buffer.split("\n")
            for line in lines:
                events.extend(self._line(line))
        if "aux" in message:
            events.extend(self._aux(message["aux"]))
        if "errorDetail" in message or "error" in message:
            events.extend(self._flush())
            detail = message.get("errorDetail") or {}
            text = detail.get("message") if isinstance(detail, Mapping) else None
            events.append(BuildFailed(str(text or message.get("error") or detail), self._current))
        if "status" in message:
            status = " ".join(str(message[k]) for k in ("id", "status") if message.get(k))
            events.append(Notice(status))
        return events

    def close(self) -> list[BuildEvent]:
        """Flush the partial last line (a stream need not end with a newline)."""
        return self._flush()

    def _flush(self) -> list[BuildEvent]:
        line, self._buffer = self._buffer, ""
        return self._line(line) if line else []

    def _aux(self, aux: Any) -> list[BuildEvent]:
        if isinstance(aux, Mapping) and isinstance(aux.get("ID"), str):
            self._image_reported = True
            return [BuildSucceeded(aux["ID"])]
        return []

    def _line(self, raw: str) -> list[BuildEvent]:
        # A carriage return redraws a terminal line (progress bars): keep what was drawn last.
        line = raw.rstrip("\r").rsplit("\r", 1)[-1]
        if not line.strip():
            return []
        step = _STEP.match(line)
        if step:
            return self._step(step)
        if line.startswith(_ARROW):
            return self._arrow(line[len(_ARROW) :].strip())
        if _REMOVED.match(line):
            return []
        built = _BUILT.match(line)
        if built:
            if self._image_reported:
                return []
            self._image_reported = True
            return [BuildSucceeded(built["id"])]
        tagged = _TAGGED.match(line)
        if tagged:
            return [Tagged(tagged["tag"])]
        if self._current is not None:
            return [OutputLine(self._current, line)]
        return [Notice(line)]

    def _step(self, match: re.Match[str]) -> list[BuildEvent]:
        raw = int(match["number"])
        if self._number_offset is None:
            self._number_offset = 1 if raw == 0 else 0
        events: list[BuildEvent] = []
        if self._current is not None and not self._current_done:
            events.append(StepDone(self._current))
        self._current = str(raw)
        self._current_done = False
        total = int(match["total"]) if match["total"] else None
        number = raw + self._number_offset
        events.append(StepStarted(self._current, number, match["instruction"].strip(), total))
        return events

    def _arrow(self, text: str) -> list[BuildEvent]:
        if self._current is None:
            return [Notice(text)]
        if text == "Using cache":
            return [CacheHit(self._current)]
        running = _RUNNING.match(text)
        if running:
            self.container_ids.append(running["id"])
            return []
        if _REMOVED.match(text):
            return []
        layer = _LAYER.match(text)
        if layer:
            if self._current_done:
                return []
            self._current_done = True
            return [StepDone(self._current, layer["id"])]
        return [OutputLine(self._current, text)]


def parse_classic_stream(messages: Iterable[Mapping[str, Any]]) -> list[BuildEvent]:
    """All events of a whole recorded stream (for tests and replays)."""
    parser = ClassicStreamParser()
    events: list[BuildEvent] = []
    for message in messages:
        events.extend(parser.feed(message))
    events.extend(parser.close())
    return events
