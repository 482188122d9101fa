"""Import ``bashlex`` without rebuilding its parser tables on every start.

bashlex builds its LALR tables with a bundled copy of ply when ``bashlex.parser`` is first
imported (``yacc.yacc(...)`` at module level). That copy of ply no longer reads or writes
table files (the ``parsetab.py`` in the package is never used), so every fresh process
spends most of a second of CPU, on a loaded machine, computing the same tables. A
pre-commit hook or an editor that grades on save pays it each time.

:func:`load` imports bashlex with ``yacc.yacc`` wrapped for the duration of the import: the
wrapper reads the grammar from ``bashlex.parser`` as ply does, and when a cache file for
exactly that grammar exists (its key hashes ply's grammar signature, the bashlex version
and the Python version) it binds the cached action and goto tables to the grammar's
productions instead of computing them; otherwise it lets ply build them and writes the
cache (atomically; a cache that cannot be written is simply not used). The tables are
dicts of state numbers and symbol names (marshal, like ``.pyc`` files), never pickled
objects. bashlex's own
post-import patches of the tables then run unchanged on either.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from types import ModuleType

_FORMAT = 1  # bump when the cache layout changes
tables_from: str | None = None
"""How this process got bashlex's tables: ``"cache"``, ``"built"`` (and cached), or None
before bashlex is loaded. For tests and the curious."""


def cache_dir() -> Path:
    """``$WORKSHOP_HOME/bashlex`` (default ``~/.cache/layer-cache-workshop/bashlex``)."""
    override = os.environ.get("WORKSHOP_HOME")
    if override:
        home = Path(override).expanduser()
    else:
        cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        home = Path(cache) / "layer-cache-workshop"
    return home / "bashlex"


def load() -> ModuleType:
    """``import bashlex``, with its parser tables from the cache when they match."""
    if "bashlex" in sys.modules:
        return sys.modules["bashlex"]
    finder = _WrapYacc()
    sys.meta_path.insert(0, finder)
    try:
        import bashlex
    finally:
        sys.meta_path.remove(finder)
        yacc_module = sys.modules.get("bashlex.yacc")
        if yacc_module is not None and finder.original is not None:
            yacc_module.yacc = finder.original
    return bashlex


class _WrapYacc:
    """A meta path finder: finds ``bashlex.yacc`` as usual, and swaps its ``yacc`` once the
    module has run. (Not an ``importlib.abc`` subclass: importing that costs more than
    the rest of a grade's start-up.)"""

    def __init__(self) -> None:
        self.original = None

    def find_spec(self, fullname, path, target=None):
        if fullname != "bashlex.yacc":
            return None
        import importlib.machinery

        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None:
            return spec
        loader = spec.loader
        finder = self

        class Loader:
            def create_module(self, spec):
                return loader.create_module(spec)

            def exec_module(self, module):
                loader.exec_module(module)
                finder.original = module.yacc
                module.yacc = _cached_yacc(module, module.yacc)

        spec.loader = Loader()
        return spec


def _cached_yacc(ply: ModuleType, original):
    def yacc(*args, **kwargs):
        global tables_from
        caller = sys.modules.get("bashlex.parser")
        if args or set(kwargs) - {"outputdir", "debug"} or caller is None:
            return original(*args, **kwargs)  # not bashlex's own call: leave it alone
        pinfo = ply.ParserReflect(_module_dict(caller), log=ply.NullLogger())
        pinfo.get_all()
        path = cache_dir() / f"tables-{_key(ply, pinfo.signature())}.marshal"
        tables = _read(path)
        grammar = _grammar(ply, pinfo) if tables is not None else None
        if grammar is None or len(grammar.Productions) != tables["productions"]:
            parser = original(module=caller, debug=False)
            _write(path, parser)
            tables_from = "built"
            return parser
        tables_from = "cache"
        return _parser(ply, pinfo, grammar, tables)

    return yacc


def _module_dict(module: ModuleType) -> dict:
    """What ply collects from a ``module=`` argument (the names, ``__file__``, ...)."""
    return {name: getattr(module, name) for name in dir(module)}


def _key(ply: ModuleType, signature: str) -> str:
    """The grammar, the table builder (bashlex's copy of ply, by size and mtime: a new
    bashlex release replaces the file) and the Python version."""
    import hashlib

    try:
        stat = os.stat(ply.__file__)
        builder = f"{stat.st_size}:{stat.st_mtime_ns}"
    except (OSError, TypeError):
        builder = "unknown"
    text = f"{_FORMAT}\0{builder}\0{sys.version}\0{signature}"
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:24]


def _read(path: Path) -> dict | None:
    """The cached tables, or None. marshal, as Python's own ``__pycache__`` files are:
    it loads in a millisecond where JSON of the same tables takes ten times as long."""
    import marshal

    try:
        data = marshal.loads(path.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return None
    if not isinstance(data, dict) or set(data) != {"productions", "action", "goto"}:
        return None
    if not all(isinstance(data[name], dict) for name in ("action", "goto")):
        return None
    return data


def _write(path: Path, parser) -> None:
    import contextlib
    import marshal
    import tempfile

    data = {
        "productions": len(parser.productions),
        "action": {state: dict(row) for state, row in parser.action.items()},
        "goto": {state: dict(row) for state, row in parser.goto.items()},
    }
    with contextlib.suppress(OSError, ValueError):
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=path.parent, prefix=".tables-", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(marshal.dumps(data))
            os.replace(name, path)
        finally:
            with contextlib.suppress(OSError):
                os.unlink(name)


def _grammar(ply: ModuleType, pinfo):
    """The grammar as ply's ``yacc()`` builds it (tokens, precedence, productions, start);
    None when ply reports a problem, and the tables are then built the normal way."""
    # What validate_all() does, less validate_modules() (it re-reads the source for duplicate
    # rule names; the signature in the cache key was validated when the tables were built).
    pinfo.validate_start()
    pinfo.validate_error_func()
    pinfo.validate_tokens()
    pinfo.validate_precedence()
    pinfo.validate_pfunctions()
    if pinfo.error:
        return None
    grammar = ply.Grammar(pinfo.tokens)
    try:
        for term, assoc, level in pinfo.preclist:
            grammar.set_precedence(term, assoc, level)
        for funcname, (file, line, prodname, syms) in pinfo.grammar:
            grammar.add_production(prodname, syms, funcname, file, line)
        grammar.set_start(pinfo.start)
    except ply.GrammarError:
        return None
    return grammar


class _Tables:
    """The three fields of ply's LRTable that its LRParser reads."""

    def __init__(self, productions, action, goto) -> None:
        self.lr_productions = productions
        self.lr_action = action
        self.lr_goto = goto


def _parser(ply: ModuleType, pinfo, grammar, tables: dict):
    for production in grammar.Productions:
        production.bind(pinfo.pdict)
    parser = ply.LRParser(
        _Tables(grammar.Productions, tables["action"], tables["goto"]), pinfo.error_func
    )
    ply.parse = parser.parse  # as ply's yacc() leaves it
    return parser
