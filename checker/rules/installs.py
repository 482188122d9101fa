"""Which RUN steps install Python dependencies, and what they read.

``checker.shell.find_installs`` (another module, parsing shell commands properly) is the
source of truth once it exists; until it does, and whenever it fails on an instruction,
this module falls back to a small recogniser of its own: the shell text is split into
commands on ``&&``, ``||``, ``;``, ``|`` and newlines, each command into words, and the
words are matched command by command (``pip install``, ``python -m pip install``,
``uv pip install``, ``uv sync``, ``poetry install``, ``pipenv install``, ``pdm install``,
``conda env create``), never with a loose regex over the whole line.

Either way the rules see :class:`Install` records, so the two recognisers are swappable.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import PurePosixPath

from checker.dockerfile.model import Dockerfile, Instruction
from checker.dockerfile.variables import environment_at, try_expand

SHARED_LIMIT = 8192
MAX_RUN_TEXT = 128 * 1024
"""A RUN longer than this is not read for installs (LC008 says so): real ones are short,
and reading 1 MiB of one line word by word takes seconds."""
"""RUN text longer than this (never seen in a real Dockerfile) goes to the fallback only,
whose cost is linear in the text: the shared recogniser compares commands pairwise."""

# A RUN without any of these words cannot install Python packages: skip the shell parsing.
_HINT_WORDS = ("pip", "uv", "poetry", "pipenv", "pdm", "conda", "mamba", "setup.py")

MANIFEST_NAMES = frozenset(
    {
        "pyproject.toml",
        "setup.py",
        "setup.cfg",
        "poetry.lock",
        "uv.lock",
        "pipfile",
        "pipfile.lock",
        "pdm.lock",
        "environment.yml",
        "environment.yaml",
        "conda-lock.yml",
    }
)


MANIFEST_FOLDERS = frozenset({"requirements", "requirements.d", "reqs"})


def is_manifest_folder(path: str) -> bool:
    """A folder that by convention holds only requirement files (``requirements/``)."""
    return PurePosixPath(path.replace("\\", "/").rstrip("/")).name.lower() in MANIFEST_FOLDERS


def is_manifest(path: str) -> bool:
    """Is ``path`` a file that lists dependencies (requirements*.txt, pyproject.toml, ...)?"""
    pure = PurePosixPath(path.replace("\\", "/"))
    name = pure.name.lower()
    if name in MANIFEST_NAMES:
        return True
    if name.endswith((".txt", ".in")) and ("requirements" in name or "constraints" in name):
        return True
    return any(part.lower() == "requirements" for part in pure.parts[:-1]) and name.endswith(
        (".txt", ".in")
    )


@dataclass(frozen=True)
class Install:
    """One dependency-installing command inside a RUN step."""

    tool: str  # pip | uv | poetry | pipenv | pdm | conda | setuptools
    reads: tuple[str, ...] = ()  # files it reads (as written), "." for the project dir
    installs_project: bool = False
    editable: bool = False
    no_deps: bool = False
    named_packages: tuple[str, ...] = ()
    keeps_download_cache: bool = False  # the download cache ends up in the layer
    command: str = ""  # the command's words joined, for messages
    manifest_files: tuple[str, ...] | None = None  # None: the reads that look like manifests
    cache_dir: str | None = None

    @property
    def manifests(self) -> tuple[str, ...]:
        """The dependency files it reads (requirement files, lock files; not ``.``)."""
        if self.manifest_files is not None:
            return self.manifest_files
        return tuple(path for path in self.reads if path not in (".", "./", ""))


def find_installs(
    instruction: Instruction, dockerfile: Dockerfile | None = None
) -> tuple[Install, ...]:
    """The dependency installs in a RUN step (empty for anything else).

    ``dockerfile`` lets the shared recogniser see the stage's ENV (``PIP_NO_CACHE_DIR``).
    Where the shared recogniser finds nothing, the fallback still gets its say, since it
    also counts ``pip wheel``/``pip download`` (a builder stage's dependency download).
    """
    if instruction.keyword != "RUN":
        return ()
    text = _shell_text(instruction)
    if len(text) > MAX_RUN_TEXT or not any(word in text for word in _HINT_WORDS):
        return ()
    shared = _from_shell_module(instruction, dockerfile) if len(text) <= SHARED_LIMIT else None
    found = shared or _recognise(text, _no_cache_env(instruction, dockerfile))
    if dockerfile is not None and "$" in text and found:
        found = _expand_paths(found, instruction, dockerfile)
    return found


def _expand_paths(
    installs: tuple[Install, ...], instruction: Instruction, dockerfile: Dockerfile
) -> tuple[Install, ...]:
    """Paths that name ENV/ARG variables (``-r $APP/requirements.txt``), expanded with the
    values the RUN's shell sees. A variable the Dockerfile does not set (the script may set
    it) leaves the path as written."""
    if not any("$" in path for item in installs for path in (*item.reads, *item.manifests)):
        return installs
    env = environment_at(dockerfile, instruction)

    def expanded(paths: tuple[str, ...]) -> tuple[str, ...]:
        return tuple((try_expand(path, env) or path) if "$" in path else path for path in paths)

    return tuple(
        replace(
            item,
            reads=expanded(item.reads),
            manifest_files=None if item.manifest_files is None else expanded(item.manifest_files),
        )
        for item in installs
    )


def _no_cache_env(instruction: Instruction, dockerfile: Dockerfile | None) -> bool:
    """An earlier ``ENV PIP_NO_CACHE_DIR=1`` (or UV_NO_CACHE) in the RUN's stage."""
    if dockerfile is None or not 0 <= instruction.stage < len(dockerfile.stages):
        return False
    for item in dockerfile.stages[instruction.stage].instructions:
        if item.line >= instruction.line:
            break
        if item.keyword == "ENV":
            pairs = dict(zip(item.arguments[0::2], item.arguments[1::2], strict=False))
            for name in ("PIP_NO_CACHE_DIR", "UV_NO_CACHE"):
                value = pairs.get(name, "").strip("\"'").lower()
                if name in pairs and value not in ("", "0", "false", "no", "off"):
                    return True
    return False


