"""Grade Dockerfiles on layer order, and run the workshop's real builds.

The package has three parts that share one build runner:
``checker.runtime`` (engine, base image, package index), ``checker.build`` (builds and their
step records), and the static checker (``checker.dockerfile``, ``checker.rules``).
"""

__version__ = "0.1.0"
