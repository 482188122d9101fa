"""Where an install puts its packages, and whether a ``COPY --from`` carries them over.

Pattern 1 of the grading cases: the dependencies are installed in a builder stage, the
environment is copied into the final stage, then the source, then an install reruns
(``pip install .``, ``uv sync``, ``poetry install``). That rerun only adds the project when
it finds every dependency already installed, and it finds them only in the environment it
writes into: the venv whose pip runs (or that ``VIRTUAL_ENV``/``PATH`` points to), ``~/.local``
for ``--user``, the image's own environment (``/usr/local`` on the official python images)
for a plain ``pip``, the project's ``.venv`` for uv, poetry in-project and pdm. A copy of
anything else (a stamp file, a venv that nothing activates, a wheels folder the install is
not pointed at) leaves the rerun to install every dependency again.

The same facts say whether the packages reach the final image at all, and whether its
``python`` sees them (a venv copied but not on ``PATH``).

What the Dockerfile does not say (the base image's own environment, a path built from a
variable without a value, an environment managed by conda) is assumed, and the assumption
is returned in words for the finding.
"""

from __future__ import annotations

import bisect
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass

from checker.cache import stage_index
from checker.dockerfile.model import Dockerfile, Instruction
from checker.dockerfile.variables import environment_at, try_expand
from checker.shell.installs import home_of, installs_in, user_at
from checker.shell.mounts import mounts
from checker.shell.record import DependencyInstall
from checker.shell.script import ShellCommand
from checker.shell.sources import run_commands
from checker.shell.wrappers import program

VENV = "venv"  # a virtual environment (its root)
USER = "user"  # pip --user: the user base (~/.local)
PREFIX = "prefix"  # pip --prefix / --root: a tree laid out like /usr/local
TARGET = "target"  # pip --target: a folder of packages
PROJECT = "project"  # uv/poetry/pdm: the project's own venv
WHEELS = "wheels"  # pip wheel / pip download: a folder of archives
SYSTEM = "system"  # the base image's own environment (path unknown in general)
UNKNOWN = "unknown"  # conda, pipenv's hidden venvs, scripts: not modelled

# The official python images install into /usr/local (their pip is /usr/local/bin/pip).
OFFICIAL_SYSTEM_ROOT = "/usr/local"
_OFFICIAL = re.compile(r"^(?:(?:docker\.io/)?library/)?python(?::|@|$)")
_SYSTEM_BINS = frozenset(
    ("/usr/local/bin", "/usr/bin", "/bin", "/usr/local/sbin", "/usr/sbin", "/sbin")
)
# Folder names that say "a Python environment" (for a copy of the base image's own one).
_ENV_NAMES = re.compile(r"(^|[-_.])(venv|virtualenv|env|envs|conda|miniconda\d?|python[\d.]*)$")
_VENV_MAKERS = ("venv", "virtualenv")
_PY_SITE = re.compile(r"^lib(?:64)?(?:/python[\d.]*(?:/(?:site|dist)-packages)?)?$")


@dataclass(frozen=True)
class Environment:
    """Where one install writes its packages (or, for ``pip wheel``, its archives)."""

    kind: str
    path: str | None  # the absolute root; None for the base image's own environment
    how: str  # how the checker knows: "its pip is /venv/bin/pip", "--user", ...
    base: str = ""  # the image the stage is built from (for SYSTEM)
    assumed: str = ""  # what the checker assumed to find it, in words ("" when known)

    def describe(self) -> str:
        if self.kind == SYSTEM:
            root = system_root(self.base)
            where = f": {root} on the official python images" if root else ""
            return f"{self.base}'s own environment (where its plain `pip` installs{where})"
        if self.kind == WHEELS:
            return f"the wheels folder {self.path}"
        if self.kind == UNKNOWN:
            return "an environment the checker does not model"
        return f"{self.path} ({self.how})"


def system_root(base: str) -> str | None:
    """The root of a base image's own environment where it is known: ``/usr/local`` for the
    official python images; None for any other image."""
    return OFFICIAL_SYSTEM_ROOT if _OFFICIAL.match(base.strip().lower()) else None


# --------------------------------------------------------------------------------------
# The stage a step is in


