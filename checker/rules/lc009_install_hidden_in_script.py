"""LC009: dependencies are installed by a script the RUN runs."""

from __future__ import annotations

from collections.abc import Iterator

from checker.grading.findings import Finding
from checker.rules.analysis import Analysis
from checker.rules.base import Rule, describe
from checker.shell.record import DependencyInstall


class InstallHiddenInScript(Rule):
    """A ``RUN`` installs dependencies through a script (``./install.sh``, ``make install``,
    ``python tools/pip_install.py``).

    Docker keys the step on its command text and on the files already in the image, not on
    what the script does: the install stays cached only as long as nothing copied before it
    changes, which includes the script itself and every file it reads. With a build context
    the checker reads the script and judges what it runs; without one it can only assume
    that a script named like an install installs, and judges the step by its position.

    **Anti-pattern**

    .. code-block:: dockerfile

        COPY . .
        RUN ./install.sh

    **Best practice**

    .. code-block:: dockerfile

        COPY requirements.txt ./
        RUN pip install -r requirements.txt
        COPY . .

    (Or keep the script, copied on its own with the files it reads, before the source.)
    """

    id = "LC009"
    name = "install-hidden-in-script"
    severity = "info"

    def check(self, analysis: Analysis) -> Iterator[Finding]:
        for step in analysis.install_steps:
            for script, was_read in analysis.hidden_scripts.get(step.instruction.line, ()):
                if was_read:
                    found = ", ".join(dict.fromkeys(_what_it_runs(item) for item in step.installs))
                    message = (
                        f"{describe(step.instruction)} installs dependencies through {script}, "
                        f"which {found}. Docker sees only the command text, so the "
                        "install reruns whenever the script or any file copied before this "
                        "step changes: copy the script and the files it reads on their own, "
                        "before the source."
                    )
                else:
                    message = (
                        f"{describe(step.instruction)} runs {script}, which the checker could "
                        "not read (grade with --context to read it). Assumed: it installs "
                        "dependencies, from files copied before this step; the step is judged "
                        "by its position, and no reordered Dockerfile is offered."
                    )
                yield self.finding(
                    step.instruction,
                    message,
                    f"COPY {script} <the files it reads> ./\n{step.instruction.original}\nCOPY . .",
                )


def _what_it_runs(install: DependencyInstall) -> str:
    """What the script was read to run: a shell command as written, or, for a Python script
    (whose code only spells an install out), the files it names and what is assumed."""
    if install.tool != "script":
        return f"runs: {install.command or install.tool}"
    if install.requirement_files:
        return (
            f"calls `{install.action}` in its Python code, reading "
            f"{', '.join(install.requirement_files)} (as far as its text tells)"
        )
    return (
        f"calls `{install.action}` in its Python code and names no requirements file: "
        "assumed to install the dependencies"
    )
