"""Grade Dockerfiles on layer order, and run the workshop's real builds.

The sub-packages, in pipeline order:

* ``dockerfile``: parse a Dockerfile as BuildKit does; ``shell``: the commands its RUNs run
  and the installs among them;
* ``cache``: the cache model (the context a step reads, the stages built, the prediction);
* ``rules``: one file per rule (``lc001_*.py`` ...) over one shared analysis;
* ``grading``: the grade, its findings as data, renderers, formats, config, batch;
* ``verify``: proof by real builds; ``build``: the build runner; ``runtime``: engine, base
  image, package index and registry;
* ``lessons``: the notebooks' helpers; ``cli``: ``python -m checker``, a module per subcommand.
"""

__version__ = "0.1.0"


def __getattr__(name: str):  # lazy: ``import checker`` stays cheap for the build runner
    if name == "grade":
        from checker.grading.grade import grade

        return grade
    raise AttributeError(f"module 'checker' has no attribute {name!r}")
