"""Exercise project `order`: small on purpose; what matters is what it imports."""

import os

import requests
from tabulate import tabulate

rows = [["requests", requests.__version__], ["version", os.environ.get("APP_VERSION", "-")]]
print(tabulate(rows, headers=["", ""]))
print("app ok")
