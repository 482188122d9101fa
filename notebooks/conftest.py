"""Under ``pytest --nbval``: how long the lesson series took, printed at the end of the run.

Here, not in ``tests/conftest.py``: pytest asks a conftest's per-item hooks only for the items
below its folder, so the notebooks' timing has to live beside them.
"""

from __future__ import annotations

import pytest

_NOTEBOOK_SECONDS: dict[str, float] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Adds up the time each notebook's cells took under nbval (setup, call and teardown)."""
    path = report.nodeid.split("::", 1)[0]
    if path.endswith(".ipynb"):
        _NOTEBOOK_SECONDS[path] = _NOTEBOOK_SECONDS.get(path, 0.0) + report.duration


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The lesson series' run time, printed where CI's log shows it (target: 10 minutes warm)."""
    if not _NOTEBOOK_SECONDS:
        return
    terminalreporter.section("notebook series")
    for path, seconds in sorted(_NOTEBOOK_SECONDS.items()):
        terminalreporter.write_line(f"{seconds:7.1f} s  {path}")
    total = sum(_NOTEBOOK_SECONDS.values())
    verdict = "within" if total < 600 else "OVER"
    terminalreporter.write_line(
        f"{total:7.1f} s  all {len(_NOTEBOOK_SECONDS)} notebooks ({verdict} the 600 s target)"
    )
