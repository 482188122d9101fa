"""``python -m checker verify``: prove the cache model on a real engine, from a terminal.

Exit codes (as :func:`checker.cli.main` expects from each handler): 0 the engine did what the
model predicted, 1 it did not (a checker bug: the message says so and asks for a report) or
the checker failed, 2 the check could not be made (bad input, a Dockerfile that does not
build, a missing base image or package, the time limit, no engine). Anything but 0 comes
with a one-line message on stderr, never a traceback. Progress goes to stderr too, so
``--format json`` leaves stdout to the JSON.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading

from checker.cli.errors import one_line_error
from checker.cli.explain import context_relative
from checker.runtime.progress import printer
from checker.verify.proof import PLEASE_REPORT, verify
from checker.verify.sandbox import DEFAULT_TIMEOUT


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``verify`` subcommand."""
    parser = subparsers.add_parser(
        "verify",
        help="build twice on the Docker engine and check the cache model's prediction",
        description="Build DOCKERFILE, change one application file in a temporary copy of "
        "the context, build again, and compare what the engine took from its cache with "
        "what the checker predicted, step by step. A disagreement is a checker bug. Builds "
        "run with a time limit, a memory and CPU limit, a network that reaches the package "
        "index and nothing else (a throwaway engine of verify's own, where this machine allows; "
        "the report says where not, and why), and everything they create is removed.",
    )
    parser.add_argument("dockerfile", metavar="DOCKERFILE")
    parser.add_argument(
        "--context", metavar="DIR", help="the build context (default: the Dockerfile's folder)"
    )
    parser.add_argument("--builder", choices=("classic", "buildkit"), default="classic")
    parser.add_argument(
        "--changed",
        metavar="FILE",
        help="the file to change between the builds (default: the first .py file copied)",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"time limit for each build (default {DEFAULT_TIMEOUT:g})",
    )
    parser.set_defaults(func=run_verify)
    parser.error = one_line_error(parser)  # type: ignore[method-assign]


def _stop_cleanly(signal_number: int, frame: object) -> None:
    """SIGTERM (``batch --prove`` stopping a proof past its time) unwinds like an error, so
    the throwaway engine, its bridge and firewall rules are removed on the way out."""
    raise SystemExit(128 + signal_number)


def run_verify(args: argparse.Namespace) -> int:
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _stop_cleanly)
    try:
        if args.timeout <= 0:
            print("checker: verify: --timeout must be more than 0 seconds", file=sys.stderr)
            return 2
        changed = args.changed
        if changed is not None:
            root = args.context or os.path.dirname(args.dockerfile) or "."
            changed = context_relative(changed, root)
        report = verify(
            args.dockerfile,
            args.context,
            builder=args.builder,
            changed=changed,
            timeout=args.timeout,
            progress=printer(to_stderr=True),  # the builds take a while
        )
        sys.stdout.write(report.to_json() + "\n" if args.format == "json" else str(report))
        sys.stdout.flush()
        if report.exit_code != 0:
            print(f"checker: verify: {report.summary()}", file=sys.stderr)
            if report.checker_bug:
                print(f"checker: {PLEASE_REPORT}", file=sys.stderr)
        return report.exit_code
    except Exception as error:  # a handler never shows a traceback
        message = " ".join(f"{type(error).__name__}: {error}".split())
        print(f"checker: verify failed: {message}", file=sys.stderr)
        print(f"checker: {PLEASE_REPORT}", file=sys.stderr)
        return 1
