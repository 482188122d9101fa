from pathlib import Path

print(Path("version.txt").read_text())
