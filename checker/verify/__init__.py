"""Proof by real builds: does the engine do what the cache model predicted?

* :mod:`checker.verify.proof`: :func:`~checker.verify.proof.verify`, two builds around a change.
* :mod:`checker.verify.compare`: the engine's steps aligned with the predicted ones.
* :mod:`checker.verify.sandbox`: limits and clean-up for builds of untrusted Dockerfiles.
* :mod:`checker.verify.network`: a network on which a ``RUN`` reaches the package index only.
* :mod:`checker.verify.across_engines`: ``batch --prove`` spread over several engines.
"""
