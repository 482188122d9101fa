"""Rows out as CSV or JSON Lines: the one writer of each, for ``grade`` and ``batch``.

A writer takes rows one at a time and flushes each, so what was written survives a crash of
whatever produces the rows (``batch`` writes a submission's row as soon as it is graded);
:func:`rows_text` runs the same writer into a string, so whole outputs and incremental ones
are the same bytes.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import TextIO

from checker.grading.safe_text import csv_cell

ROW_FORMATS = ("csv", "json")


class CsvWriter:
    """A header, then rows as they come, each cell made safe for spreadsheets
    (:func:`checker.grading.safe_text.csv_cell`) and flushed."""

    def __init__(self, stream: TextIO, fields: Sequence[str]) -> None:
        self.stream = stream
        self.writer = csv.DictWriter(stream, fieldnames=list(fields), lineterminator="\n")
        self.writer.writeheader()

    def write(self, row: Mapping[str, object]) -> None:
        self.writer.writerow({key: csv_cell(value) for key, value in row.items()})
        self.stream.flush()


class JsonLinesWriter:
    """One JSON object a line, flushed (a single row is one line of plain JSON)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, row: Mapping[str, object]) -> None:
        self.stream.write(json.dumps(row) + "\n")
        self.stream.flush()


def row_writer(stream: TextIO, fmt: str, fields: Sequence[str]) -> CsvWriter | JsonLinesWriter:
    """The writer for ``fmt`` (one of :data:`ROW_FORMATS`); ``fields`` are the CSV columns."""
    if fmt == "csv":
        return CsvWriter(stream, fields)
    if fmt == "json":
        return JsonLinesWriter(stream)
    raise ValueError(f"unknown row format {fmt!r}; choose one of {', '.join(ROW_FORMATS)}")


def rows_text(fmt: str, rows: Iterable[Mapping[str, object]], fields: Sequence[str] = ()) -> str:
    """The whole output as one string, written as :func:`row_writer` writes a stream."""
    buffer = io.StringIO()
    writer = row_writer(buffer, fmt, fields)
    for row in rows:
        writer.write(row)
    return buffer.getvalue()
