"""What a dependency install is, as the rules see it: :class:`DependencyInstall`.

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
* pixi: its packages go through rattler's cache (``~/.cache/rattler``), always used.
* ``poetry export`` installs nothing and keeps nothing; ``pip wheel``/``pip download`` fill
  ``target`` with archives (and use pip's cache like ``pip install``).

Whether the cache ends up in the layer also depends on a ``--mount=type=cache`` covering
the cache directory (``cache_mounted``) and on a later clean-up in the same RUN
(``cache_cleaned``); :attr:`DependencyInstall.cache_in_layer` combines the three.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

from checker.shell.manifests import is_manifest
from checker.shell.sources import RunCommand

_FALSE = frozenset(("", "0", "false", "no", "off"))


@dataclass(frozen=True)
class DependencyInstall:
    """One command that installs Python dependencies (or exports them, for poetry)."""

    # pip, uv, poetry, pipenv, pip-sync, pdm, pixi, hatch, conda, mamba, micromamba, setuptools
    tool: str
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
    # The dependency files it reads, when known better than from ``reads`` (nested ``-r``
    # files found in the context); None: derived from ``reads`` (see ``manifests``).
    manifest_files: tuple[str, ...] | None = None

    @cached_property  # asked per rule and per step; kept, since the record is frozen
    def manifests(self) -> tuple[str, ...]:
        """The dependency files it reads: requirement and constraint files, lock files and
        other manifests among its reads (not the project directory ``.``)."""
        if self.manifest_files is not None:
            return self.manifest_files
        listed = (*self.requirement_files, *self.constraint_files)
        return tuple(dict.fromkeys([*listed, *(path for path in self.reads if is_manifest(path))]))

    @property
    def command(self) -> str:
        """The command's words, for messages."""
        return " ".join(self.argv)

    @property
    def cache_in_layer(self) -> bool:
        """The download cache is left in the image layer this RUN creates."""
        return self.keeps_download_cache and not self.cache_mounted and not self.cache_cleaned


@dataclass
class Context:
    """What a recogniser knows about the command: where it runs and what it sees."""

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

    def pip_cache_dir(self) -> str:
        """Where pip keeps its downloads unless told otherwise (``--cache-dir``)."""
        return self.getenv("PIP_CACHE_DIR") or posixpath.join(self.cache_home(), "pip")


def make_record(context: Context, **fields: object) -> DependencyInstall:
    run = context.run
    return DependencyInstall(
        argv=run.command.argv,
        command_index=run.index,
        line=run.line,
        cwd=run.command.cwd,
        source=run.source,
        **fields,  # type: ignore[arg-type]
    )
