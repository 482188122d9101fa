"""``python -m checker``: one entry point, a subcommand per job.

Each job's module registers its own subcommands, so this file only wires them together.
A handler returns the exit code: 0 success, 1 a check failed, 2 bad input or usage.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

# Modules that define ``register(subparsers)``; each adds its subcommands.
COMMAND_MODULES = (
    "checker.runtime.cli",  # env up | status | down
    "checker.grading_cli",  # grade, explain, batch
    "checker.verify_cli",  # verify
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m checker",
        description="Grade Dockerfiles on layer order and run the workshop's Docker builds.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
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


if __name__ == "__main__":
    sys.exit(main())
