"""Lock-file installs: ``poetry``, ``pipenv``, ``pdm``, ``pixi``; and ``hatch env create``.

They read the project's manifest and lock file (``pyproject.toml`` + ``poetry.lock``,
``Pipfile`` + ``Pipfile.lock``, ``pixi.toml`` + ``pixi.lock``) and, unless told otherwise,
install the project itself (pixi does only where the manifest lists it as a path
dependency, which the command does not say: it is taken not to).
"""

from __future__ import annotations

import posixpath

from checker.shell.options import read_options, subcommand
from checker.shell.pip_installs import local_path
from checker.shell.record import Context, DependencyInstall, make_record

_POETRY_WITH_VALUE = frozenset(
    ("--only", "--without", "--with", "--extras", "-E", "--directory", "-C", "--project", "-P")
)
_POETRY_NOTABLE = frozenset(
    (
        "--no-root",
        "--only-root",
        "--only",
        "--without",
        "--with",
        "--no-dev",
        "--sync",
        "--no-cache",
        "--no-interaction",
        "--no-ansi",
        "--all-extras",
        "--extras",
        "--compile",
        "--no-directory",
        "--dry-run",
        "--output",
        "--without-hashes",
        "--format",
    )
)


def recognise_poetry(context: Context, words: tuple[str, ...]) -> DependencyInstall | None:
    action, global_words, rest = subcommand(
        words, frozenset(("--directory", "-C", "--project", "-P"))
    )
    options = read_options(
        (*global_words, *rest),
        {
            "C": "--directory",
            "P": "--project",
            "E": "--extras",
            "n": "--no-interaction",
            "o": "--output",
            "f": "--format",
        },
        _POETRY_WITH_VALUE | frozenset(("--output", "--format")),
        _POETRY_NOTABLE,
    )
    directory = options.last("--directory") or options.last("--project")
    prefix = "" if directory is None else directory.rstrip("/") + "/"
    lock_files = (f"{prefix}pyproject.toml", f"{prefix}poetry.lock")
    if action == "export":
        return make_record(
            context,
            tool="poetry",
            action="export",
            reads=lock_files,
            installs_project=False,
            editable=False,
            no_deps=False,
            named_packages=(),
            keeps_download_cache=False,
            options=tuple(options.written),
            target=options.last("--output"),
        )
    if action not in ("install", "sync"):  # `poetry sync` (Poetry 2) = install --sync
        return None
    installs_project = not options.has("--no-root") and not options.has("--no-directory")
    only_root = options.has("--only-root")
    cache_dir = context.getenv("POETRY_CACHE_DIR") or posixpath.join(
        context.cache_home(), "pypoetry"
    )
    return make_record(
        context,
        tool="poetry",
        action=action,
        reads=(*lock_files, *((directory or ".",) if installs_project else ())),
        installs_project=installs_project,
        editable=installs_project,  # poetry installs the root package in develop mode
        no_deps=only_root,
        named_packages=(),
        keeps_download_cache=not options.has("--no-cache") and not only_root,
        options=tuple(options.written),
        target=context.getenv("VIRTUAL_ENV"),
        cache_dir=cache_dir,
    )


_PIPENV_NOTABLE = frozenset(
    (
        "--deploy",
        "--system",
        "--ignore-pipfile",
        "--dev",
        "--skip-lock",
        "--categories",
        "--site-packages",
    )
)


