"""Parse BuildKit's ``--progress=plain`` output into the same events as the classic builder.

Every line about a build vertex starts with ``#N`` (the vertex number, not the step number)::

    #1 [internal] load build definition from Dockerfile      internal: not a Dockerfile step
    #6 [2/5] WORKDIR /srv                                     step 2 of 5 starts
    #6 CACHED                                                 ... and came from the cache
    #8 [4/5] RUN pip install -r requirements.txt
    #8 0.532 Collecting requests                              output, after seconds since start
    #8 DONE 1.2s                                              done, in BuildKit's own measure
    #9 [builder 2/3] RUN make                                 multi-stage: stage name kept
    #8 ERROR: process "/bin/sh -c false" did not complete successfully: exit code: 1
    #8 ERROR: executor failed running [/bin/sh -c false]: exit code: 1      (BuildKit 0.8)

Vertices may interleave (BuildKit runs independent steps in parallel): the printer writes
``#8 ...`` when it leaves a vertex and the header again when it comes back, and 20.10 prints a
``#8 sha256:...`` digest line after each header, so state is kept per vertex and such lines
are not output. The printer also holds a vertex's lines back for a while when another one is
busy, so arrival times are approximate; ``DONE 1.2s`` (kept as ``reported_seconds``) is
BuildKit's own measure. Lines without ``#N`` (the error summary, warnings) become notices.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .events import BuildEvent, BuildFailed, CacheHit, Notice, OutputLine, StepDone, StepStarted

_VERTEX = re.compile(r"^#(?P<key>\d+) (?P<rest>.*)$")
# A step's header: "[stage 3/7] RUN ...". Not "[5/6] LINK COPY --link ...": BuildKit's own
# vertex that lays a `COPY --link` layer onto the layers below it, beside the copy's vertex
# (which is cached when only the layers below changed); it is the builder's work, not a step.
STEP_HEADER = re.compile(
    r"^\[(?:(?P<stage>\S+) )?(?P<number>\d+)/(?P<total>\d+)\] (?P<instruction>(?!LINK ).*)$"
)
_DONE = re.compile(r"^DONE (?P<seconds>\d+(?:\.\d+)?)s$")
_OUTPUT = re.compile(r"^(?P<at>\d+\.\d+)(?: (?P<text>.*))?$")
_ERROR = re.compile(r"^ERROR:? (?P<message>.*)$")


def failure_at_exit(exit_code: int, failed: bool, trailing: list[str]) -> BuildFailed | None:
    """A build the client ended with a non-zero code fails even when its output showed no
    error: the last lines it printed are the message."""
    if exit_code == 0 or failed:
        return None
    return BuildFailed("\n".join(trailing[-20:]) or f"build exited with code {exit_code}")


class BuildKitPlainParser:
    """Turns ``--progress=plain`` lines into events, one line at a time."""

    def __init__(self) -> None:
        self._steps: set[str] = set()
        self._headers: set[str] = set()
        self._finished: set[str] = set()
        self.failed = False
        self.trailing: list[str] = []

    def feed_line(self, raw: str) -> list[BuildEvent]:
        line = raw.rstrip("\n").rstrip("\r")
        if not line.strip():
            return []
        vertex = _VERTEX.match(line)
        if not vertex:
            self.trailing.append(line)
            return [Notice(line)]
        key, rest = vertex["key"], vertex["rest"].strip()
        if key not in self._headers:
            self._headers.add(key)
            step = STEP_HEADER.match(rest)
            if step:
                self._steps.add(key)
                return [
                    StepStarted(
                        key,
                        int(step["number"]),
                        step["instruction"].strip(),
                        int(step["total"]),
                        step["stage"],
                    )
                ]
            return [Notice(rest)]
        is_step = key in self._steps
        if STEP_HEADER.match(rest) or rest.startswith("[internal]"):
            return []  # the header again, printed when the vertex resumes
        if rest == "CACHED":
            if not is_step or key in self._finished:
                return []
            self._finished.add(key)
            return [CacheHit(key), StepDone(key)]
        done = _DONE.match(rest)
        if done:
            if not is_step or key in self._finished:
                return []
            self._finished.add(key)
            return [StepDone(key, reported_seconds=float(done["seconds"]))]
        error = _ERROR.match(rest)
        if error:
            self.failed = True
            self._finished.add(key)
            return [BuildFailed(error["message"], key if is_step else None)]
        output = _OUTPUT.match(rest)
        if output:
            text = output["text"] or ""
            # Output after the end is the error summary repeating the step's last lines.
            wanted = is_step and key not in self._finished and text.strip()
            return [OutputLine(key, text)] if wanted else []
        # Status lines ("transferring context: 2B done", "writing image sha256:...") and
        # "CANCELED" belong to the builder, not to what the step printed.
        return [Notice(f"#{key} {rest}")] if not is_step else []

    def close(self, exit_code: int = 0) -> list[BuildEvent]:
        """Call at the end of the output; a non-zero exit without an ``ERROR`` line still fails."""
        failure = failure_at_exit(exit_code, self.failed, self.trailing)
        self.failed = self.failed or failure is not None
        return [failure] if failure is not None else []


def parse_buildkit_plain(lines: Iterable[str], exit_code: int = 0) -> list[BuildEvent]:
    """All events of a whole recorded output (for tests and replays)."""
    return replay(BuildKitPlainParser(), lines, exit_code)


def replay(parser: object, lines: Iterable[str], exit_code: int = 0) -> list[BuildEvent]:
    """Feed a whole recorded output to a parser (``feed_line``/``close``), all its events."""
    events: list[BuildEvent] = []
    for line in lines:
        events.extend(parser.feed_line(line))  # type: ignore[attr-defined]
    events.extend(parser.close(exit_code))  # type: ignore[attr-defined]
    return events
