"""Install the app's requirements with the running interpreter's pip."""

import subprocess
import sys

PIP = [sys.executable, "-m", "pip", "install", "--no-cache-dir"]
subprocess.check_call([*PIP, "-r", "requirements.txt"])
