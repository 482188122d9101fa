"""Shell commands inside RUN instructions, parsed rather than pattern-matched.

* :func:`commands` / :func:`shell_commands`: the simple commands of a shell script, with
  ``sh -c``, ``env``, ``sudo`` and ``VAR=x`` prefixes unwrapped.
* :func:`run_commands`: the commands a RUN executes (shell form, exec form, heredocs),
  located on Dockerfile lines.
* :func:`find_installs`: the Python dependency installs among them; :func:`installs_in`
  the same for a step of a Dockerfile, with its ENV/ARG values.
* :func:`parse_mount` / :func:`mounts`: the ``--mount`` flags of a RUN.
* :func:`stage_environment`: ENV/ARG values a RUN sees.
"""

from checker.dockerfile.variables import environment_at as stage_environment
from checker.shell.commands import RawCommand, raw_commands
from checker.shell.installs import DependencyInstall, find_installs, install_command, installs_in
from checker.shell.mounts import Mount, bind_sources, cache_mounts, mounts, parse_mount
from checker.shell.script import ShellCommand, argv_commands, commands, shell_commands
from checker.shell.sources import RunCommand, run_commands
from checker.shell.wrappers import Unwrapped, unwrap

__all__ = [
    "DependencyInstall",
    "Mount",
    "RawCommand",
    "RunCommand",
    "ShellCommand",
    "Unwrapped",
    "argv_commands",
    "bind_sources",
    "cache_mounts",
    "commands",
    "find_installs",
    "install_command",
    "installs_in",
    "mounts",
    "parse_mount",
    "raw_commands",
    "run_commands",
    "shell_commands",
    "stage_environment",
    "unwrap",
]
