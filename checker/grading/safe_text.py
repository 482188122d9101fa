"""Text from submissions made safe for where it lands: a terminal, a spreadsheet, a CSV.

A Dockerfile is written by a stranger: ``\\x1b]0;...\\x07`` in it retitles the grader's
terminal, ``\\x1b[2J`` clears it, and a file name or message that starts with ``=`` runs as
a formula when the CSV is opened in a spreadsheet. So control characters (C0, DEL, C1, the
line and paragraph separators, and the bidirectional overrides of "Trojan Source") are
shown as ``\\xNN``/``\\uNNNN`` escapes wherever the checker prints text it did not write
(grade's text, explain's table, ``--diff``, ``--fix``'s summary, GitHub annotations, error
messages): :func:`escape_control` is the one implementation. It keeps newlines, tabs and a
CR that ends a line (CRLF), which a terminal shows as they are meant.

A CSV cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
leading ``'``, as OWASP's "CSV Injection" page recommends; so does a cell that already
starts with ``'``, so the rule reads back without ambiguity: a cell that starts with ``'``
had one ``'`` added (``'=A1`` was ``=A1``; ``''=A1`` was ``'=A1``). File names are escaped
losslessly (a backslash is doubled; bytes that are not UTF-8 become ``\\xNN``), so two
different names never print the same.
"""

from __future__ import annotations

import re

_BIDI = "\u202a-\u202e\u2066-\u2069\u2028\u2029"  # and the line/paragraph separators
_CONTROL = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_BIDI}\ud800-\udfff]|\r(?!\n)")
_CONTROL_ALL = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}\ud800-\udfff]")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NEUTRALISED_START = (*FORMULA_START, "'")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_control(text: str) -> str:
    """``text`` with control characters escaped; newlines, tabs and CRLF are kept."""
    return _CONTROL.sub(_escape, text) if _CONTROL.search(text) else text


def escape_name(name: str) -> str:
    """A file name, losslessly printable: ``\\`` doubled, every control character (newline
    and tab too) and every byte that is not UTF-8 as an escape."""
    doubled = name.replace("\\", "\\\\")
    return _CONTROL_ALL.sub(_escape, doubled)


def csv_cell(value: object) -> object:
    """A value safe to put in a CSV cell: text escaped, and neutralised when a spreadsheet
    would read it as a formula, or when it starts with ``'`` (so a leading ``'`` always
    means one was added). Numbers and booleans are left as they are."""
    if not isinstance(value, str):
        return value
    text = value.replace("\r\n", "\n")
    if text.startswith(_NEUTRALISED_START):
        text = "'" + text
    return escape_control(text)
