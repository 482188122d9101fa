"""Recognise Python dependency installs among the commands of a RUN instruction.

The layer-order lesson turns on three facts about each install: which build-context files
it reads (a layer that reads only ``requirements.txt`` can be cached across code edits; one
that reads ``.`` cannot), whether it installs the project itself, and whether it leaves a
download cache in the image. Each :class:`DependencyInstall` records those facts for one
command, read from its parsed argv, never from a regular expression over the text.

Download caches, tool by tool (``keeps_download_cache``):

* pip, pip-sync, pipenv: pip's HTTP/wheel cache (``~/.cache/pip``) is written unless
  ``--no-cache-dir`` is given or ``PIP_NO_CACHE_DIR`` is set in the environment (to any
  value, even ``0`` or ``false``: pip disables the cache for both, on purpose).
  pipenv and pip-sync run pip, so the same rule applies (pip-sync also passes
  ``--pip-args``).
* uv: its cache (``~/.cache/uv``) is written unless ``--no-cache``/``-n`` or ``UV_NO_CACHE``.
* poetry: its cache (``~/.cache/pypoetry``) is written unless ``--no-cache``.
* conda/mamba/micromamba: packages are always downloaded into the package cache
  (``pkgs``); ``conda clean`` later in the same RUN removes it (``cache_cleaned``).
* pdm: its cache (``~/.cache/pdm``) is always used.
* ``poetry export`` installs nothing and keeps nothing; ``pip wheel``/``pip download`` fill
  ``target`` with archives (and use pip's cache like ``pip install``).

Whether the cache ends up in the layer also depends on a ``--mount=type=cache`` covering
the cache directory (``cache_mounted``) and on a later clean-up in the same RUN
(``cache_cleaned``); :attr:`DependencyInstall.cache_in_layer` combines the three.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from dataclasses import dataclass, replace

from checker.dockerfile.model import Instruction
from checker.shell.mounts import Mount, cache_mounts
from checker.shell.script import ShellCommand
from checker.shell.sources import RunCommand, run_commands
from checker.shell.wrappers import program

_FALSE = frozenset(("", "0", "false", "no", "off"))


@dataclass(frozen=True)
class DependencyInstall:
    """One command that installs Python dependencies (or exports them, for poetry)."""

    tool: str  # pip, uv, poetry, pipenv, pip-sync, pdm, conda, mamba, micromamba, setuptools
    # "install", "sync", "pip install" / "pip sync" (uv), "env create", "create", and two that
    # fill a directory or file instead of the environment: "wheel"/"download" (pip),
    # "export" (poetry)
    action: str
    argv: tuple[str, ...]  # the command's words after unwrapping (sudo, env, sh -c removed)
    # Files it reads, as named (relative to ``cwd``, else to the WORKDIR): the files given
    # to options (-r, -c, -f, pip-sync args, lock files) in command-line order, then local
    # paths; "." is the project directory (all of it)
    reads: tuple[str, ...]
    installs_project: bool  # installs the project in the working directory (or a path)
    editable: bool
    no_deps: bool
    named_packages: tuple[str, ...]  # requirement specifiers given on the command line
    keeps_download_cache: bool  # the tool writes its download cache (see module docstring)
    command_index: int  # index among the RUN's commands (see checker.shell.run_commands)
    line: int  # 1-based Dockerfile line of the command (best effort in continuations)
    requirement_files: tuple[str, ...] = ()  # -r / --requirement / pip-sync / -f files
    constraint_files: tuple[str, ...] = ()  # -c / --constraint
    options: tuple[str, ...] = ()  # notable options as written: --user, --frozen, --no-root, ...
    target: str | None = None  # --prefix / --target / --root / -p prefix, when given
    cwd: str | None = None  # directory set by a ``cd`` earlier in the same RUN
    cache_dir: str | None = None  # where the download cache goes, when known
    cache_mounted: bool = False  # a --mount=type=cache covers cache_dir
    cache_cleaned: bool = False  # a later command in the RUN removes the cache
    source: str = "shell"  # "shell", "exec" or "heredoc" (see RunCommand.source)

    @property
    def cache_in_layer(self) -> bool:
        """The download cache is left in the image layer this RUN creates."""
        return self.keeps_download_cache and not self.cache_mounted and not self.cache_cleaned


def find_installs(
    instruction: Instruction, env: Mapping[str, str] | None = None
) -> list[DependencyInstall]:
    """Dependency installs run by a RUN (or an ONBUILD RUN trigger); [] for anything else.

    ``env`` is the image environment in force (ENV/ARG of the stage, see
    :func:`checker.shell.stage_environment`); it decides ``PIP_NO_CACHE_DIR`` and friends.
    """
    located = run_commands(instruction)
    if not located:
        return []
    caches = cache_mounts(instruction)
    found = []
    for position, run in enumerate(located):
        record = _recognise(run, env or {})
        if record is None:
            continue
        mounted = record.cache_dir is not None and any(
            _mount_holds_cache(mount, record.cache_dir) for mount in caches
        )
        cleaned = record.cache_dir is not None and any(
            _cleans(later.command, record) for later in located[position + 1 :]
        )
        found.append(_with_cache_state(record, mounted, cleaned))
    return found


def install_command(
    command: ShellCommand, env: Mapping[str, str] | None = None
) -> DependencyInstall | None:
    """Recognise one already-unwrapped command (index and line left at 0)."""
    return _recognise(RunCommand(command, command.index, 0, "shell"), env or {})


# --------------------------------------------------------------------------------------
# Dispatch on the program


def _recognise(run: RunCommand, env: Mapping[str, str]) -> DependencyInstall | None:
    argv = run.command.argv
    if not argv:
        return None
    name = program(argv[0])
    rest = argv[1:]
    tool = _tool_of(name)
    if tool == "python":
        if rest[:1] == ("setup.py",) and rest[1:2] in (("install",), ("develop",)):
            return _setup_py(_Context(run, env, "setuptools"), rest[1])
        module, rest = _python_module(rest)
        if module is None:
            return None
        tool = _tool_of(module)
        if module == "piptools":
            if rest[:1] != ("sync",):
                return None
            tool, rest = "pip-sync", rest[1:]
    context = _Context(run, env, tool or "")
    if tool == "pip":
        return _pip(context, rest)
    if tool == "uv":
        return _uv(context, rest)
    if tool == "poetry":
        return _poetry(context, rest)
    if tool == "pipenv":
        return _pipenv(context, rest)
    if tool == "pip-sync":
        return _pip_sync(context, rest)
    if tool in ("conda", "mamba", "micromamba"):
        return _conda(context, rest)
    if tool == "pdm":
        return _pdm(context, rest)
    return None


def _tool_of(name: str) -> str | None:
    """Normalise a program name: pip3.12 -> pip, python3.11 -> python, ..."""
    for base in ("pip", "python"):
        if name == base or (
            name.startswith(base)
            and all(char.isdigit() or char == "." for char in name[len(base) :])
        ):
            return base
    if name in ("uv", "poetry", "pipenv", "pip-sync", "conda", "mamba", "micromamba", "pdm"):
        return name
    return None


def _setup_py(context: _Context, action: str) -> DependencyInstall:
    """``python setup.py install|develop``: the legacy way to install the project itself."""
    return _record(
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


def _python_module(words: tuple[str, ...]) -> tuple[str | None, tuple[str, ...]]:
    """For ``python [options] -m MODULE args``: (MODULE, args); (None, ()) otherwise."""
    index = 0
    while index < len(words):
        word = words[index]
        if word == "-m":
            if index + 1 < len(words):
                return words[index + 1], words[index + 2 :]
            return None, ()
        if word.startswith("-m") and len(word) > 2:
            return word[2:], words[index + 1 :]
        if word in ("-X", "-W", "--check-hash-based-pycs"):
            index += 2
        elif word.startswith("-") and word != "-":
            index += 1
        else:
            return None, ()  # a script or -c code runs, not a module
    return None, ()


# --------------------------------------------------------------------------------------
# Shared option reading


@dataclass
class _Context:
    run: RunCommand
    env: Mapping[str, str]
    tool: str

    def getenv(self, name: str) -> str | None:
        value = self.run.command.getenv(name)
        return value if value is not None else self.env.get(name)

    def flag_set(self, name: str) -> bool:
        """A boolean variable set to a true value (uv's reading of ``UV_NO_CACHE``)."""
        value = self.getenv(name)
        return value is not None and value.strip().lower() not in _FALSE

    def pip_cache_disabled(self) -> bool:
        """pip disables its cache when ``PIP_NO_CACHE_DIR`` holds any boolean, even "0".

        pip keeps that for backwards compatibility (see ``_handle_no_cache_dir`` in pip's
        cmdoptions); an empty value is treated as unset here (pip would reject it).
        """
        value = self.getenv("PIP_NO_CACHE_DIR")
        return value is not None and value.strip() != ""

    def home(self) -> str:
        return self.getenv("HOME") or "/root"

    def cache_home(self) -> str:
        return self.getenv("XDG_CACHE_HOME") or posixpath.join(self.home(), ".cache")


@dataclass
class _Options:
    """Options and positionals read with an optparse-like grammar."""

    values: list[tuple[str, str]]  # (canonical long name, value)
    switches: list[str]  # canonical names of options without values
    positionals: list[str]
    written: list[str]  # notable options as written, for DependencyInstall.options

    def get_all(self, name: str) -> list[str]:
        return [value for key, value in self.values if key == name]

    def last(self, name: str) -> str | None:
        found = self.get_all(name)
        return found[-1] if found else None

    def has(self, name: str) -> bool:
        return name in self.switches or any(key == name for key, _ in self.values)


def _read_options(
    words: tuple[str, ...],
    short: Mapping[str, str],
    with_value: frozenset[str],
    notable: frozenset[str],
) -> _Options:
    """Split words into options and positionals.

    ``short`` maps a one-letter option to its long name; ``with_value`` lists long names
    that take a value (``--name value``, ``--name=value``, ``-xVALUE``, ``-x VALUE``).
    """
    result = _Options([], [], [], [])
    index = 0
    while index < len(words):
        word = words[index]
        index += 1
        if word == "--":
            result.positionals.extend(words[index:])
            break
        if word.startswith("--") and len(word) > 2:
            name, sep, value = word.partition("=")
            if name in with_value:
                if not sep:
                    value = words[index] if index < len(words) else ""
                    index += 1
                result.values.append((name, value))
                if name in notable:
                    result.written.append(f"{name}={value}")
            else:
                result.switches.append(name)
                if name in notable:
                    result.written.append(word)
            continue
        if word.startswith("-") and len(word) > 1:
            cluster = word[1:]
            for offset, letter in enumerate(cluster):
                name = short.get(letter, f"-{letter}")
                if name in with_value:
                    value = cluster[offset + 1 :].lstrip("=")
                    if not value:
                        value = words[index] if index < len(words) else ""
                        index += 1
                    result.values.append((name, value))
                    if name in notable:
                        result.written.append(f"{name}={value}")
                    break
                result.switches.append(name)
                if name in notable:
                    result.written.append(name)
            continue
        result.positionals.append(word)
    return result


def _subcommand(
    words: tuple[str, ...], global_with_value: frozenset[str]
) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """Skip global options before a subcommand: (subcommand, global words, rest)."""
    index = 0
    while index < len(words):
        word = words[index]
        if not word.startswith("-"):
            return word, words[:index], words[index + 1 :]
        name = word.partition("=")[0]
        index += 2 if name in global_with_value and "=" not in word else 1
    return "", words, ()


def _is_local_path(spec: str) -> bool:
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


def _is_archive(path: str) -> bool:
    """A wheel or sdist file, or a glob of them (``/wheels/*``): files, not a project."""
    return path.endswith((".whl", ".tar.gz", ".zip", ".tar.bz2", ".tgz")) or "*" in path


def _local_path(spec: str) -> str:
    """``.[dev]`` -> ``.``; ``file:///app`` -> ``/app``; ``./pkg`` -> ``pkg``."""
    path = spec
    if path.startswith("file://"):
        path = path[len("file://") :]
    elif path.startswith("file:"):
        path = path[len("file:") :]
    if "[" in path and not _is_archive(path):
        path = path.split("[", 1)[0]
    path = path.split("#", 1)[0]
    return posixpath.normpath(path) if path not in ("", ".") else "."


# --------------------------------------------------------------------------------------
# pip and uv pip


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


def _pip(context: _Context, words: tuple[str, ...]) -> DependencyInstall | None:
    action, global_words, rest = _subcommand(words, _PIP_GLOBAL_WITH_VALUE)
    if action not in ("install", "wheel", "download"):
        return None
    short = _PIP_SHORT if action == "install" else {**_PIP_SHORT, "w": "--wheel-dir", "d": "--dest"}
    with_value = _PIP_WITH_VALUE | frozenset(("--wheel-dir", "--dest"))
    options = _read_options((*global_words, *rest), short, with_value, _PIP_NOTABLE)
    keeps = not (options.has("--no-cache-dir") or context.pip_cache_disabled())
    cache_dir = (
        options.last("--cache-dir")
        or context.getenv("PIP_CACHE_DIR")
        or posixpath.join(context.cache_home(), "pip")
    )
    record = _pip_like(context, "pip", action, options, keeps, cache_dir)
    if action != "install":
        # pip wheel / pip download fill a directory (a builder stage's usual first step)
        target = options.last("--wheel-dir") or options.last("--dest") or record.target
        record = replace(record, target=target)
    return record


def _pip_like(
    context: _Context,
    tool: str,
    action: str,
    options: _Options,
    keeps: bool,
    cache_dir: str | None,
) -> DependencyInstall:
    requirements = tuple(options.get_all("--requirement"))
    constraints = tuple(options.get_all("--constraint"))
    editables = options.get_all("--editable")
    named: list[str] = []
    paths: list[str] = []
    for spec in options.positionals:
        (paths if _is_local_path(spec) else named).append(spec)
    editable_paths = [spec for spec in editables if _is_local_path(spec) or "://" not in spec]
    named.extend(spec for spec in editables if spec not in editable_paths)
    local = [_local_path(spec) for spec in (*editable_paths, *paths)]
    project = [path for path in local if not _is_archive(path)]
    listed = [  # requirement and constraint files in command-line order
        value for key, value in options.values if key in ("--requirement", "--constraint")
    ]
    target = options.last("--prefix") or options.last("--target") or options.last("--root")
    return _record(
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


def _uv(context: _Context, words: tuple[str, ...]) -> DependencyInstall | None:
    action, global_words, rest = _subcommand(words, _UV_GLOBAL_WITH_VALUE)
    all_words = (*global_words, *rest)
    options = _read_options(all_words, _PIP_SHORT, _PIP_WITH_VALUE, _UV_NOTABLE)
    keeps = not (options.has("--no-cache") or context.flag_set("UV_NO_CACHE"))
    cache_dir = (
        options.last("--cache-dir")
        or context.getenv("UV_CACHE_DIR")
        or posixpath.join(context.cache_home(), "uv")
    )
    if action == "pip":
        sub, _, sub_rest = _subcommand(rest, frozenset())
        options = _read_options(
            (*global_words, *sub_rest), _PIP_SHORT, _PIP_WITH_VALUE, _UV_NOTABLE
        )
        if sub == "install":
            return _pip_like(context, "uv", "pip install", options, keeps, cache_dir)
        if sub == "sync":
            files = tuple(options.positionals) or ("requirements.txt",)
            return _record(
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
    return _record(
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


# --------------------------------------------------------------------------------------
# poetry, pipenv, pip-sync


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


def _poetry(context: _Context, words: tuple[str, ...]) -> DependencyInstall | None:
    action, global_words, rest = _subcommand(
        words, frozenset(("--directory", "-C", "--project", "-P"))
    )
    options = _read_options(
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
        return _record(
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
    return _record(
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


def _pipenv(context: _Context, words: tuple[str, ...]) -> DependencyInstall | None:
    action, _, rest = _subcommand(words, frozenset(("--python",)))
    if action not in ("install", "sync"):
        return None
    options = _read_options(
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
    local = [_local_path(spec) for spec in editables]
    reads.extend(local)
    keeps = not context.pip_cache_disabled()
    extra = options.last("--extra-pip-args") or ""
    if "--no-cache-dir" in extra:
        keeps = False
    return _record(
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
        cache_dir=context.getenv("PIP_CACHE_DIR") or posixpath.join(context.cache_home(), "pip"),
    )


def _pip_sync(context: _Context, words: tuple[str, ...]) -> DependencyInstall | None:
    options = _read_options(
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
    return _record(
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
        cache_dir=context.getenv("PIP_CACHE_DIR") or posixpath.join(context.cache_home(), "pip"),
    )


def _pdm(context: _Context, words: tuple[str, ...]) -> DependencyInstall | None:
    action, global_words, rest = _subcommand(words, frozenset(("-p", "--project")))
    if action not in ("install", "sync"):
        return None
    options = _read_options(
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
    return _record(
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


# --------------------------------------------------------------------------------------
# conda, mamba, micromamba


_CONDA_SHORT = {
    "f": "--file",
    "n": "--name",
    "p": "--prefix",
    "c": "--channel",
    "y": "--yes",
    "q": "--quiet",
    "r": "--root-prefix",
}
_CONDA_WITH_VALUE = frozenset(
    ("--file", "--name", "--prefix", "--channel", "--root-prefix", "--override-channels-x")
)
_CONDA_NOTABLE = frozenset(
    ("--name", "--prefix", "--channel", "--yes", "--freeze-installed", "--no-deps", "--only-deps")
)


def _conda(context: _Context, words: tuple[str, ...]) -> DependencyInstall | None:
    tool = context.tool
    action, _, rest = _subcommand(words, frozenset(("--root-prefix", "-r", "--rc-file")))
    if action == "env":
        sub, _, rest = _subcommand(rest, frozenset())
        if sub not in ("create", "update"):
            return None
        action = f"env {sub}"
    elif action not in ("install", "create", "update"):
        return None
    options = _read_options(rest, _CONDA_SHORT, _CONDA_WITH_VALUE, _CONDA_NOTABLE)
    files = tuple(options.get_all("--file"))
    named = tuple(options.positionals)
    if action.startswith("env "):
        # `conda env create` reads environment.yml unless told otherwise; a positional
        # there is a spec file in recent conda, not a package
        spec_files = tuple(word for word in named if word.endswith((".yml", ".yaml", ".txt")))
        files = files or spec_files or ("environment.yml",)
        named = tuple(word for word in named if word not in spec_files)
    root = context.getenv("MAMBA_ROOT_PREFIX") or (
        options.last("--root-prefix") or posixpath.join(context.home(), "micromamba")
    )
    if tool == "micromamba":
        cache_dir = posixpath.join(root, "pkgs")
    else:
        cache_dir = context.getenv("CONDA_PKGS_DIRS") or "/opt/conda/pkgs"
        cache_dir = cache_dir.split(",")[0]
    return _record(
        context,
        tool=tool,
        action=action,
        reads=files,
        installs_project=False,
        editable=False,
        no_deps=options.has("--no-deps"),
        named_packages=named,
        keeps_download_cache=True,
        requirement_files=files,
        options=tuple(options.written),
        target=options.last("--prefix") or options.last("--name"),
        cache_dir=cache_dir,
    )


# --------------------------------------------------------------------------------------
# Records and cache state


def _record(context: _Context, **fields: object) -> DependencyInstall:
    run = context.run
    return DependencyInstall(
        argv=run.command.argv,
        command_index=run.index,
        line=run.line,
        cwd=run.command.cwd,
        source=run.source,
        **fields,  # type: ignore[arg-type]
    )


def _with_cache_state(record: DependencyInstall, mounted: bool, cleaned: bool) -> DependencyInstall:
    if mounted == record.cache_mounted and cleaned == record.cache_cleaned:
        return record
    return replace(record, cache_mounted=mounted, cache_cleaned=cleaned)


def _mount_holds_cache(mount: Mount, cache_dir: str) -> bool:
    """A cache mount at the tool's cache directory, or at the same place in another home.

    The home directory of a non-root USER is rarely known here (``HOME`` is set by the base
    image or ``useradd``), so ``target=/home/app/.cache/pip`` is accepted for pip's default
    ``/root/.cache/pip``; likewise any ``.../pkgs`` for conda's package cache.
    """
    if not mount.target:
        return False
    if mount.covers(cache_dir):
        return True
    target = mount.target.rstrip("/")
    parts = cache_dir.rstrip("/").split("/")
    if ".cache" in parts:
        tail = "/".join(parts[parts.index(".cache") :])  # ".cache/pip"
        return target.endswith(("/.cache", "/" + tail))
    if parts[-1] == "pkgs":
        return target.endswith("/pkgs")
    return False


def _cleans(command: ShellCommand, record: DependencyInstall) -> bool:
    """A later command that empties the cache the install wrote."""
    argv = command.argv
    if not argv or record.cache_dir is None:
        return False
    name = program(argv[0])
    words = argv[1:]
    if name == "rm":
        targets = [word for word in words if not word.startswith("-")]
        cache = record.cache_dir.rstrip("/")
        return any(
            cache == target.rstrip("/").rstrip("*").rstrip("/")
            or cache.startswith(target.rstrip("/") + "/")
            for target in targets
            if target not in ("", "/")
        )
    tool = _tool_of(name)
    conda_family = {tool, record.tool} <= {"conda", "mamba"} or tool == record.tool
    if tool in ("conda", "mamba", "micromamba") and conda_family:
        return bool(words) and words[0] == "clean"
    if tool == "pip" and record.tool in ("pip", "pipenv", "pip-sync"):
        return words[:2] in (("cache", "purge"), ("cache", "remove"))
    if tool == "uv" and record.tool == "uv":
        return words[:2] in (("cache", "clean"), ("cache", "prune")) or words[:1] == ("clean",)
    if tool == "poetry" and record.tool == "poetry":
        return words[:2] == ("cache", "clear")
    return False


def mounted_cache(instruction: Instruction, path: str) -> Mount | None:
    """The cache mount of ``instruction`` covering ``path``, if any."""
    for mount in cache_mounts(instruction):
        if mount.covers(path):
            return mount
    return None
