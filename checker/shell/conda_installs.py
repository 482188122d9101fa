"""conda-family installs: ``conda``, ``mamba``, ``micromamba`` (install, create, env)."""

from __future__ import annotations

import posixpath

from checker.shell.options import read_options, subcommand
from checker.shell.record import Context, DependencyInstall, make_record

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


def recognise_conda(context: Context, words: tuple[str, ...]) -> DependencyInstall | None:
    tool = context.tool
    action, _, rest = subcommand(words, frozenset(("--root-prefix", "-r", "--rc-file")))
    if action == "env":
        sub, _, rest = subcommand(rest, frozenset())
        if sub not in ("create", "update"):
            return None
        action = f"env {sub}"
    elif action not in ("install", "create", "update"):
        return None
    options = read_options(rest, _CONDA_SHORT, _CONDA_WITH_VALUE, _CONDA_NOTABLE)
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
    return make_record(
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
