"""The command line: one entry point (``python -m checker`` or ``checker``), a module per
subcommand in this package (grade, explain, batch, verify, env, build).

Each subcommand's module registers its own parser, so this file only wires them together.
A handler returns the exit code: 0 success, 1 a check failed, 2 bad input or usage.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

# Modules that define ``register(subparsers)``, with the subcommands each adds. Only the
# module of the command given is imported: ``grade`` in a pre-commit hook or an editor must
# not pay for docker-py and the build runner (tests/test_startup.py keeps this in step).
COMMAND_MODULES = {
    "checker.cli.grade": ("grade",),
    "checker.cli.explain": ("explain",),
    "checker.cli.batch": ("batch",),
    "checker.cli.verify": ("verify",),
    "checker.cli.env": ("env",),  # env up | status | down
    "checker.cli.build": ("build",),
}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The whole command line, or only the module that owns ``command`` when it is known."""
    parser = argparse.ArgumentParser(
        prog="python -m checker",
        description="Grade Dockerfiles on layer order and run the workshop's Docker builds.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    owners = [name for name, commands in COMMAND_MODULES.items() if command in commands]
    for name in owners or COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(argv[0] if argv else None)
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`... | head`): stop quietly, as Unix tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
