"""``python -m checker env up | status | down``: the runtime's command line.

Exit codes: 0 ready (or stopped), 1 some part is not ready, 2 a part could not be prepared;
errors are one paragraph on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import sys

from docker.errors import DockerException

from checker.runtime import engine, environment
from checker.runtime.base_image import BaseImageUnavailable
from checker.runtime.engine import EngineUnavailable
from checker.runtime.package_index import IndexUnavailable
from checker.runtime.progress import printer
from checker.runtime.registry import RegistryUnavailable

EXPECTED = (
    EngineUnavailable,
    BaseImageUnavailable,
    IndexUnavailable,
    RegistryUnavailable,
    DockerException,
)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``env`` with its ``up``, ``status`` and ``down`` subcommands."""
    env_parser = subparsers.add_parser(
        "env",
        help="prepare, show or stop the workshop's Docker engine, base image, package index "
        "and local registry",
    )
    actions = env_parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    up_parser = actions.add_parser(
        "up", help="start the engine, get the base image, serve packages where PyPI is out of reach"
    )
    up_parser.add_argument(
        "--offline",
        action="store_true",
        help="prepare a room with no internet: serve the wheelhouse to builds even where PyPI "
        "answers (run it while the network works)",
    )
    up_parser.add_argument(
        "--image-store",
        choices=engine.IMAGE_STORES,
        help="the image store of an engine env up starts itself (default: keep the running "
        "one's; a new engine gets containerd, as fresh Docker 29 installs do)",
    )
    up_parser.set_defaults(func=run_up)
    actions.add_parser("status", help="show each part in one screen").set_defaults(func=run_status)
    down_parser = actions.add_parser(
        "down", help="remove the project's containers and images; stop what `up` started"
    )
    down_parser.add_argument(
        "--prune-build-cache",
        action="store_true",
        help="also empty BuildKit's build cache; it has no labels, so this is engine-wide: "
        "every project's cached steps go, not only the workshop's",
    )
    down_parser.set_defaults(func=run_down)


def run_up(args: argparse.Namespace) -> int:
    try:
        parts = environment.up(
            printer("env up "), offline=args.offline, image_store=args.image_store
        )
    except EXPECTED as error:
        print(f"env up: {error}", file=sys.stderr)
        return 2
    print(environment.render(parts))
    return 0 if all(part.ready for part in parts) else 1


def run_status(_args: argparse.Namespace) -> int:
    parts = environment.status()
    print(environment.render(parts))
    return 0 if all(part.ready for part in parts) else 1


def run_down(args: argparse.Namespace) -> int:
    lines = environment.down(printer("env down "), prune_build_cache=args.prune_build_cache)
    for line in lines:
        print(line)
    return 0
