"""``python -m checker explain``: which build steps a change of files or build args would
rebuild, predicted step by step by the cache model. Exit codes: 0 shown, 2 bad input."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from checker.cache import ContextFiles, format_table, predict
from checker.cache.jail import Unreadable, named_file
from checker.cli.errors import fail, one_line_error
from checker.dockerfile import DockerfileSyntaxError, parse_file
from checker.grading.safe_text import escape_control


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``explain`` subcommand."""
    explain_parser = subparsers.add_parser(
        "explain",
        help="show which build steps a change would rebuild",
        description="Predict, step by step, what the next build takes from Docker's cache "
        "after the given files change.",
    )
    explain_parser.add_argument("dockerfile", metavar="DOCKERFILE")
    explain_parser.add_argument("--context", metavar="DIR", help="the build context directory")
    explain_parser.add_argument(
        "--changed", nargs="*", default=[], metavar="FILE", help="context-relative paths"
    )
    explain_parser.add_argument(
        "--build-arg", action="append", default=[], metavar="NAME", help="a changed build arg"
    )
    explain_parser.add_argument("--builder", choices=("buildkit", "classic"), default="buildkit")
    explain_parser.add_argument("--target", help="the stage to build (default: the last)")
    explain_parser.set_defaults(func=run_explain)
    explain_parser.error = one_line_error(explain_parser)  # type: ignore[method-assign]


def run_explain(args: argparse.Namespace) -> int:
    try:
        if args.context is not None and not Path(args.context).is_dir():
            return fail(f"--context {args.context}: not a directory")
        roots = (args.context,) if args.context else ()
        dockerfile = parse_file(named_file(args.dockerfile, roots))  # a link: as grade
        context = ContextFiles.from_dir(args.context, args.dockerfile) if args.context else None
        prediction = predict(
            dockerfile,
            [context_relative(path, args.context) for path in args.changed],
            context,
            changed_args=args.build_arg,
            builder=args.builder,
            target=args.target,
        )
        print(escape_control(format_table(prediction)))
        return 0
    except DockerfileSyntaxError as error:
        return fail(f"{args.dockerfile}: {error}")
    except Unreadable as error:
        return fail(str(error))
    except Exception as error:
        return fail(f"explain failed: {type(error).__name__}: {error}")


def context_relative(path: str, context: str | None) -> str:
    """A changed file named from the current directory (or absolutely) inside the context
    becomes context-relative; anything else is taken as already context-relative."""
    if context is None:
        return path
    root = os.path.abspath(context)
    candidate = os.path.abspath(path)
    inside = candidate.startswith(root + os.sep)
    if inside and (os.path.isabs(path) or os.path.exists(path)):
        return os.path.relpath(candidate, root).replace(os.sep, "/")
    return path