def lineage(dockerfile: Dockerfile, index: int) -> list[int]:
    """The stage and the stages it is built FROM, oldest first. Worked out once per stage
    and file (asked per step, on files of thousands of stages): walk up to the first stage
    whose lineage is known (a parent always comes earlier in the file, so this ends), then
    fill in the memo on the way down, without recursion."""
    known_lineages: dict[int, list[int]] = dockerfile.memo.setdefault("lineages", {})  # type: ignore[assignment]
    cached = known_lineages.get(index)
    if cached is not None:
        return cached
    pending = []
    current: int | None = index
    while current is not None and current not in known_lineages:
        pending.append(current)
        current = dockerfile.parent_of(current)
    known = known_lineages[current] if current is not None else []
    for stage in reversed(pending):
        known = [*known, stage]
        known_lineages[stage] = known
    return known


def base_image(dockerfile: Dockerfile, index: int) -> str:
    """The image the stage's lineage starts from (``python:3.11-slim``)."""
    return dockerfile.stages[lineage(dockerfile, index)[0]].base


def chain_before(dockerfile: Dockerfile, instruction: Instruction) -> list[Instruction]:
    """The instructions whose result ``instruction`` builds on (its layer's ancestors), in
    order."""
    return list(reversed(list(steps_back(dockerfile, instruction))))


def steps_back(dockerfile: Dockerfile, instruction: Instruction) -> Iterator[Instruction]:
    """The steps ``instruction`` builds on, latest first, without listing the whole chain
    (asked once per install and path: a list each time would cost the square of the file)."""
    stages = dockerfile.stages
    for index in reversed(lineage(dockerfile, instruction.stage)):
        members = stages[index].instructions
        end = len(members)
        if index == instruction.stage:
            end = bisect.bisect_left(members, instruction.line, key=_line)
        for position in range(end - 1, -1, -1):  # no copy of the stage's list per call
            yield members[position]


def _line(instruction: Instruction) -> int:
    return instruction.line


def workdir_at(dockerfile: Dockerfile, instruction: Instruction) -> str:
    """The working directory ``instruction`` runs in, normalised."""
    return posixpath.normpath(dockerfile.workdir_before(instruction))


def _absolute(path: str, cwd: str, home: str) -> str:
    if path.startswith("~"):
        path = home + path[1:]
    return posixpath.normpath(posixpath.join(cwd, path))


# --------------------------------------------------------------------------------------
# Where one install writes


def install_environment(
    dockerfile: Dockerfile, instruction: Instruction, install: DependencyInstall
) -> Environment:
    """The environment ``install`` (a command of the RUN ``instruction``) writes into."""
    env = environment_at(dockerfile, instruction)
    command = _command(instruction, install)
    if command is not None:
        env.update(dict(command.env))
    if "HOME" not in env:
        env["HOME"] = home_of(user_at(dockerfile, instruction)) or "/root"
    home = env["HOME"]
    workdir = workdir_at(dockerfile, instruction)
    cwd = posixpath.join(workdir, install.cwd) if install.cwd else workdir
    base = base_image(dockerfile, instruction.stage)
    options = _options(install)

    def expand(word: str) -> str:
        return (try_expand(word, env) or word) if "$" in word else word

    if install.action in ("wheel", "download"):
        folder = install.target or cwd
        return Environment(WHEELS, _absolute(expand(folder), cwd, home), f"{install.action} -w")
    if install.tool in ("conda", "mamba", "micromamba"):
        return Environment(UNKNOWN, None, install.tool)
    if install.tool == "uv" and install.action == "sync":
        project = _value(install.argv, ("--directory", "--project")) or "."
        venv = env.get("UV_PROJECT_ENVIRONMENT")
        if venv:
            return Environment(
                PROJECT, _absolute(expand(venv), cwd, home), "UV_PROJECT_ENVIRONMENT"
            )
        root = _absolute(posixpath.join(expand(project), ".venv"), cwd, home)
        return Environment(PROJECT, root, "uv's project venv")
    if install.tool == "pdm":
        return Environment(PROJECT, _absolute(".venv", cwd, home), "pdm's in-project venv")
    if install.tool == "poetry":
        return _poetry_environment(dockerfile, instruction, env, cwd, home, base)
    if install.tool == "pipenv":
        if "--system" in options:
            return _interpreter_environment(dockerfile, instruction, install, env, cwd, base)
        if _true(env.get("PIPENV_VENV_IN_PROJECT")):
            return Environment(PROJECT, _absolute(".venv", cwd, home), "PIPENV_VENV_IN_PROJECT")
        return Environment(UNKNOWN, None, "pipenv's own venv")
    # pip, uv pip, pip-sync, setup.py
    if install.target and ("--target" in options or "-t" in options):
        return Environment(TARGET, _absolute(expand(install.target), cwd, home), "--target")
    if install.target:
        return Environment(PREFIX, _absolute(expand(install.target), cwd, home), "--prefix")
    if "--user" in options:
        base_dir = env.get("PYTHONUSERBASE") or posixpath.join(home, ".local")
        return Environment(USER, _absolute(expand(base_dir), cwd, home), "--user")
    if install.tool == "uv":
        return _uv_pip_environment(dockerfile, instruction, install, env, cwd, home, base)
    return _interpreter_environment(dockerfile, instruction, install, env, cwd, base)


