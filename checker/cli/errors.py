"""How every subcommand reports a usage or input error: one line on stderr, exit code 2,
never argparse's whole usage text and never a traceback."""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn

from checker.grading.safe_text import escape_control


def one_line_error(parser: argparse.ArgumentParser):
    """Usage errors as one line on stderr (argparse prints the whole usage), exit 2."""

    def error(message: str) -> NoReturn:
        print(f"{parser.prog}: error: {message} (see --help)", file=sys.stderr)
        sys.exit(2)

    return error


def fail(message: str) -> int:
    """Print ``message`` (control characters escaped, on one line) and return exit code 2."""
    print(f"checker: {escape_control(' '.join(message.split()))}", file=sys.stderr)
    return 2