def _shell_text(instruction: Instruction) -> str:
    if instruction.json_form:
        return " ".join(shlex.quote(argument) for argument in instruction.arguments)
    parts = [instruction.text]
    parts.extend(heredoc.content for heredoc in instruction.heredocs)
    return "\n".join(parts)


def _from_shell_module(
    instruction: Instruction, dockerfile: Dockerfile | None
) -> tuple[Install, ...] | None:
    """Use ``checker.shell.find_installs`` when it is available and works on this step."""
    try:
        from checker import shell  # type: ignore[attr-defined]

        shared_find_installs = shell.find_installs
    except Exception:
        return None
    try:
        env = None
        if dockerfile is not None and (
            "NO_CACHE" in instruction.text or _sets_no_cache(dockerfile)
        ):
            env = shell.stage_environment(dockerfile, instruction)
        found = shared_find_installs(instruction, env)
        return tuple(_convert(item) for item in found)
    except Exception:
        return None


_LAST_SCAN: list = [None, False]  # (the last Dockerfile scanned, its answer)


def _sets_no_cache(dockerfile: Dockerfile) -> bool:
    """Does any ENV/ARG mention ``*_NO_CACHE*``? Memoised for the Dockerfile being graded."""
    if _LAST_SCAN[0] is not dockerfile:
        _LAST_SCAN[1] = any(
            "NO_CACHE" in item.text
            for item in dockerfile.instructions
            if item.keyword in ("ENV", "ARG")
        )
        _LAST_SCAN[0] = dockerfile
    return bool(_LAST_SCAN[1])


def _convert(item: object) -> Install:
    def get(name: str, default: object) -> object:
        value = getattr(item, name, default)
        return default if value is None else value

    reads = tuple(str(path) for path in get("reads", ()))  # type: ignore[union-attr]
    packages = get("named_packages", ())
    listed = tuple(get("requirement_files", ())) + tuple(get("constraint_files", ()))  # type: ignore[arg-type]
    manifests = tuple(
        dict.fromkeys([*map(str, listed), *(path for path in reads if is_manifest(path))])
    )
    in_layer = getattr(item, "cache_in_layer", None)
    keeps = bool(get("keeps_download_cache", False)) if in_layer is None else bool(in_layer)
    argv = get("argv", ())
    return Install(
        tool=str(get("tool", "pip")),
        reads=reads,
        installs_project=bool(get("installs_project", False)),
        editable=bool(get("editable", False)),
        no_deps=bool(get("no_deps", False)),
        named_packages=tuple(str(name) for name in packages),  # type: ignore[union-attr]
        keeps_download_cache=keeps,
        command=" ".join(map(str, argv)),  # type: ignore[call-overload]
        manifest_files=manifests,
        cache_dir=get("cache_dir", None),  # type: ignore[arg-type]
    )


