"""In a real Jupyter kernel: live lines are appended outputs, and the table has both forms.

nbval compares a notebook's stored outputs with fresh ones and cannot compare ``clear_output``
or ``display_id`` updates; this runs the display code in a kernel and checks that it only ever
appends outputs, each with a ``text/plain`` form carrying the cached/ran words.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parent.parent

CELL = """
import json
from checker.build.classic_stream import parse_classic_stream
from checker.build.display import LiveView, show
from checker.build.records import Recorder

messages = [json.loads(l) for l in open({stream!r}) if l.strip()]
recorder = Recorder()
live = LiveView(output_lines=2, hide_label_steps=1)
for event in parse_classic_stream(messages):
    live(event, recorder.handle(event))
table = show(recorder.finish("classic", added_labels={{"org.layer-cache-workshop.project": "x"}}))
"""


@pytest.fixture(scope="module")
def outputs() -> list[dict]:
    stream = REPO / "tests" / "build_streams" / "classic_v25_hand.jsonl"
    notebook = nbformat.v4.new_notebook()
    notebook.cells.append(nbformat.v4.new_code_cell(CELL.format(stream=str(stream))))
    try:
        NotebookClient(
            notebook,
            timeout=120,
            kernel_name="python3",
            resources={"metadata": {"path": str(REPO)}},
        ).execute()
    except Exception as error:  # no kernel here: nothing to check
        pytest.skip(f"no Jupyter kernel could run: {error}")
    return notebook.cells[0].outputs


def test_live_lines_and_table_are_appended_display_outputs(outputs: list[dict]):
    kinds = {output["output_type"] for output in outputs}
    assert kinds == {"display_data"}, kinds
    for output in outputs:
        assert "text/plain" in output["data"] and "text/html" in output["data"]
        assert not output.get("transient"), "display_id updates cannot be compared by nbval"


def test_live_lines_come_in_step_order_and_the_table_is_last(outputs: list[dict]):
    texts = [output["data"]["text/plain"] for output in outputs]
    assert texts[0] == "[1/4] FROM python:3.11-slim"
    assert "[3/4] RUN pip install requests" in texts
    assert texts[-1].splitlines()[0].split() == ["step", "instruction", "cache", "seconds"]
    assert " ran " in texts[-1] and "LABEL" not in texts[-1]
    assert "#ffd8a8" in outputs[-1]["data"]["text/html"]
