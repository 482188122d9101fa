"""pip-family installs: ``pip``, ``uv pip``/``uv sync``, ``pip-sync``, ``setup.py``.

They name what they read on the command line (``-r``, ``-c``, paths), so the reads come
straight from the parsed options.
"""

from __future__ import annotations

import posixpath
from dataclasses import replace

from checker.shell.options import Options, read_options, subcommand
from checker.shell.record import Context, DependencyInstall, make_record


def is_local_path(spec: str) -> bool:
    """A pip argument naming a local directory or archive rather than a package name."""
    bare = spec.split("[", 1)[0]  # ".[dev]" -> "."
    if spec.startswith("file:"):
        return True
    if "://" in spec or spec.startswith("git+"):
        return False
    if bare in (".", "..") or bare.startswith(("./", "../", "/", "~")):
        return True
    if bare.endswith((".whl", ".tar.gz", ".zip", ".tar.bz2", ".tgz")):
        return True
    return "/" in bare and not any(op in spec for op in "<>=!~@ ;")


def is_archive(path: str) -> bool:
    """A wheel or sdist file, or a glob of them (``/wheels/*``): files, not a project."""
    return path.endswith((".whl", ".tar.gz", ".zip", ".tar.bz2", ".tgz")) or "*" in path


def local_path(spec: str) -> str:
    """``.[dev]`` -> ``.``; ``file:///app`` -> ``/app``; ``./pkg`` -> ``pkg``."""
    path = spec
    if path.startswith("file://"):
        path = path[len("file://") :]
    elif path.startswith("file:"):
        path = path[len("file:") :]
    if "[" in path and not is_archive(path):
        path = path.split("[", 1)[0]
    path = path.split("#", 1)[0]
    return posixpath.normpath(path) if path not in ("", ".") else "."


def recognise_setup_py(context: Context, action: str) -> DependencyInstall:
    """``python setup.py install|develop``: the legacy way to install the project itself."""
    return make_record(
        context,
        tool="setuptools",
        action=action,
        reads=(".",),
        installs_project=True,
        editable=action == "develop",
        no_deps=False,
        named_packages=(),
        keeps_download_cache=False,  # easy_install-style fetches leave no pip cache
    )


_PIP_SHORT = {
    "r": "--requirement",
    "c": "--constraint",
    "e": "--editable",
    "t": "--target",
    "i": "--index-url",
    "f": "--find-links",
    "U": "--upgrade",
    "I": "--ignore-installed",
    "q": "--quiet",
    "v": "--verbose",
    "C": "--config-settings",
    "n": "--no-cache",  # uv only; pip has no -n
    "p": "--python",  # uv only
}
_PIP_WITH_VALUE = frozenset(
    (
        "--requirement",
        "--constraint",
        "--editable",
        "--target",
        "--prefix",
        "--root",
        "--index-url",
        "--extra-index-url",
        "--find-links",
        "--platform",
        "--python-version",
        "--implementation",
        "--abi",
        "--src",
        "--upgrade-strategy",
        "--progress-bar",
        "--log",
        "--log-file",
        "--proxy",
        "--retries",
        "--timeout",
        "--exists-action",
        "--trusted-host",
        "--cert",
        "--client-cert",
        "--cache-dir",
        "--global-option",
        "--config-settings",
        "--install-option",
        "--no-binary",
        "--only-binary",
        "--report",
        "--root-user-action",
        "--python",
        "--keyring-provider",
        "--build-constraint",
        "--overrides",
        "--override",
        "--index-strategy",
        "--resolution",
        "--prerelease",
        "--extra",
        "--group",
        "--python-platform",
        "--default-index",
        "--index",
        "--link-mode",
        "--compile-bytecode-timeout",
        "--exclude-newer",
        "--reinstall-package",
        "--upgrade-package",
        "--refresh-package",
        "--no-binary-package",
        "--no-build-package",
        "--directory",
        "--project",
        "--config-file",
        "--color",
        "--allow-insecure-host",
    )
)
_PIP_NOTABLE = frozenset(
    (
        "--no-cache-dir",
        "--no-cache",
        "--user",
        "--prefix",
        "--target",
        "--root",
        "--no-deps",
        "--upgrade",
        "--force-reinstall",
        "--system",
        "--require-hashes",
        "--no-index",
        "--break-system-packages",
        "--compile",
        "--no-compile",
        "--cache-dir",
        "--strict",
        "--no-build-isolation",
    )
)