def _command(instruction: Instruction, install: DependencyInstall) -> ShellCommand | None:
    for run in run_commands(instruction):
        if run.index == install.command_index and run.command.argv == install.argv:
            return run.command
    return None


def _options(install: DependencyInstall) -> set[str]:
    return {word.split("=", 1)[0] for word in (*install.options, *install.argv)}


def _value(argv: tuple[str, ...], names: tuple[str, ...]) -> str | None:
    """The value of the last of ``names`` on the command line (``--x V`` or ``--x=V``)."""
    found = None
    for position, word in enumerate(argv):
        if word in names and position + 1 < len(argv):
            found = argv[position + 1]
        elif word.split("=", 1)[0] in names and "=" in word:
            found = word.split("=", 1)[1]
    return found


def _true(value: str | None) -> bool:
    return value is not None and value.strip().lower() in ("1", "true", "yes", "on")


def _interpreter_environment(
    dockerfile: Dockerfile,
    instruction: Instruction,
    install: DependencyInstall,
    env: dict[str, str],
    cwd: str,
    base: str,
) -> Environment:
    """Where a plain ``pip`` (or ``/path/bin/pip``, ``python -m pip``) installs: the venv its
    program lives in, one activated earlier in the RUN, the venv first on PATH, or the base
    image's own environment."""
    first = install.argv[0] if install.argv else ""
    first = (try_expand(first, env) or first) if "$" in first else first
    if "/" in first:
        folder = posixpath.dirname(_absolute(first, cwd, env.get("HOME", "/root")))
        if posixpath.basename(folder) == "bin" and folder not in _SYSTEM_BINS:
            return Environment(VENV, posixpath.dirname(folder), f"its program is {first}")
        if folder in _SYSTEM_BINS:
            return Environment(SYSTEM, None, f"its program is {first}", base)
    activated = _activated(instruction, install, env, cwd)
    if activated is not None:
        return Environment(VENV, activated, f"{activated}/bin/activate runs before it")
    venv = _venv_on_path(dockerfile, instruction, env)
    if venv is not None:
        return Environment(VENV, venv, f"PATH starts with {venv}/bin")
    return Environment(SYSTEM, None, "plain pip", base)


def _activated(
    instruction: Instruction, install: DependencyInstall, env: dict[str, str], cwd: str
) -> str | None:
    """A venv activated (``. X/bin/activate``) earlier in the same RUN."""
    found = None
    for run in run_commands(instruction):
        if run.index >= install.command_index:
            break
        argv = run.command.argv
        if len(argv) >= 2 and argv[0] in (".", "source") and argv[1].endswith("/bin/activate"):
            path = (try_expand(argv[1], env) or argv[1]) if "$" in argv[1] else argv[1]
            found = posixpath.dirname(posixpath.dirname(_absolute(path, cwd, "/root")))
    return found


def _venv_on_path(
    dockerfile: Dockerfile, instruction: Instruction, env: dict[str, str]
) -> str | None:
    """The venv whose ``bin`` comes first on the PATH the Dockerfile sets, when the
    Dockerfile makes or copies a venv there (or names it in VIRTUAL_ENV)."""
    home = env.get("HOME", "/root")
    known = _venv_places(dockerfile, instruction, env)
    for entry in env.get("PATH", "").split(":"):
        entry = posixpath.normpath(entry) if entry.startswith("/") else entry
        if not entry.startswith("/") or entry in _SYSTEM_BINS:
            continue
        if posixpath.basename(entry) != "bin" or entry == posixpath.join(home, ".local/bin"):
            continue
        root = posixpath.dirname(entry)
        if root in known or env.get("VIRTUAL_ENV") == root:
            return root
    return None


def _venv_places(dockerfile: Dockerfile, instruction: Instruction, env: dict[str, str]) -> set[str]:
    """Folders that earlier steps make a venv in or copy something to."""
    places = made_venvs(dockerfile, chain_before(dockerfile, instruction))
    for item in chain_before(dockerfile, instruction):
        if item.keyword in ("COPY", "ADD") and item.resolved_arguments:
            workdir = workdir_at(dockerfile, item)
            places.add(posixpath.normpath(posixpath.join(workdir, item.resolved_arguments[-1])))
    return places


