"""Events and results as JSON-ready dicts: the machine-readable presentation.

The checker's CLI and CI logs use this; like the other presentations it only reads events and
records.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from .events import BuildEvent
from .records import BuildResult, StepRecord


def event_to_dict(event: BuildEvent) -> dict[str, Any]:
    """``{"event": "StepStarted", ...fields}``."""
    return {"event": type(event).__name__, **asdict(event)}


def step_to_dict(step: StepRecord) -> dict[str, Any]:
    data = asdict(step)
    data.pop("started_at")
    data["outcome"] = step.outcome
    return data


def result_to_dict(result: BuildResult) -> dict[str, Any]:
    """The whole result; the runner's own steps stay in, marked ``added_by_runner``."""
    data = asdict(result)
    data["steps"] = [step_to_dict(step) for step in result.steps]
    data["succeeded"] = result.succeeded
    return data


def event_json_line(event: BuildEvent, record: StepRecord | None = None) -> str:
    """One event as a JSON line (usable as a listener's formatter)."""
    return json.dumps(event_to_dict(event), sort_keys=True)