_PIP_GLOBAL_WITH_VALUE = frozenset(
    ("--cache-dir", "--log", "--proxy", "--retries", "--timeout", "--cert", "--python")
)


def recognise_pip(context: Context, words: tuple[str, ...]) -> DependencyInstall | None:
    action, global_words, rest = subcommand(words, _PIP_GLOBAL_WITH_VALUE)
    if action not in ("install", "wheel", "download"):
        return None
    short = _PIP_SHORT if action == "install" else {**_PIP_SHORT, "w": "--wheel-dir", "d": "--dest"}
    with_value = _PIP_WITH_VALUE | frozenset(("--wheel-dir", "--dest"))
    options = read_options((*global_words, *rest), short, with_value, _PIP_NOTABLE)
    keeps = not (options.has("--no-cache-dir") or context.pip_cache_disabled())
    cache_dir = options.last("--cache-dir") or context.pip_cache_dir()
    record = pip_like(context, "pip", action, options, keeps, cache_dir)
    if action != "install":
        # pip wheel / pip download fill a directory (a builder stage's usual first step)
        target = options.last("--wheel-dir") or options.last("--dest") or record.target
        record = replace(record, target=target)
    return record


def _a_file(path: str) -> bool:
    """A requirement file, not a pipe or a process substitution (``/dev/stdin``,
    ``/dev/fd/63``, ``-``)."""
    return path != "-" and not path.startswith("/dev/")


def pip_like(
    context: Context,
    tool: str,
    action: str,
    options: Options,
    keeps: bool,
    cache_dir: str | None,
) -> DependencyInstall:
    # `-r /dev/stdin` reads a pipe (`poetry export | pip install -r /dev/stdin`), no file
    requirements = tuple(path for path in options.get_all("--requirement") if _a_file(path))
    constraints = tuple(path for path in options.get_all("--constraint") if _a_file(path))
    editables = options.get_all("--editable")
    named: list[str] = []
    paths: list[str] = []
    for spec in options.positionals:
        (paths if is_local_path(spec) else named).append(spec)
    editable_paths = [spec for spec in editables if is_local_path(spec) or "://" not in spec]
    named.extend(spec for spec in editables if spec not in editable_paths)
    local = [local_path(spec) for spec in (*editable_paths, *paths)]
    project = [path for path in local if not is_archive(path)]
    listed = [  # requirement and constraint files in command-line order
        value
        for key, value in options.values
        if key in ("--requirement", "--constraint") and _a_file(value)
    ]
    target = options.last("--prefix") or options.last("--target") or options.last("--root")
    return make_record(
        context,
        tool=tool,
        action=action,
        reads=(*listed, *local),
        installs_project=bool(project),
        editable=bool(editables),  # a VCS checkout (-e git+...) is editable too
        no_deps=options.has("--no-deps"),
        named_packages=tuple(named),
        keeps_download_cache=keeps,
        requirement_files=requirements,
        constraint_files=constraints,
        options=tuple(options.written),
        target=target,
        cache_dir=cache_dir,
    )


_UV_GLOBAL_WITH_VALUE = frozenset(
    ("--cache-dir", "--directory", "--project", "--config-file", "--color", "--python", "-p")
)