# --------------------------------------------------------------------------------------
# The fallback recogniser

_SEPARATORS = frozenset({"&&", "||", ";", "|", "&", "\n", ";;", "(", ")"})
_WRAPPERS = frozenset({"sudo", "exec", "time", "env", "nice", "nohup", "command"})
_PIP_VALUE_OPTIONS = frozenset(
    {
        "-i",
        "--index-url",
        "--extra-index-url",
        "-f",
        "--find-links",
        "-t",
        "--target",
        "--prefix",
        "--root",
        "--trusted-host",
        "--platform",
        "--python-version",
        "--implementation",
        "--abi",
        "--cache-dir",
        "--src",
        "--upgrade-strategy",
        "--progress-bar",
        "--log",
        "--proxy",
        "--retries",
        "--timeout",
        "--exists-action",
        "--cert",
        "--client-cert",
        "--config-settings",
        "-C",
        "--global-option",
        "--python",
        "-p",
        "--only-binary",
        "--no-binary",
        "--report",
        "--root-user-action",
        "-w",
        "--wheel-dir",
        "-d",
        "--dest",
        "--index-strategy",
        "--keyring-provider",
        "--resolution",
        "--prerelease",
        "-o",
        "--output-file",
    }
)


@lru_cache(maxsize=2048)
def _recognise(text: str, no_cache_env: bool = False) -> tuple[Install, ...]:
    installs: list[Install] = []
    no_cache_env = no_cache_env or "PIP_NO_CACHE_DIR" in text
    for words in _commands(text):
        found = _recognise_command(words, no_cache_env)
        if found is not None:
            installs.append(found)
    return tuple(installs)


def _commands(text: str) -> list[list[str]]:
    """Split shell text into commands (lists of words)."""
    text = text.replace("\\\n", " ")
    try:
        lexer = shlex.shlex(text, posix=True, punctuation_chars=";&|()")
        lexer.whitespace = " \t\r"
        lexer.whitespace_split = True
        lexer.commenters = "#"
        tokens = list(lexer)
    except ValueError:  # an unterminated quote: fall back to plain words
        tokens = text.replace(";", " ; ").replace("&&", " && ").split()
    commands: list[list[str]] = []
    current: list[str] = []
    for token in tokens:
        pieces = token.split("\n") if "\n" in token else [token]
        for position, piece in enumerate(pieces):
            if position:
                commands.append(current)
                current = []
            if piece in _SEPARATORS:
                commands.append(current)
                current = []
            elif piece:
                current.append(piece)
    commands.append(current)
    return [command for command in commands if command]


def _strip_prefix(words: list[str]) -> list[str]:
    """Drop leading ``VAR=value`` assignments and wrappers such as ``sudo``."""
    position = 0
    while position < len(words):
        word = words[position]
        assignment = "=" in word and word.split("=", 1)[0].isidentifier()
        if assignment or word in _WRAPPERS:
            position += 1
        else:
            break
    return words[position:]


def _program(word: str) -> str:
    return word.rsplit("/", 1)[-1]


def _recognise_command(words: list[str], no_cache_env: bool) -> Install | None:
    words = _strip_prefix(words)
    if not words:
        return None
    program = _program(words[0])
    rest = words[1:]
    if program.startswith("python") and len(rest) >= 2 and rest[0] == "-m":
        module = rest[1]
        if module == "pip":
            return _pip("pip", rest[2:], no_cache_env)
        if module in ("poetry", "pipenv", "pdm", "uv"):
            program, rest = module, rest[2:]
    if program.startswith("python") and rest[:2] in (
        ["setup.py", "install"],
        ["setup.py", "develop"],
    ):
        return Install("setuptools", (".",), True, rest[1] == "develop", command=" ".join(words))
    if program == "pip" or (program.startswith("pip") and program[3:].replace(".", "").isdigit()):
        return _pip("pip", rest, no_cache_env)
    if program == "uv":
        if rest[:1] == ["pip"]:
            return _pip("uv", rest[1:], no_cache_env)
        if rest[:1] == ["sync"]:
            return _sync("uv", rest[1:], ("pyproject.toml", "uv.lock"), "--no-install-project")
        return None
    if program == "poetry" and rest[:1] in (["install"], ["sync"]):
        install = _sync("poetry", rest[1:], ("pyproject.toml", "poetry.lock"), "--no-root")
        if "--only-root" in rest:
            return Install("poetry", install.reads, True, False, True, command=install.command)
        return install
    if program == "pipenv" and rest[:1] in (["install"], ["sync"]):
        return _sync("pipenv", rest[1:], ("Pipfile", "Pipfile.lock"), None)
    if program == "pdm" and rest[:1] in (["install"], ["sync"]):
        return _sync("pdm", rest[1:], ("pyproject.toml", "pdm.lock"), "--no-self")
    if program in ("conda", "mamba", "micromamba"):
        return _conda(program, rest)
    return None