def recognise_pipenv(context: Context, words: tuple[str, ...]) -> DependencyInstall | None:
    action, _, rest = subcommand(words, frozenset(("--python",)))
    if action not in ("install", "sync"):
        return None
    options = read_options(
        rest,
        {"r": "--requirements", "e": "--editable", "d": "--dev"},
        frozenset(("--requirements", "--editable", "--categories", "--python", "--extra-pip-args")),
        _PIPENV_NOTABLE | frozenset(("--requirements",)),
    )
    editables = options.get_all("--editable")
    named = tuple(options.positionals)
    reads: list[str] = []
    reads.extend(("Pipfile", "Pipfile.lock"))  # install locks or checks the lock; sync reads it
    reads.extend(options.get_all("--requirements"))
    local = [local_path(spec) for spec in editables]
    reads.extend(local)
    keeps = not context.pip_cache_disabled()
    extra = options.last("--extra-pip-args") or ""
    if "--no-cache-dir" in extra:
        keeps = False
    return make_record(
        context,
        tool="pipenv",
        action=action,
        reads=tuple(reads),
        installs_project=bool(local),
        editable=bool(local),
        no_deps=False,
        named_packages=named,
        keeps_download_cache=keeps,
        requirement_files=tuple(options.get_all("--requirements")),
        options=tuple(options.written),
        cache_dir=context.pip_cache_dir(),
    )


def recognise_pdm(context: Context, words: tuple[str, ...]) -> DependencyInstall | None:
    action, global_words, rest = subcommand(words, frozenset(("-p", "--project")))
    if action not in ("install", "sync"):
        return None
    options = read_options(
        (*global_words, *rest),
        {"p": "--project", "G": "--group", "d": "--dev", "L": "--lockfile"},
        frozenset(("--project", "--group", "--lockfile", "--venv")),
        frozenset(("--prod", "--production", "--no-self", "--frozen-lockfile", "--no-editable")),
    )
    project_dir = options.last("--project")
    prefix = "" if project_dir is None else project_dir.rstrip("/") + "/"
    installs_project = not options.has("--no-self")
    lock = options.last("--lockfile") or f"{prefix}pdm.lock"
    reads = (f"{prefix}pyproject.toml", lock, *((project_dir or ".",) if installs_project else ()))
    return make_record(
        context,
        tool="pdm",
        action=action,
        reads=reads,
        installs_project=installs_project,
        editable=installs_project and not options.has("--no-editable"),
        no_deps=False,
        named_packages=(),
        keeps_download_cache=True,
        options=tuple(options.written),
        cache_dir=context.getenv("PDM_CACHE_DIR") or posixpath.join(context.cache_home(), "pdm"),
    )


def recognise_pixi(context: Context, words: tuple[str, ...]) -> DependencyInstall | None:
    """``pixi install`` (the environment of ``pixi.toml`` and ``pixi.lock``, or of the
    manifest ``--manifest-path`` names, with the lock beside it)."""
    action, global_words, rest = subcommand(words, frozenset(("--manifest-path",)))
    if action != "install":
        return None
    options = read_options(
        (*global_words, *rest),
        {"e": "--environment", "a": "--all"},
        frozenset(("--manifest-path", "--environment")),
        frozenset(("--locked", "--frozen", "--all", "--environment")),
    )
    manifest = options.last("--manifest-path") or "pixi.toml"
    if not manifest.endswith(".toml"):
        manifest = manifest.rstrip("/") + "/pixi.toml"
    lock = posixpath.join(posixpath.dirname(manifest), "pixi.lock")
    return make_record(
        context,
        tool="pixi",
        action=action,
        reads=(manifest, lock),
        installs_project=False,
        editable=False,
        no_deps=False,
        named_packages=(),
        keeps_download_cache=True,
        options=tuple(options.written),
        cache_dir=context.getenv("RATTLER_CACHE_DIR")
        or posixpath.join(context.cache_home(), "rattler"),
    )


def recognise_hatch(context: Context, words: tuple[str, ...]) -> DependencyInstall | None:
    """``hatch env create [ENV]``: the environment's dependencies from pyproject.toml, then
    the project itself in dev mode (editable), unless the environment skips it, which the
    command does not say."""
    action, _, rest = subcommand(words, frozenset(("-e", "--env", "-p", "--project")))
    if action != "env" or rest[:1] != ("create",):
        return None
    return make_record(
        context,
        tool="hatch",
        action="env create",
        reads=("pyproject.toml", "."),
        installs_project=True,
        editable=True,
        no_deps=False,
        named_packages=(),
        keeps_download_cache=not context.pip_cache_disabled(),  # hatch installs with pip
        cache_dir=context.pip_cache_dir(),
    )
