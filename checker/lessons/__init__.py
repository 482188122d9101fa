"""Lesson harness: run a build experiment in one or two notebook lines, leave nothing behind.

Why a harness: every lesson does the same few things (copy the sample project, change one
file, build, look at which steps came from the cache, compare timings) and a notebook should
show the lesson, not that plumbing. The repository is never modified: each experiment works in
a temporary copy, and its images are removed when it closes.

API (``from checker.lessons import Workspace, ...``)::

    ws = Workspace()                          # a temp copy of sample_project/ (or a path/name)
    ws.show("Dockerfile")                     # print a file
    ws.write("run.py", 'print("Hi")\\n')      # also: append, replace, touch, chmod, remove
    ws.dockerfile('''FROM python:3.11-slim ...''')   # write the Dockerfile (dedented)
    first = ws.build("first")                 # live steps + table; the first build per
                                              # builder is cold (no_cache) unless cold=False
    ws.build("BuildKit", builder="buildkit")  # either builder; any checker.build.build option
    ws.run()                                  # run the last image: labelled container, removed;
                                              # prints and returns its output
    ws.transcript("classic")                  # rebuild through the docker CLI and print the
                                              # builder's own output ("Step 3/7", "CACHED")
    ws.compare("first", "second")             # side-by-side table (the cell's value)
    ws.chart("first", "second")               # bar chart of step seconds, shown once
    ws.grade()                                # checker.grade() of this Dockerfile + context
    installed_packages(result)                # names pip installed in a build's RUN step
    ws.close()                                # remove the images it built and the temp copy
                                              # (also on ``with Workspace() as ws:`` exit and
                                              # at interpreter exit)

    chart(results, labels)                    # the same chart for builds of several workspaces
    preflight()                               # is everything ready? (engine, builders, image,
                                              # package index); ``.details()`` for versions

Outputs are made for nbval: live lines are appended (never rewritten), pip's own lines are
kept out of the live view (``output_lines=0``, they carry download speeds) and every table
carries the words ``cached``/``ran``, so only seconds and ids need sanitising.
"""

from .charts import chart
from .pip_output import installed_packages
from .preflight import Preflight, preflight
from .workspace import Workspace, project_source

__all__ = [
    "Preflight",
    "Workspace",
    "chart",
    "installed_packages",
    "preflight",
    "project_source",
]