def _pip(tool: str, words: list[str], no_cache_env: bool) -> Install | None:
    """``pip install|wheel|download ...`` (also ``uv pip install``)."""
    if not words or words[0] not in ("install", "wheel", "download", "sync"):
        return None
    reads: list[str] = []
    packages: list[str] = []
    project = editable = no_deps = no_cache = False
    position = 1
    while position < len(words):
        word = words[position]
        value: str | None = None
        name = word
        if word.startswith("--") and "=" in word:
            name, value = word.split("=", 1)
        if name in ("-r", "--requirement", "-c", "--constraint", "-e", "--editable"):
            if value is None:
                position += 1
                value = words[position] if position < len(words) else ""
            if name in ("-e", "--editable"):
                editable = True
                project = project or _is_local(value)
                reads.append(value)
            else:
                reads.append(value)
        elif word.startswith("-r") and len(word) > 2:
            reads.append(word[2:])
        elif word.startswith("-e") and len(word) > 2:
            editable = True
            project = project or _is_local(word[2:])
            reads.append(word[2:])
        elif name == "--no-deps":
            no_deps = True
        elif name in ("--no-cache-dir", "--no-cache"):
            no_cache = True
        elif name in _PIP_VALUE_OPTIONS:
            if value is None:
                position += 1
        elif word.startswith("-"):
            pass
        elif _is_local(word):
            project = True
            reads.append(word)
        else:
            packages.append(word)
        position += 1
    if words[0] == "sync" and tool == "uv":
        pass
    elif not reads and not packages:
        return None
    keeps_cache = words[0] in ("install", "wheel", "download") and not (no_cache or no_cache_env)
    return Install(
        tool,
        tuple(reads),
        project,
        editable,
        no_deps,
        tuple(packages),
        keeps_cache,
        " ".join([tool if tool == "pip" else "uv pip", *words]),
    )


def _is_local(word: str) -> bool:
    """A pip argument naming the project's directory (``.``, ``./pkg``, ``/app``) rather
    than a package name or a built artifact (``/wheels/*``, ``dist/x.whl``)."""
    head = word.split("[", 1)[0]
    if any(char in head for char in "*?") or head.endswith((".whl", ".tar.gz", ".zip")):
        return False
    if "wheel" in head or "dist/" in head:
        return False
    return head in (".", "..") or head.startswith(("./", "../", "/", "~"))


def _sync(
    tool: str, words: list[str], manifests: tuple[str, ...], no_project: str | None
) -> Install:
    """``poetry install``, ``uv sync``, ``pipenv install``, ``pdm install``."""
    project = no_project is not None and no_project not in words
    if tool == "uv" and "--no-install-workspace" in words:
        project = False
    if tool == "pipenv":
        project = "-e" in words
    command = " ".join([tool, "sync" if tool == "uv" else "install", *words])
    return Install(tool, manifests, project, False, False, (), False, command)


def _conda(program: str, words: list[str]) -> Install | None:
    reads: list[str] = []
    packages: list[str] = []
    if words[:2] in (["env", "create"], ["env", "update"]) or words[:1] in (
        ["install"],
        ["create"],
    ):
        position = 0
        while position < len(words):
            word = words[position]
            if word in ("-f", "--file") and position + 1 < len(words):
                reads.append(words[position + 1])
                position += 1
            elif not word.startswith("-") and word not in ("env", "create", "update", "install"):
                packages.append(word)
            position += 1
        if reads or packages:
            return Install(program, tuple(reads), False, False, False, tuple(packages), False)
    return None
