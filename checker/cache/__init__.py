"""The cache model: which steps of a Dockerfile the next build takes from Docker's cache.

* :mod:`checker.cache.context`: the files a step reads from the build context
  (``.dockerignore`` applied by :mod:`checker.cache.dockerignore`, read through
  :mod:`checker.cache.jail`, which follows no link out of the context).
* :mod:`checker.cache.stages`: which stages a builder builds and what each builds on.
* :mod:`checker.cache.predict`: :func:`predict`, step by step: resolve the stages, key each
  step, carry the misses.
"""

from checker.cache.context import ContextFiles, context_sources, normalize, source_matches
from checker.cache.predict import (
    CACHED,
    REBUILT,
    SKIPPED,
    Prediction,
    StepPrediction,
    format_table,
    predict,
)
from checker.cache.stages import built_stages, needed_stages, stage_dependencies, stage_index

__all__ = [
    "CACHED",
    "REBUILT",
    "SKIPPED",
    "ContextFiles",
    "Prediction",
    "StepPrediction",
    "built_stages",
    "context_sources",
    "format_table",
    "needed_stages",
    "normalize",
    "predict",
    "source_matches",
    "stage_dependencies",
    "stage_index",
]
