"""The cache model's predictions against real classic-builder builds (needs an engine).

Each case builds a context, changes one file, builds again, and compares every step's
outcome with :func:`checker.cache.predict`. No step downloads anything, so the
cases need only the base image. Skips without an engine (fails under
CHECKER_REQUIRE_DOCKER=1, like the other engine tests).
"""

from __future__ import annotations

import contextlib
import uuid
from pathlib import Path

import pytest

from checker.cache import CACHED, ContextFiles, predict
from checker.dockerfile import parse

pytestmark = pytest.mark.docker

BASE = "python:3.11-slim"

CASES = {
    "manifest-first": (
        f"FROM {BASE}\nWORKDIR /srv\nCOPY requirements.txt /srv/requirements.txt\n"
        'RUN cat requirements.txt > /deps\nADD . /srv\nCMD ["python", "run.py"]\n'
    ),
    "source-first": (
        f"FROM {BASE}\nWORKDIR /srv\nCOPY requirements.txt /srv/requirements.txt\n"
        'ADD . /srv\nRUN cat requirements.txt > /deps\nCMD ["python", "run.py"]\n'
    ),
    "dockerignored-change": (
        f"FROM {BASE}\nWORKDIR /srv\nCOPY . /srv\nRUN cat requirements.txt > /deps\n"
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_prediction_matches_a_real_rebuild_after_a_code_change(
    name: str, tmp_path: Path, engine
) -> None:
    from checker.build import build

    context = tmp_path / "context"
    context.mkdir()
    (context / "Dockerfile").write_text(CASES[name])
    (context / "requirements.txt").write_text("flask\n")
    (context / "run.py").write_text("print('hello')\n")
    changed = "run.py"
    if name == "dockerignored-change":
        (context / ".dockerignore").write_text("notes/\n")
        (context / "notes").mkdir()
        (context / "notes" / "todo.txt").write_text("one\n")
        changed = "notes/todo.txt"
    images = []
    try:
        first = build(context, live=False, table=False)
        images.append(first.image_id)
        (context / changed).write_text(f"# {uuid.uuid4().hex}\n")
        second = build(context, live=False, table=False)
        images.append(second.image_id)
    finally:
        for image in reversed(images):
            with contextlib.suppress(Exception):
                engine.remove_image(image, force=True)
    prediction = predict(parse(CASES[name]), [changed], ContextFiles.from_dir(context))
    predicted = [step.status == CACHED for step in prediction.steps]
    actual = [step.outcome in ("cached", "base") for step in second.learner_steps]
    assert actual == predicted, [step.instruction for step in second.learner_steps]
