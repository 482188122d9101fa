"""Start-up of ``python -m checker grade``: what a fresh process imports, and bashlex's cached
parser tables. (The timing itself is in benchmarks/bench_grade.py, not here.)"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from checker.cli import COMMAND_MODULES, build_parser

REPO = Path(__file__).resolve().parents[1]
# What grading one Dockerfile must not load: the engine client and the build runner, the
# runtime, the notebook stack, and bashlex for a Dockerfile of plain RUN lines.
NOT_NEEDED = (
    "docker",
    "requests",
    "urllib3",
    "bashlex",
    "nbformat",
    "nbclient",
    "jupyter_client",
    "IPython",
    "matplotlib",
    "multiprocessing",
    "ctypes",
    "html",
    "checker.build",
    "checker.runtime",
    "checker.verify",
    "checker.lessons",
    "checker.grading.fixing",
    "checker.grading.batch",
    "checker.rules.edits",
    "checker.rules.reinstall_fixes",
)
COMPOUND_SCRIPTS = (
    "if [ -f requirements.txt ]; then pip install -r requirements.txt; fi",
    "for f in a b; do echo $f; done && pip install $(cat extra.txt)",
    "( cd /src && pip install . ) || { echo failed; exit 1; }",
)


def _python(code: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_grading_a_plain_dockerfile_imports_nothing_it_does_not_need() -> None:
    out = _python(
        "import json, runpy, sys\n"
        "sys.argv = ['checker', 'grade', 'sample_project/Dockerfile']\n"
        "try:\n"
        "    runpy.run_module('checker', run_name='__main__')\n"
        "except SystemExit as stop:\n"
        "    code = stop.code\n"
        "print('MODULES', json.dumps({'code': code, 'modules': sorted(sys.modules)}))\n"
    )
    report, _, tail = out.rpartition("MODULES ")
    result = json.loads(tail)
    assert result["code"] == 0 and "PASSED" in report
    loaded = sorted(
        name
        for name in result["modules"]
        if any(name == top or name.startswith(top + ".") for top in NOT_NEEDED)
    )
    assert loaded == []


def test_each_command_module_registers_exactly_the_commands_main_expects() -> None:
    for module_name, commands in COMMAND_MODULES.items():
        parser = argparse.ArgumentParser()
        subparsers = parser.add_subparsers(dest="command")
        importlib.import_module(module_name).register(subparsers)
        assert tuple(subparsers.choices) == commands, module_name
    full = build_parser()
    (action,) = [a for a in full._actions if isinstance(a, argparse._SubParsersAction)]
    assert set(action.choices) == {c for commands in COMMAND_MODULES.values() for c in commands}


def _load_and_parse(home: Path) -> dict:
    """In a fresh process: load bashlex through the cache in ``home`` and parse scripts."""
    out = _python(
        "import json, os\n"
        "from checker.shell import bashlex_loader\n"
        "bashlex = bashlex_loader.load()\n"
        "from bashlex import parser\n"
        "scripts = json.loads(os.environ['SCRIPTS'])\n"
        "trees = [[t.dump() for t in bashlex.parse(s)] for s in scripts]\n"
        "tables = {'action': {str(k): v for k, v in parser.yaccparser.action.items()},\n"
        "          'goto': {str(k): v for k, v in parser.yaccparser.goto.items()}}\n"
        "print(json.dumps({'from': bashlex_loader.tables_from, 'trees': trees,\n"
        "                  'tables': tables}))\n",
        env={"WORKSHOP_HOME": str(home), "SCRIPTS": json.dumps(COMPOUND_SCRIPTS)},
    )
    return json.loads(out)


def test_bashlex_tables_are_built_once_then_read_from_the_cache(tmp_path: Path) -> None:
    cold = _load_and_parse(tmp_path)
    assert cold["from"] == "built"
    (cached,) = (tmp_path / "bashlex").iterdir()
    warm = _load_and_parse(tmp_path)
    assert warm["from"] == "cache"
    # The same parser: identical tables (after bashlex's own patches) and identical trees.
    assert warm["tables"] == cold["tables"]
    assert warm["trees"] == cold["trees"]
    assert any("pip" in json.dumps(tree) for tree in warm["trees"])

    # A damaged cache file is rebuilt, not trusted.
    cached.write_bytes(b"\x00not marshal data")
    again = _load_and_parse(tmp_path)
    assert again["from"] == "built"
    assert again["trees"] == cold["trees"]
    assert _load_and_parse(tmp_path)["from"] == "cache"


def test_an_unwritable_cache_still_parses(tmp_path: Path) -> None:
    blocked = tmp_path / "home"
    blocked.write_text("a file where the cache folder would go", encoding="utf-8")
    result = _load_and_parse(blocked)
    assert result["from"] == "built"
    assert result["trees"] == _load_and_parse(tmp_path)["trees"]


@pytest.mark.parametrize("script", COMPOUND_SCRIPTS)
def test_compound_run_lines_still_reach_bashlex(script: str) -> None:
    from checker.shell.commands import raw_commands

    argvs = [command.argv for command in raw_commands(script)]
    assert any(argv[:2] == ("pip", "install") for argv in argvs), argvs
