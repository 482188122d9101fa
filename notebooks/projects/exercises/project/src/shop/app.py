"""Exercise project `project`: an installable package with a console script."""

import requests
from tabulate import tabulate


def main() -> None:
    print(tabulate([["requests", requests.__version__]], headers=["package", "version"]))
    print("app ok")


if __name__ == "__main__":
    main()
