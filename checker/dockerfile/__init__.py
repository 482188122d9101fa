"""Read Dockerfiles into the model the checker works on.

``parse(text)`` and ``parse_file(path)`` return a :class:`Dockerfile`; any text that is not
a usable Dockerfile raises :class:`DockerfileSyntaxError` with the line to fix.
"""

from checker.dockerfile.model import (
    Dockerfile,
    DockerfileSyntaxError,
    Flag,
    Heredoc,
    Instruction,
    Stage,
)
from checker.dockerfile.parser import KEYWORDS, MAX_BYTES, parse, parse_file

__all__ = [
    "KEYWORDS",
    "MAX_BYTES",
    "Dockerfile",
    "DockerfileSyntaxError",
    "Flag",
    "Heredoc",
    "Instruction",
    "Stage",
    "parse",
    "parse_file",
]
