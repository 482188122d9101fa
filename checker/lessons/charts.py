"""A chart of step seconds that appears exactly once in a notebook.

``plot_step_seconds`` returns a matplotlib figure; in a notebook the inline backend would show
it at the end of the cell *and* again as the cell's value. Here it is displayed once and
closed, so the notebook's stored outputs stay the same from run to run.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from checker.build import BuildResult, plot_step_seconds
from checker.build.display import in_notebook


def chart(results: Sequence[BuildResult], labels: Sequence[str]) -> Any:
    """Show one panel per build, a bar per step, cached ones marked; outside notebooks return it."""
    import matplotlib.pyplot as plt

    figure = plot_step_seconds(results, labels)
    if not in_notebook():
        return figure
    from IPython.display import display

    display(figure)
    plt.close(figure)
    return None
