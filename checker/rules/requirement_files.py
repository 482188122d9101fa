"""Requirement files that other requirement files include (``-r base.txt``, ``-c c.txt``).

``pip install -r requirements/prod.txt`` also reads every file ``prod.txt`` names with
``-r``/``--requirement`` or ``-c``/``--constraint``, relative to ``prod.txt`` itself. A fix
that copies only ``prod.txt`` before the install would not build, so with a build context
the install's manifests include the nested files, read from the context.

Paths are kept as the install names them (``requirements/base.txt`` beside
``requirements/prod.txt``, ``/app/requirements/base.txt`` beside an absolute one), and read
from the context through the same mapping a fix uses: a relative path is a context path,
an absolute one is its part under the WORKDIR (or the longest suffix the context has).
"""

from __future__ import annotations

import posixpath

from checker.cache import ContextFiles, normalize
from checker.shell.pip_installs import is_archive, is_local_path, local_path

_INCLUDE_OPTIONS = ("-r", "--requirement", "-c", "--constraint")
MAX_FILES = 64  # a bound on what one install may pull in (include cycles, huge trees)
MAX_BYTES = 1 << 20


def is_requirement_file(path: str) -> bool:
    return path.lower().endswith((".txt", ".in"))


def context_path(context: ContextFiles, path: str, workdir: str = "/") -> str | None:
    """The context file an install's path names, or None when the context has none."""
    if context.root is None or "$" in path:
        return None
    if path.startswith("/"):
        candidates = []
        base = workdir.rstrip("/")
        if base and path.startswith(base + "/"):
            candidates.append(normalize(path[len(base) + 1 :]))
        parts = normalize(path).split("/")
        candidates.extend("/".join(parts[index:]) for index in range(len(parts)))
    else:
        candidates = [normalize(path)]
    for candidate in candidates:
        if candidate and not candidate.startswith("..") and _is_file(context, candidate):
            return candidate
    return None


def _is_file(context: ContextFiles, path: str) -> bool:
    return context.is_file(path) and not context.is_ignored(path)


def includes(text: str) -> list[str]:
    """The files a requirement file's text names with -r/-c (as written, in order)."""
    found: list[str] = []
    for raw in text.replace("\\\n", " ").splitlines():
        line = raw.strip()
        if not line.startswith("-"):
            continue
        words = line.split()
        word = words[0]
        value: str | None = None
        for option in _INCLUDE_OPTIONS:
            if word == option:
                value = words[1] if len(words) > 1 else None
            elif option.startswith("--") and word.startswith(option + "="):
                value = word[len(option) + 1 :]
            elif len(option) == 2 and word.startswith(option) and len(word) > 2:
                value = word[2:]
            if value is not None:
                break
        if value and not value.startswith("#") and "://" not in value and "$" not in value:
            found.append(value)
    return found


def nested_requirements(
    context: ContextFiles, manifests: tuple[str, ...], workdir: str = "/"
) -> tuple[str, ...]:
    """The requirement files ``manifests`` include, directly or not, named the way the
    install names its own (empty without a context or without includes)."""
    if context.root is None:
        return ()
    seen = set(manifests)
    found: list[str] = []
    pending = [path for path in manifests if is_requirement_file(path)]
    while pending and len(found) < MAX_FILES:
        path = pending.pop(0)
        source = context_path(context, path, workdir)
        if source is None:
            continue
        text = context.read_text(source, MAX_BYTES)  # never out of the context, never blocks
        if text is None:
            continue
        for name in includes(text):
            if name.startswith("/"):
                continue  # an absolute path in the image: not a context file
            nested = posixpath.normpath(posixpath.join(posixpath.dirname(path), name))
            if nested.startswith("./"):
                nested = nested[2:]
            if nested not in seen:
                seen.add(nested)
                found.append(nested)
                pending.append(nested)
    return tuple(found)


def local_projects(
    context: ContextFiles, manifests: tuple[str, ...], workdir: str = "/"
) -> tuple[str, ...]:
    """The local projects the requirement files list (``-e .``, ``./shared``,
    ``-e file:./libs/core``), as pip reads them: relative to the working directory. An
    install of such a file installs those projects, so it needs their source."""
    if context.root is None:
        return ()
    found: list[str] = []
    for path in manifests:
        source = context_path(context, path, workdir) if is_requirement_file(path) else None
        text = context.read_text(source, MAX_BYTES) if source is not None else None
        for raw in (text or "").replace("\\\n", " ").splitlines():
            words = raw.split("#", 1)[0].split() if not raw.lstrip().startswith("#") else []
            if not words:
                continue
            spec = words[0]
            if spec in ("-e", "--editable") and len(words) > 1:
                spec = words[1]
            elif spec.startswith("--editable="):
                spec = spec.removeprefix("--editable=")
            elif spec.startswith("-"):
                continue
            if is_local_path(spec) and not is_archive(spec) and "$" not in spec:
                found.append(local_path(spec))
    return tuple(dict.fromkeys(found))
