"""``python -m checker.build ...``: the same as ``python -m checker build ...``."""

import sys

from checker.cli import main

if __name__ == "__main__":
    sys.exit(main(["build", *sys.argv[1:]]))
