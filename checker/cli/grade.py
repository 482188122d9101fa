"""``python -m checker grade``: grade Dockerfiles on layer order (also ``--fix``, ``--diff``).

Exit codes (as :func:`checker.cli.main` expects from each handler): 0 every Dockerfile passed,
1 some failed, 2 unreadable input or bad usage, always with a one-line message on stderr
and never a traceback.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from pathlib import Path

from checker.cache.jail import read_file
from checker.cli.errors import fail, one_line_error
from checker.dockerfile.names import is_dockerfile_name
from checker.dockerfile.parser import MAX_BYTES
from checker.grading.config import (
    Config,
    ConfigError,
    apply_config,
    find_config,
    load_config,
    parse_rule_ids,
)
from checker.grading.findings import SEVERITIES
from checker.grading.formats import FORMATS, render
from checker.grading.grade import grade
from checker.grading.row_output import JsonLinesWriter
from checker.grading.safe_text import escape_control, escape_name

_SKIP_DIRS = frozenset({".git", ".venv", "venv", "node_modules", "__pycache__", ".tox"})


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``grade`` subcommand."""
    grade_parser = subparsers.add_parser(
        "grade",
        help="grade Dockerfiles on layer order (does a code change reinstall packages?)",
        description="Grade Dockerfiles on layer order. A PATH may be a directory: every "
        "Dockerfile in it (Dockerfile, Dockerfile.*, *.Dockerfile) is graded.",
    )
    grade_parser.add_argument("paths", nargs="+", metavar="PATH")
    grade_parser.add_argument("--context", metavar="DIR", help="the build context directory")
    grade_parser.add_argument(
        "--format", choices=FORMATS, help="output format (default: the config's, else text)"
    )
    grade_parser.add_argument(
        "--ignore",
        metavar="RULES",
        help="comma-separated rule IDs to leave out (replaces the config's ignore list)",
    )
    grade_parser.add_argument(
        "--fail-on",
        choices=SEVERITIES,
        help="fail a file on a finding of this severity or worse (default: the config's, "
        "else error)",
    )
    grade_parser.add_argument(
        "--no-config",
        action="store_true",
        help="ignore .checker.toml and pyproject.toml [tool.checker]",
    )
    grade_parser.add_argument(
        "--builder",
        choices=("buildkit", "classic"),
        default="buildkit",
        help="BuildKit (default) skips unused stages; the classic builder builds them all",
    )
    fixing = grade_parser.add_mutually_exclusive_group()
    fixing.add_argument(
        "--fix",
        action="store_true",
        help="write the suggested Dockerfile over each file (only one that grades kept) "
        "and say what changed",
    )
    fixing.add_argument(
        "--diff",
        action="store_true",
        help="print the suggested fix as a unified diff; write nothing",
    )
    grade_parser.set_defaults(func=run_grade)

    grade_parser.error = one_line_error(grade_parser)  # type: ignore[method-assign]


# What --fix (True) and --diff (False) print: a summary of changes as text or JSON, a diff.
# None is no --format flag: the configuration's format is for reports, not for these.
_FIX_FORMATS = {True: (None, "text", "json"), False: (None, "text")}


def collect_dockerfiles(paths: list[str]) -> list[Path]:
    """Expand directories into the Dockerfiles they hold (sorted; hidden dirs skipped)."""
    found: list[Path] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            for directory, dirnames, filenames in os.walk(path):
                dirnames[:] = sorted(
                    item for item in dirnames if item not in _SKIP_DIRS and not item.startswith(".")
                )
                found.extend(
                    Path(directory) / item for item in sorted(filenames) if is_dockerfile_name(item)
                )
        else:
            found.append(path)
    return found