def made_venvs(dockerfile: Dockerfile, steps: list[Instruction]) -> set[str]:
    """Folders that ``python -m venv``, ``virtualenv`` or ``uv venv`` make in ``steps``."""
    places: set[str] = set()
    for item in steps:
        if item.keyword != "RUN":
            continue
        item_env = environment_at(dockerfile, item)
        for run in run_commands(item):
            argv = run.command.argv
            name = program(argv[0]) if argv else ""
            words = list(argv[1:])
            if name.startswith("python") and words[:2] in (["-m", "venv"], ["-m", "virtualenv"]):
                words = words[2:]
            elif name == "uv" and words[:1] == ["venv"]:
                words = words[1:]
            elif name not in _VENV_MAKERS:
                continue
            workdir = workdir_at(dockerfile, item)
            for word in words:
                if not word.startswith("-"):
                    value = (try_expand(word, item_env) or word) if "$" in word else word
                    places.add(_absolute(value, workdir, "/root"))
    return places


def _uv_pip_environment(
    dockerfile: Dockerfile,
    instruction: Instruction,
    install: DependencyInstall,
    env: dict[str, str],
    cwd: str,
    home: str,
    base: str,
) -> Environment:
    options = _options(install)
    if "--system" in options or _true(env.get("UV_SYSTEM_PYTHON")):
        return _interpreter_environment(dockerfile, instruction, install, env, cwd, base)
    if env.get("VIRTUAL_ENV"):
        return Environment(VENV, env["VIRTUAL_ENV"], "VIRTUAL_ENV")
    activated = _activated(instruction, install, env, cwd)
    if activated is not None:
        return Environment(VENV, activated, f"{activated}/bin/activate runs before it")
    return Environment(VENV, _absolute(".venv", cwd, home), "uv's .venv in the working directory")


def _poetry_environment(
    dockerfile: Dockerfile,
    instruction: Instruction,
    env: dict[str, str],
    cwd: str,
    home: str,
    base: str,
) -> Environment:
    """Poetry installs into the active venv, the system (``virtualenvs.create false``), the
    project's ``.venv`` (in-project) or a venv under its cache directory."""
    settings = dict(_poetry_settings(dockerfile, instruction))
    create = env.get("POETRY_VIRTUALENVS_CREATE", settings.get("virtualenvs.create", "true"))
    if env.get("VIRTUAL_ENV"):
        return Environment(VENV, env["VIRTUAL_ENV"], "VIRTUAL_ENV")
    if not _true(create) and create.strip().lower() not in ("",):
        venv = _venv_on_path(dockerfile, instruction, env)
        if venv is not None:
            return Environment(VENV, venv, f"PATH starts with {venv}/bin")
        return Environment(SYSTEM, None, "virtualenvs.create false", base)
    in_project = env.get(
        "POETRY_VIRTUALENVS_IN_PROJECT", settings.get("virtualenvs.in-project", "")
    )
    if _true(in_project):
        return Environment(PROJECT, _absolute(".venv", cwd, home), "poetry's in-project venv")
    path = env.get("POETRY_VIRTUALENVS_PATH") or posixpath.join(
        env.get("POETRY_CACHE_DIR") or posixpath.join(home, ".cache/pypoetry"), "virtualenvs"
    )
    return Environment(
        VENV,
        _absolute(path, cwd, home),
        "poetry's venv folder",
        assumed=(
            f"poetry also uses a .venv it finds in {cwd}; otherwise it makes its venv under {path}"
        ),
    )


def _poetry_settings(dockerfile: Dockerfile, instruction: Instruction) -> list[tuple[str, str]]:
    found = []
    for item in (*chain_before(dockerfile, instruction), instruction):
        for run in run_commands(item):
            argv = run.command.argv
            if len(argv) >= 4 and program(argv[0]) == "poetry" and argv[1] == "config":
                words = [word for word in argv[2:] if not word.startswith("-")]
                if len(words) >= 2:
                    found.append((words[0], words[1]))
    return found


# --------------------------------------------------------------------------------------
# What a COPY --from (or a bind mount from=) carries


@dataclass(frozen=True)
class Carried:
    """An environment that ``step`` brings from another stage, and where it lands."""

    step: Instruction
    root: str | None  # where the environment lands (None: the receiving image's own)
    assumed: str = ""