def recognise_uv(context: Context, words: tuple[str, ...]) -> DependencyInstall | None:
    action, global_words, rest = subcommand(words, _UV_GLOBAL_WITH_VALUE)
    all_words = (*global_words, *rest)
    options = read_options(all_words, _PIP_SHORT, _PIP_WITH_VALUE, _UV_NOTABLE)
    keeps = not (options.has("--no-cache") or context.flag_set("UV_NO_CACHE"))
    cache_dir = (
        options.last("--cache-dir")
        or context.getenv("UV_CACHE_DIR")
        or posixpath.join(context.cache_home(), "uv")
    )
    if action == "pip":
        sub, _, sub_rest = subcommand(rest, frozenset())
        options = read_options((*global_words, *sub_rest), _PIP_SHORT, _PIP_WITH_VALUE, _UV_NOTABLE)
        if sub == "install":
            return pip_like(context, "uv", "pip install", options, keeps, cache_dir)
        if sub == "sync":
            files = tuple(options.positionals) or ("requirements.txt",)
            return make_record(
                context,
                tool="uv",
                action="pip sync",
                reads=(*files, *options.get_all("--constraint")),
                installs_project=False,
                editable=False,
                no_deps=True,
                named_packages=(),
                keeps_download_cache=keeps,
                requirement_files=files,
                constraint_files=tuple(options.get_all("--constraint")),
                options=tuple(options.written),
                cache_dir=cache_dir,
            )
        return None
    if action == "tool":
        sub, _, sub_rest = subcommand(rest, frozenset())
        if sub != "install":
            return None
        options = read_options((*global_words, *sub_rest), _PIP_SHORT, _PIP_WITH_VALUE, _UV_NOTABLE)
        record = pip_like(context, "uv", "tool install", options, keeps, cache_dir)
        return record if record.installs_project else None  # a tool by name: not a dependency
    if action != "sync":
        return None
    installs_project = not (
        options.has("--no-install-project")
        or options.has("--no-install-workspace")
        or options.has("--only-dev")
    )
    project_dir = options.last("--directory") or options.last("--project")
    prefix = "" if project_dir is None else project_dir.rstrip("/") + "/"
    reads = [f"{prefix}pyproject.toml"]
    if not options.has("--no-lock") and not options.has("--upgrade"):
        reads.append(f"{prefix}uv.lock")
    if installs_project:
        reads.append(project_dir or ".")
    return make_record(
        context,
        tool="uv",
        action="sync",
        reads=tuple(reads),
        installs_project=installs_project,
        editable=installs_project and not options.has("--no-editable"),
        no_deps=options.has("--no-deps") or options.has("--only-install-project"),
        named_packages=(),
        keeps_download_cache=keeps,
        options=tuple(options.written),
        target=context.getenv("UV_PROJECT_ENVIRONMENT"),
        cache_dir=cache_dir,
    )


_UV_NOTABLE = _PIP_NOTABLE | frozenset(
    (
        "--frozen",
        "--locked",
        "--no-dev",
        "--no-install-project",
        "--no-install-workspace",
        "--no-editable",
        "--only-dev",
        "--all-extras",
        "--extra",
        "--group",
        "--only-group",
        "--no-group",
        "--inexact",
        "--compile-bytecode",
    )
)


def recognise_pip_sync(context: Context, words: tuple[str, ...]) -> DependencyInstall | None:
    options = read_options(
        words,
        {
            "n": "--dry-run",
            "f": "--find-links",
            "i": "--index-url",
            "q": "--quiet",
            "v": "--verbose",
        },
        frozenset(
            (
                "--find-links",
                "--index-url",
                "--extra-index-url",
                "--trusted-host",
                "--pip-args",
                "--python-executable",
                "--cert",
                "--client-cert",
                "--config",
            )
        ),
        frozenset(("--pip-args", "--user", "--dry-run", "--force")),
    )
    files = tuple(options.positionals) or ("requirements.txt",)
    pip_args = options.last("--pip-args") or ""
    keeps = not ("--no-cache-dir" in pip_args or context.pip_cache_disabled())
    return make_record(
        context,
        tool="pip-sync",
        action="sync",
        reads=files,
        installs_project=False,
        editable=False,
        no_deps=True,  # pip-sync installs exactly the pinned set, with --no-deps
        named_packages=(),
        keeps_download_cache=keeps,
        requirement_files=files,
        options=tuple(options.written),
        cache_dir=context.pip_cache_dir(),
    )


def recognise_pipx(context: Context, words: tuple[str, ...]) -> DependencyInstall | None:
    """``pipx install .``: a venv of its own for the project, filled by pip with every
    dependency. ``pipx install black`` installs a tool, not a dependency: None."""
    action, global_words, rest = subcommand(words, frozenset())
    if action != "install":
        return None
    options = read_options((*global_words, *rest), _PIP_SHORT, _PIP_WITH_VALUE, _PIP_NOTABLE)
    keeps = not context.pip_cache_disabled()
    cache_dir = context.pip_cache_dir()
    record = pip_like(context, "pipx", "install", options, keeps, cache_dir)
    return record if record.installs_project else None