def run_grade(args: argparse.Namespace) -> int:
    try:
        if args.context is not None and not Path(args.context).is_dir():
            return fail(f"--context {args.context}: not a directory")
        if (args.fix or args.diff) and args.format not in _FIX_FORMATS[args.fix]:
            flag = "--fix" if args.fix else "--diff"
            shown = " or ".join(_FIX_FORMATS[args.fix][1:])
            return fail(
                f"{flag} prints {shown}, not --format {args.format} (grade without {flag}"
                " for other formats)"
            )
        files = collect_dockerfiles(args.paths)
        # Only a name that is nothing at all stops the run; a FIFO, a link or a folder
        # named like a Dockerfile is graded as unreadable, with its reason, among the rest.
        missing = [path for path in files if not os.path.lexists(path)]
        if missing:
            return fail(f"{escape_name(str(missing[0]))}: no such file")
        if not files:
            return fail(f"no Dockerfile found in {', '.join(args.paths)}")
        settings = _settings(files, args)
        reports = [
            _configured(grade(path, args.context, builder=args.builder), path, settings, args)
            for path in files
        ]
        if args.fix or args.diff:
            return _run_fixes(files, reports, settings, args)
        first = settings.get(files[0])
        fmt = args.format or (first.format if first else None) or "text"
        sys.stdout.write(render(reports, fmt))
        sys.stdout.flush()
        errors = [report for report in reports if report.error is not None]
        _print_errors(errors)
        if errors:
            return 2
        return 0 if all(report.passed for report in reports) else 1
    except ConfigError as error:
        return fail(str(error))
    except Exception as error:  # a handler never shows a traceback
        return fail(f"grade failed: {type(error).__name__}: {error}")


def _print_errors(reports: list) -> None:
    """Each unreadable file's error on stderr, escaped as all printed text is."""
    for report in reports:
        print(
            f"checker: {escape_name(str(report.path))}: {escape_control(report.error)}",
            file=sys.stderr,
        )


def _settings(files: list[Path], args: argparse.Namespace) -> dict[Path, Config | None]:
    """Each Dockerfile's configuration (one read per file found); raises ConfigError."""
    if args.no_config:
        return dict.fromkeys(files)
    loaded: dict[Path, Config] = {}
    settings: dict[Path, Config | None] = {}
    for path in files:
        found = find_config(path)
        if found is not None and found not in loaded:
            loaded[found] = load_config(found, FORMATS)
        settings[path] = loaded.get(found) if found is not None else None
    return settings


def _configured(report, path: Path, settings: dict[Path, Config | None], args: argparse.Namespace):
    """The report under the file's configuration and the flags that override it."""
    config = settings.get(path) or Config()
    if args.ignore is not None:
        config = dataclasses.replace(config, ignore=parse_rule_ids(args.ignore))
    fail_on = args.fail_on or config.fail_on
    ignored = config.ignored_for(path)
    if not ignored and fail_on == "error":
        return report
    return apply_config(report, ignored, fail_on)


def _run_fixes(
    files: list[Path],
    reports: list,
    settings: dict[Path, Config | None],
    args: argparse.Namespace,
) -> int:
    """``--fix`` / ``--diff``: exit 0 when every file passes (after fixing, for ``--fix``),
    1 when one still fails, 2 when one cannot be read."""
    from checker.grading import fixing

    outcomes = []
    for path, report in zip(files, reports, strict=True):
        # A link was followed by grading only where it may be (its folder, the context);
        # an error report means nothing is written, whatever the path is.
        target = Path(os.path.realpath(path)) if report.error is None else path
        raw = read_file(target, MAX_BYTES + 1) if report.error is None else b""
        fix = fixing.plan(report, raw, _link_target(path, target))
        if args.diff:
            sys.stdout.write(escape_control(fix.diff() or f"{fix.path}: {fix.reason}\n"))
            outcomes.append(report)
            continue
        after = None
        if fix.fixed is not None:
            target.write_bytes(fix.fixed.encode("utf-8"))
            after = grade(path, args.context, builder=args.builder)
            after = _configured(after, path, settings, args)
        if args.format == "json":
            JsonLinesWriter(sys.stdout).write(fixing.as_dict(fix, report, after))
        else:
            print(escape_control(fixing.summary(fix, report, after)))
        outcomes.append(after or report)
    errors = [report for report in outcomes if report.error is not None]
    _print_errors(errors)
    if errors:
        return 2
    return 0 if all(report.passed for report in outcomes) else 1


def _link_target(path: Path, target: Path) -> str | None:
    """How to name the file a linked Dockerfile points to: beside the link's own name
    (``ci/Dockerfile.prod`` for ``ci/Dockerfile``); None when ``path`` is no link."""
    if not path.is_symlink():
        return None
    folder = os.path.realpath(path.parent)
    return os.path.normpath(os.path.join(path.parent, os.path.relpath(target, folder)))
