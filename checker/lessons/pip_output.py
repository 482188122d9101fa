"""Read what pip did from a build step's output: which packages it installed.

The lesson on changing requirements shows that a rerun install step installs *every* package
again, not only the new one; pip's ``Successfully installed a-1.0 b-2.0`` line proves it.
Names only, without versions: versions depend on the wheelhouse of the machine, and the
notebook's stored outputs must not.
"""

from __future__ import annotations

from checker.build import BuildResult

_MARKER = "Successfully installed "


def installed_packages(result: BuildResult, step: str = "RUN pip") -> list[str]:
    """Sorted names of the packages pip installed in the first step starting with ``step``.

    An empty list means pip installed nothing there, which is what a cached step looks like:
    it did not run at all.
    """
    names: list[str] = []
    for line in result.step(step).output:
        text = line.strip()
        if text.startswith(_MARKER):
            for item in text[len(_MARKER) :].split():
                names.append(item.rsplit("-", 1)[0].lower())
    return sorted(set(names))
