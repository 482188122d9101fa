"""The build runner: build a context, see which steps came from the cache and which ran.

Layers, as in docker-py: parsers turn each builder's output into typed events
(:mod:`.events`, :mod:`.classic_stream`, :mod:`.buildkit_stream`); the recorder turns events
into step records (:mod:`.records`); runners drive a builder (:mod:`.classic` through the
Engine API, :mod:`.buildkit` through a CLI); presentations consume events and records
(:mod:`.display`, :mod:`.compare`). In a notebook::

    from checker.build import build
    result = build("sample_project")          # live steps, then the colour-coded table
"""

from .buildkit import BuildKitClient, find_buildkit_client
from .cleanup import (
    CleanupReport,
    cleanup,
    engine_time,
    forget_buildkit_steps,
    prune_buildkit_cache,
    remove_image,
)
from .compare import compare, plot_step_seconds
from .context import make_context
from .display import BuildTable, LiveView, show
from .errors import BuildError, BuildTimeout, NoBuildKitClient
from .events import (
    BuildEvent,
    BuildFailed,
    BuildSucceeded,
    CacheHit,
    Notice,
    OutputLine,
    StepDone,
    StepStarted,
    Tagged,
)
from .options import BuildOptions
from .records import BuildResult, StepRecord
from .runner import build

__all__ = [
    "BuildError",
    "BuildEvent",
    "BuildFailed",
    "BuildKitClient",
    "BuildOptions",
    "BuildResult",
    "BuildSucceeded",
    "BuildTable",
    "BuildTimeout",
    "CacheHit",
    "CleanupReport",
    "LiveView",
    "NoBuildKitClient",
    "Notice",
    "OutputLine",
    "StepDone",
    "StepRecord",
    "StepStarted",
    "Tagged",
    "build",
    "cleanup",
    "compare",
    "engine_time",
    "find_buildkit_client",
    "forget_buildkit_steps",
    "make_context",
    "plot_step_seconds",
    "prune_buildkit_cache",
    "remove_image",
    "show",
]
