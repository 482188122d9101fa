"""``python -m checker batch``: grade a folder of submissions into one table (CSV or JSON
lines), each in a worker with a time and memory limit, optionally proven by real builds
across several engines. Exit codes: 0 written, 1 a proof is missing, 2 bad input."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from pathlib import Path

from checker.cli.errors import fail, one_line_error
from checker.grading.batch import (
    MEMORY_MB,
    ROW_FIELDS,
    TIMEOUT_SECONDS,
    find_submissions,
    iter_rows,
    write_rows,
)
from checker.grading.row_output import ROW_FORMATS


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``batch`` subcommand."""
    batch_parser = subparsers.add_parser(
        "batch",
        help="grade a folder of submissions into one table",
        description="Grade every submission in DIR: each sub-folder with a Dockerfile, or "
        "each Dockerfile-like file. One row per entry, with a grading_status (graded, "
        "error, timeout or skipped); each submission is graded in a worker with a time and "
        "memory limit, and rows are written as they are graded.",
    )
    batch_parser.add_argument("directory", metavar="DIR")
    batch_parser.add_argument("--out", metavar="FILE", help="write here instead of stdout")
    batch_parser.add_argument("--format", choices=ROW_FORMATS, default="csv")
    batch_parser.add_argument(
        "--no-context", action="store_true", help="do not use sub-folders as build contexts"
    )
    batch_parser.add_argument(
        "--timeout", type=float, default=TIMEOUT_SECONDS, help="seconds per submission"
    )
    batch_parser.add_argument(
        "--memory-mb", type=int, default=MEMORY_MB, help="memory per submission's worker"
    )
    batch_parser.add_argument(
        "--prove",
        action="store_true",
        help="prove each graded submission with two real builds (verify), adding the "
        "proof, proof_summary and engine columns",
    )
    batch_parser.add_argument(
        "--engine",
        action="append",
        metavar="URL",
        help="a Docker engine for the proofs (repeat for several: they work concurrently, "
        "one submission each at a time); default: DOCKER_HOST or the local socket",
    )
    batch_parser.add_argument(
        "--builder", choices=("classic", "buildkit"), default="classic", help="for --prove"
    )
    batch_parser.add_argument(
        "--proof-timeout",
        type=float,
        metavar="SECONDS",
        help="for --prove: each build's time limit",
    )
    batch_parser.set_defaults(func=run_batch)
    batch_parser.error = one_line_error(batch_parser)  # type: ignore[method-assign]


def _prove(rows: list[dict], args: argparse.Namespace):
    """The proof run and its rows, each yielded as soon as its proof is done."""
    from checker.verify import across_engines  # only --prove needs docker-py

    submissions = [
        (name, path, None if args.no_context else context)
        for name, path, context in find_submissions(args.directory)
    ]
    run = across_engines.ProofRun(rows)
    proven = across_engines.iter_proofs(
        run,
        submissions,
        args.engine or across_engines.default_engines(),
        across_engines.verify_in_process(args.builder, args.proof_timeout),
    )
    return run, proven


def run_batch(args: argparse.Namespace) -> int:
    try:
        if not Path(args.directory).is_dir():
            return fail(f"{args.directory}: not a directory")
        if (args.engine or args.proof_timeout is not None) and not args.prove:
            return fail("--engine and --proof-timeout go with --prove")
        rows: Iterable[dict] = iter_rows(
            args.directory,
            use_context=not args.no_context,
            timeout=args.timeout,
            memory_mb=args.memory_mb,
        )
        fields = ROW_FIELDS
        proofs = None
        if args.prove:  # graded first (quickly), then written as each proof is done
            proofs, rows = _prove(list(rows), args)
            fields = (*ROW_FIELDS, *proofs.fields)
        if args.out:  # written row by row: a crash keeps what was graded
            with open(args.out, "w", encoding="utf-8", newline="") as stream:
                write_rows(rows, stream, args.format, fields)
        else:
            write_rows(rows, sys.stdout, args.format, fields)
        if proofs is not None:
            print(f"checker: {proofs.summary()}".replace("\n", "\nchecker: "), file=sys.stderr)
            return 0 if proofs.complete else 1
        return 0
    except Exception as error:
        return fail(f"batch failed: {type(error).__name__}: {error}")
