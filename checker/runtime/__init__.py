"""The workshop runtime: a Docker engine, the base image and a package index, on any machine.

A learner with Docker Desktop and internet needs none of the fallbacks; a machine with no
registry and no PyPI inside builds gets a locally built base image and a local index, so the
same lessons give the same results everywhere.
"""
