"""``python -m checker build CONTEXT``: a build with the live lines and the table in a terminal.

Also ``python -m checker build --cleanup`` (remove the project's labelled images and
containers) and ``--prune-buildkit-cache`` (all BuildKit cache on the engine: see
:func:`checker.build.cleanup.prune_buildkit_cache`). Exit codes: 0 built, 1 the build failed,
2 bad usage or no BuildKit client.
"""

from __future__ import annotations

import argparse
import json
import sys

from docker.errors import DockerException

from checker.build.cleanup import cleanup, prune_buildkit_cache
from checker.build.errors import BuildError, NoBuildKitClient
from checker.build.jsonlog import event_json_line, result_to_dict
from checker.build.runner import build
from checker.cli.errors import fail, one_line_error


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``build`` subcommand."""
    p = subparsers.add_parser(
        "build",
        help="run one build and show which steps came from the cache",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("context", nargs="?", help="the build context directory")
    p.add_argument("--buildkit", action="store_true", help="build with BuildKit (a docker CLI)")
    p.add_argument(
        "-f", "--file", dest="dockerfile", help="Dockerfile (default CONTEXT/Dockerfile)"
    )
    p.add_argument("-t", "--tag", help="name the image (default: no tag)")
    p.add_argument("--no-cache", action="store_true")
    p.add_argument("--build-arg", action="append", default=[], metavar="KEY=VALUE")
    p.add_argument("--target", help="build up to this stage")
    p.add_argument("--network", dest="network_mode", help="network for RUN steps (host, none...)")
    p.add_argument("--memory", type=int, help="bytes of memory per RUN container (classic)")
    p.add_argument("--cpuset-cpus", help="CPUs for RUN containers, e.g. 0 or 0-1 (classic)")
    p.add_argument("--timeout", type=float, help="stop the build after this many seconds")
    p.add_argument("--json", action="store_true", help="print events and the result as JSON lines")
    p.add_argument("--cleanup", action="store_true", help="remove the project's labelled images")
    p.add_argument(
        "--prune-buildkit-cache",
        action="store_true",
        help="empty ALL BuildKit cache on the engine (not only this project's)",
    )
    p.set_defaults(func=run_build)
    p.error = one_line_error(p)  # type: ignore[method-assign]


def run_build(args: argparse.Namespace) -> int:
    if args.cleanup or args.prune_buildkit_cache:
        if args.cleanup:
            report = cleanup()
            print(f"removed {len(report.images)} images, {len(report.containers)} containers")
            for failure in report.failures:
                print(f"could not remove {failure}", file=sys.stderr)
        if args.prune_buildkit_cache:
            print(f"BuildKit cache emptied: {prune_buildkit_cache()} bytes reclaimed")
        return 0
    if not args.context:
        return fail("a build context is needed: python -m checker build CONTEXT")
    buildargs = dict(item.split("=", 1) for item in args.build_arg if "=" in item)
    on_event = (lambda e, r: print(event_json_line(e), flush=True)) if args.json else None
    try:
        result = build(
            args.context,
            builder="buildkit" if args.buildkit else "classic",
            tag=args.tag,
            no_cache=args.no_cache,
            buildargs=buildargs,
            dockerfile=args.dockerfile,
            target=args.target,
            network_mode=args.network_mode,
            memory=args.memory,
            cpuset_cpus=args.cpuset_cpus,
            timeout=args.timeout,
            live=not args.json,
            table=not args.json,
            on_event=on_event,
        )
    except (NoBuildKitClient, OSError, ValueError) as error:
        print(error, file=sys.stderr)
        return 2
    except DockerException as error:
        print(f"no Docker engine answers: {error}", file=sys.stderr)
        return 2
    except BuildError as error:
        if args.json:
            print(json.dumps(result_to_dict(error.result)))
        print(error, file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(result_to_dict(result)))
    return 0
