"""Grade Dockerfiles on layer order, and run the workshop's real builds.

The package has three parts that share one build runner:
``checker.runtime`` (engine, base image, package index), ``checker.build`` (builds and their
step records), and the static checker (``checker.dockerfile``, ``checker.rules``).
"""

__version__ = "0.1.0"


def __getattr__(name: str):  # lazy: ``import checker`` stays cheap for the build runner
    if name == "grade":
        from checker.grading import grade

        return grade
    raise AttributeError(f"module 'checker' has no attribute {name!r}")
