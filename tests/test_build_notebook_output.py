"""In a real Jupyter kernel: live lines share one output, emptied at the end; the table follows.

A stored notebook (nbclient applies ``display_id`` updates) must show each build once, as its
table; nbval, which ignores those updates, sees the live output as first displayed. Both are the
same only if the live output starts and ends empty, which is what this checks, with the lines in
step order while the build runs and a ``text/plain`` form carrying the cached/ran words.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parent.parent

SETUP = """
import json
from checker.build.classic_stream import parse_classic_stream
from checker.build.display import LiveView, default_emitter, end_live, show
from checker.build.records import Recorder

def replay(clear):
    messages = [json.loads(l) for l in open({stream!r}) if l.strip()]
    recorder = Recorder()
    emit = default_emitter()
    live = LiveView(emit, output_lines=2, hide_label_steps=1)
    for event in parse_classic_stream(messages):
        live(event, recorder.handle(event))
    if clear:
        end_live(emit)
        show(recorder.finish("classic", added_labels={{"org.layer-cache-workshop.project": "x"}}))
"""


@pytest.fixture(scope="module")
def cells() -> list[list[dict]]:
    stream = REPO / "tests" / "build_streams" / "classic_v25_hand.jsonl"
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell(SETUP.format(stream=str(stream))),
        nbformat.v4.new_code_cell("replay(clear=False)"),
        nbformat.v4.new_code_cell("replay(clear=True)"),
    ]
    try:
        NotebookClient(
            notebook,
            timeout=120,
            kernel_name="python3",
            resources={"metadata": {"path": str(REPO)}},
        ).execute()
    except Exception as error:  # no kernel here: nothing to check
        pytest.skip(f"no Jupyter kernel could run: {error}")
    return [cell.outputs for cell in notebook.cells]


def test_live_lines_share_one_output_in_step_order(cells: list[list[dict]]):
    (live,) = cells[1]
    lines = live["data"]["text/plain"].splitlines()
    assert lines[0] == "[1/4] FROM python:3.11-slim"
    assert "[3/4] RUN pip install requests" in lines
    assert not any("LABEL" in line for line in lines)
    assert "#ffd8a8" in live["data"]["text/html"]


def test_a_stored_build_shows_only_its_table_after_an_empty_live_output(cells: list[list[dict]]):
    live, table = cells[2]
    assert live["output_type"] == table["output_type"] == "display_data"
    assert live["data"] == {"text/plain": "", "text/html": ""}
    text = table["data"]["text/plain"]
    assert text.splitlines()[0].split() == ["step", "instruction", "cache", "seconds"]
    assert " ran " in text and "LABEL" not in text
    assert "#ffd8a8" in table["data"]["text/html"]