def stage_copies(dockerfile: Dockerfile, step: Instruction) -> list[tuple[str, list[str], str]]:
    """(reference, absolute source paths, absolute destination) of a ``COPY --from`` or of
    each bind mount ``from=`` of a RUN."""
    found = []
    if step.keyword in ("COPY", "ADD") and step.flag("from") and len(step.resolved_arguments) >= 2:
        workdir = workdir_at(dockerfile, step)
        destination = posixpath.normpath(posixpath.join(workdir, step.resolved_arguments[-1]))
        sources = [posixpath.normpath(posixpath.join("/", p)) for p in step.resolved_arguments[:-1]]
        found.append((step.flag("from") or "", sources, destination))
    for mount in mounts(step):
        if mount.type == "bind" and mount.from_:
            source = posixpath.normpath(posixpath.join("/", mount.source or "/"))
            target = mount.target or "/"
            target = posixpath.normpath(posixpath.join(workdir_at(dockerfile, step), target))
            found.append((mount.from_, [source], target))
    return found


def carried(dockerfile: Dockerfile, step: Instruction, environment: Environment) -> Carried | None:
    """Where ``step`` (a ``COPY --from`` or a bind mount of the stage that installed into
    ``environment``) puts that environment; None when it copies none of it."""
    for reference, sources, destination in stage_copies(dockerfile, step):
        giver = stage_index(dockerfile, reference)
        others = _known_environments(dockerfile, giver) if giver is not None else set()
        for source in sources:
            if environment.kind == SYSTEM and any(
                source == other or source.startswith(other + "/") for other in others
            ):
                continue  # a venv of the stage's own making is not the image's environment
            landed = _landing(source, destination, environment)
            if landed is not None:
                return Carried(step, landed[0], landed[1])
    return None


def _landing(
    source: str, destination: str, environment: Environment
) -> tuple[str | None, str] | None:
    if environment.kind == UNKNOWN:
        return destination, (
            f"the install writes into {environment.describe()} ({environment.how}); assumed: "
            f"{source} holds it"
        )
    root = environment.path
    if environment.kind == SYSTEM:
        root = system_root(environment.base)
        known = root is not None and _landing(source, destination, _at(environment, root))
        if known:
            return known
        if source == destination and _looks_like_environment(source):
            # The base image may keep its own environment elsewhere (a venv first on its
            # PATH): a folder named like one, copied to the same place, is taken to be it.
            return None, (
                f"{source} is taken to be {environment.base}'s own environment, the one its "
                f"plain `pip` installs into (on the official python images that is "
                f"{OFFICIAL_SYSTEM_ROOT}; the checker cannot see inside the image)"
            )
        return None
    if root is None or _GLOB.search(source):
        return None
    if source == root:
        return destination, ""
    if root.startswith(source.rstrip("/") + "/"):
        return posixpath.normpath(
            posixpath.join(destination, root[len(source.rstrip("/")) + 1 :])
        ), ""
    if source.startswith(root.rstrip("/") + "/") and environment.kind != WHEELS:
        inner = source[len(root.rstrip("/")) + 1 :]
        if _PY_SITE.match(inner) and destination.endswith("/" + inner):
            return destination[: -len(inner) - 1] or "/", ""
    return None


_GLOB = re.compile(r"[*?\[]")


def _known_environments(dockerfile: Dockerfile, index: int) -> set[str]:
    """The roots of the environments a stage's lineage makes or installs into itself."""
    steps = [
        item
        for stage in lineage(dockerfile, index)
        for item in dockerfile.stages[stage].instructions
    ]
    found = made_venvs(dockerfile, steps)
    for item in steps:
        for install in installs_in(dockerfile, item):
            environment = install_environment(dockerfile, item, install)
            if environment.kind != SYSTEM and environment.path:
                found.add(environment.path)
    return found


def _at(environment: Environment, root: str) -> Environment:
    return Environment(PREFIX, root, environment.how, environment.base)


def _looks_like_environment(path: str) -> bool:
    if path == OFFICIAL_SYSTEM_ROOT or path.startswith(OFFICIAL_SYSTEM_ROOT + "/lib"):
        return True
    return any(
        _ENV_NAMES.search(part) or part in ("site-packages", "dist-packages")
        for part in path.split("/")
        if part
    )


