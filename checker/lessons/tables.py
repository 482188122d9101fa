"""The comparison tables of the practice notebooks, as aligned text and as coloured HTML.

nbval compares both renderings, so there is one way to draw them: a table whose widths or
colours changed by accident would fail every notebook that shows one.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

OUTCOME_COLOURS = {"cached": "#c8e6c9", "ran": "#ffd8a8"}
CELL_STYLE = "padding:2px 8px;text-align:left;font-family:monospace"


def text_table(
    header: Sequence[str], rows: Sequence[Sequence[str]], header_width_columns: Sequence[int] = ()
) -> str:
    """Left-aligned columns; ``header_width_columns`` keep their header's width (seconds
    columns, so a slower run does not shift the header)."""
    lines = [tuple(header), *(tuple(row) for row in rows)]
    widths = [
        len(header[i]) if i in header_width_columns else max(len(row[i]) for row in lines)
        for i in range(len(header))
    ]
    return "\n".join(
        "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in lines
    )


def html_table(header: Sequence[str], rows: Sequence[Sequence[str]], outcome_column: int) -> str:
    """An HTML table whose ``outcome_column`` is green when cached and orange when it ran."""
    head = "".join(f'<th style="{CELL_STYLE}">{html.escape(name)}</th>' for name in header)
    body = []
    for row in rows:
        cells = []
        for index, value in enumerate(row):
            colour = OUTCOME_COLOURS.get(value, "") if index == outcome_column else ""
            style = f"{CELL_STYLE};background:{colour}" if colour else CELL_STYLE
            cells.append(f'<td style="{style}">{html.escape(value)}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        '<table style="border-collapse:collapse"><thead><tr>'
        + head
        + "</tr></thead><tbody>"
        + "".join(body)
        + "</tbody></table>"
    )