def same_place(
    landed: Carried, giver: Environment, receiver: Environment, receiver_base: str
) -> bool:
    """Does the environment ``landed`` where the ``receiver`` install looks for what is
    installed? A plain pip sees the user site (``~/.local``) too, and ``pip --user`` the
    image's own site-packages: both are on the interpreter's ``sys.path``."""
    if receiver.kind == UNKNOWN:
        return True
    known = system_root(receiver_base)
    if landed.root is None:  # the giver's own environment, copied to the same path
        return receiver.kind in (SYSTEM, USER)
    if receiver.kind == SYSTEM:
        user_site = giver.kind == USER and posixpath.basename(landed.root) == ".local"
        return user_site or (known is not None and landed.root == known)
    if receiver.kind == USER and known is not None and landed.root == known:
        return True
    return receiver.path is not None and posixpath.normpath(receiver.path) == landed.root


def points_at(
    dockerfile: Dockerfile, instruction: Instruction, install: DependencyInstall, folder: str
) -> bool:
    """Is the install told to take archives from ``folder`` (``--find-links``, ``-f``,
    ``PIP_FIND_LINKS``, ``UV_FIND_LINKS``, or archives named in it)?"""
    env = environment_at(dockerfile, instruction)
    words = list(install.argv)
    values: list[str] = []
    for position, word in enumerate(words):
        if word in ("--find-links", "-f") and position + 1 < len(words):
            values.append(words[position + 1])
        elif word.startswith("--find-links="):
            values.append(word.split("=", 1)[1])
        elif word.startswith("-f") and len(word) > 2:
            values.append(word[2:])
    for name in ("PIP_FIND_LINKS", "UV_FIND_LINKS"):
        values.extend(env.get(name, "").split())
    cwd = workdir_at(dockerfile, instruction)
    for value in values:
        value = (try_expand(value, env) or value) if "$" in value else value
        value = value.removeprefix("file://")
        if _absolute(value, cwd, "/root").rstrip("/") == folder.rstrip("/"):
            return True
    return False


# --------------------------------------------------------------------------------------
# Does an install reach the final image, and does its python see it?


@dataclass(frozen=True)
class Reach:
    """How an install's packages get into the final image (or why they do not)."""

    reaches: bool
    environment: Environment
    landed: Carried | None = None  # the copy that brings them (None: the final stage is
    # built FROM the installing stage)
    copies: tuple[Instruction, ...] = ()  # copies from that stage that miss the environment


def reach(dockerfile: Dockerfile, instruction: Instruction, install: DependencyInstall) -> Reach:
    """Whether the packages ``install`` writes end up in the final image."""
    environment = install_environment(dockerfile, instruction, install)
    final = dockerfile.stages[-1].index
    final_lineage = lineage(dockerfile, final)
    if instruction.stage in final_lineage:
        return Reach(True, environment)
    missed: list[Instruction] = []
    for index in final_lineage:
        for step in dockerfile.stages[index].instructions:
            for reference, _, _ in stage_copies(dockerfile, step):
                giver = stage_index(dockerfile, reference)
                if giver is None or instruction.stage not in lineage(dockerfile, giver):
                    continue
                landed = carried(dockerfile, step, environment)
                if landed is not None:
                    return Reach(True, environment, landed)
                missed.append(step)
    return Reach(False, environment, None, tuple(dict.fromkeys(missed)))


def unused_venv(dockerfile: Dockerfile, found: Reach) -> Instruction | None:
    """The copy of a venv into the final image that nothing activates: PATH has no
    ``VENV/bin``, VIRTUAL_ENV does not name it, and CMD/ENTRYPOINT do not run a program from
    it (or through uv, poetry or pdm). None otherwise."""
    landed = found.landed
    if landed is None or landed.root is None or found.environment.kind not in (VENV, PROJECT):
        return None
    final = dockerfile.stages[-1]
    env = environment_at(dockerfile, Instruction("END", 0, 0, "", stage=final.index))
    bin_dir = posixpath.join(landed.root, "bin")
    path = [posixpath.normpath(entry) for entry in env.get("PATH", "").split(":") if entry]
    if bin_dir in path or env.get("VIRTUAL_ENV") == landed.root:
        return None
    runs = [
        item.arguments[0] if item.json_form else item.text.split()[0]
        for item in final.instructions
        if item.keyword in ("CMD", "ENTRYPOINT") and item.arguments and item.text.split()
    ]
    if not runs or runs[-1].startswith(bin_dir + "/"):
        return None
    if posixpath.basename(runs[-1]) not in ("python", "python3"):
        return None  # no program named, or one the checker cannot place: not judged
    return landed.step
