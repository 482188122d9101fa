"""Grade a Dockerfile on layer order: ``grade(text_or_path, context=None) -> Report``.

The grade rests on one question put to the cache model: when an application source file
changes, what happens to the dependency install? (``kept``, ``reinstalled``,
``reinstalled-with-cache`` or ``no-install``). The rules then explain why, line by line,
and a reordered Dockerfile is suggested as structured moves of the parsed instructions,
checked by grading it again. ``grade`` never raises: unreadable input gives a report whose
``error`` names the line.

Which "application file" changes: with a context directory, every ``.py`` file the context
sends (after ``.dockerignore``) that is not a dependency manifest (``setup.py`` counts as
one), up to 500; without a context, a made-up ``app.py`` plus one made-up ``.py`` file per
COPY source pattern (``src/`` gives ``src/app.py``, ``*.py`` gives ``app.py``). The verdict
is the worst case over them (a change to any one reinstalls ⇒ ``reinstalled``).

Which reruns count: a rebuilt install counts as a reinstall unless it only adds the
project on top of an earlier, cached, manifest-reading install (``--no-deps``; ``poetry
install`` after ``poetry install --no-root``; ``uv sync`` after ``--no-install-project``).
It is ``reinstalled-with-cache`` when every counted rerun has a ``--mount=type=cache`` on
the package manager's download cache.

Score: 100, capped at 70 for ``reinstalled-with-cache`` and 40 for ``reinstalled``, minus
25 per error, 10 per warning and 3 per info finding, floored at 0. ``passed`` means the
install is kept (or there is none) and no error-severity finding remains.
"""

from __future__ import annotations

import bisect
import os
import re
from collections.abc import Iterator
from pathlib import Path

from checker.cache import ContextFiles
from checker.cache.jail import Unreadable, named_file, read_file
from checker.dockerfile import DockerfileSyntaxError, parse, parse_file
from checker.dockerfile.model import Dockerfile, Instruction
from checker.dockerfile.parser import MAX_BYTES, MAX_INSTRUCTIONS
from checker.grading.findings import KEPT, NO_INSTALL, REINSTALLED_WITH_CACHE, Finding
from checker.grading.report import Report
from checker.rules import RULES
from checker.rules.analysis import Analysis
from checker.rules.unset_args import assume_unset_args
from checker.shell.commands import compound_budget

_IGNORE = re.compile(r"#\s*checker\s+ignore\s*=\s*([A-Za-z0-9_,\s]+)")
_PENALTY = {"error": 25, "warning": 10, "info": 3}
_CEILING = {KEPT: 100, NO_INSTALL: 100, REINSTALLED_WITH_CACHE: 70}
_PATH_LIKE_LIMIT = 4096
MAX_STAGES = 1000
"""Bounds that keep grading time and memory linear; real Dockerfiles stay far below.
MAX_INSTRUCTIONS (2000) is the parser's: it refuses more as soon as it reads them."""


def grade(
    text_or_path: str | os.PathLike[str],
    context: str | os.PathLike[str] | ContextFiles | None = None,
    *,
    suggest: bool = True,
    builder: str = "buildkit",
) -> Report:
    """Grade one Dockerfile, given as text or as a path (a directory means its Dockerfile).

    A ``str`` is taken as a path when it has no newline and names an existing file;
    otherwise it is the Dockerfile's text. ``context`` is the build context directory; with
    it, ``.dockerignore`` is honoured and the application file is taken from the context.
    ``builder="classic"`` grades as the classic builder would build: every stage, used or
    not (BuildKit, the default, skips stages the final one does not need).
    """
    path: str | None = None
    try:
        path = _as_path(text_or_path)
        if path is not None:
            source = _named_file(path, context)
            dockerfile = parse_file(source)
            text = _read_text(source)
        else:
            text = str(text_or_path)
            dockerfile = parse(text)
        build_context = _as_context(context, path)
        return _grade_model(dockerfile, text, build_context, path, suggest, builder)
    except DockerfileSyntaxError as error:
        return _error_report(path, error.message, error.line, error.fix)
    except Exception as error:  # never raise: an unexpected failure is still a report
        return _error_report(path, f"internal error while grading: {type(error).__name__}: {error}")


def _as_path(value: str | os.PathLike[str]) -> str | None:
    if isinstance(value, os.PathLike):
        name = os.fspath(value)
    elif isinstance(value, str) and "\n" not in value and len(value) < _PATH_LIKE_LIMIT:
        try:
            if not os.path.exists(value):
                return None
        except (OSError, ValueError):
            return None
        name = value
    else:
        return None
    if os.path.isdir(name):
        name = os.path.join(name, "Dockerfile")
    return name


def _named_file(path: str, context: str | os.PathLike[str] | ContextFiles | None) -> str:
    """The file to read for ``path``: a link is followed inside its folder or the context
    (:func:`checker.cache.jail.named_file`); elsewhere, broken or a loop, the grade is an error."""
    root = context.root if isinstance(context, ContextFiles) else context
    try:
        return str(named_file(path, (root,) if root is not None else ()))
    except Unreadable as error:
        raise DockerfileSyntaxError(str(error), None, None) from None


def _read_text(path: str) -> str:
    return read_file(Path(path), MAX_BYTES + 1).decode("utf-8", errors="replace")


def _as_context(
    context: str | os.PathLike[str] | ContextFiles | None, dockerfile_path: str | None
) -> ContextFiles | None:
    if context is None or isinstance(context, ContextFiles):
        return context
    root = Path(context)
    if not root.is_dir():
        raise DockerfileSyntaxError(f"the build context {root} is not a directory")
    return ContextFiles.from_dir(root, dockerfile_path)


def _error_report(
    path: str | None, message: str, line: int | None = None, fix: str | None = None
) -> Report:
    where = f"line {line}: " if line is not None else ""
    hint = f" ({fix})" if fix else ""
    return Report(
        path=path,
        passed=False,
        score=0,
        dependency_cache=None,
        error=f"{where}{message}{hint}",
        error_line=line,
    )


def _grade_model(
    dockerfile: Dockerfile,
    text: str,
    context: ContextFiles | None,
    path: str | None,
    suggest: bool,
    builder: str = "buildkit",
) -> Report:
    _check_bounds(dockerfile)
    with compound_budget(_shell_texts(dockerfile)):
        return _graded(dockerfile, text, context, path, suggest, builder)


def _shell_texts(dockerfile: Dockerfile) -> Iterator[str]:
    """The shell-form RUN texts in file order: what the compound-shell budget charges first
    (see ``checker.shell.commands``)."""
    for instruction in dockerfile.instructions:
        target = instruction.trigger or instruction
        if target.keyword == "RUN" and not target.json_form and not target.heredocs:
            yield target.text


def _graded(
    dockerfile: Dockerfile,
    text: str,
    context: ContextFiles | None,
    path: str | None,
    suggest: bool,
    builder: str,
) -> Report:
    # A build argument without a value that an install reads as its dependency file is
    # given an assumed one first (see checker.rules.unset_args); LC013 names it.
    dockerfile, notes = assume_unset_args(dockerfile, context)
    analysis = Analysis(dockerfile, text, context, builder, notes)
    found = _run_rules(analysis)
    findings = _apply_ignores(dockerfile, text, found)
    verdict = analysis.verdict
    rerun = analysis.reinstalling_steps[0].instruction if analysis.reinstalling_steps else None
    score = _score(verdict, findings)
    passed = verdict in (KEPT, NO_INSTALL) and not any(f.severity == "error" for f in findings)
    suggestion = _suggest(analysis, found) if suggest and verdict != NO_INSTALL else None
    return Report(
        path=path,
        passed=passed,
        score=score,
        dependency_cache=verdict,
        findings=findings,
        suggested_dockerfile=suggestion,
        source=text,
        install_lines=(rerun.line, rerun.end_line) if rerun is not None else None,
        ignored_rules=tuple(sorted({f.rule for f in found} - {f.rule for f in findings})),
    )


def _check_bounds(dockerfile: Dockerfile) -> None:
    if len(dockerfile.stages) > MAX_STAGES:
        line = dockerfile.stages[MAX_STAGES].line
        raise DockerfileSyntaxError(
            f"more than {MAX_STAGES} build stages; the grader stops here",
            line,
            "a real Dockerfile has a handful of stages: check the right file was given",
        )
    if len(dockerfile.instructions) > MAX_INSTRUCTIONS:
        line = dockerfile.instructions[MAX_INSTRUCTIONS].line
        raise DockerfileSyntaxError(
            f"more than {MAX_INSTRUCTIONS} instructions; the grader stops here",
            line,
            "check the right file was given",
        )


def _run_rules(analysis: Analysis) -> list[Finding]:
    seen: set[tuple[str, int]] = set()
    findings = []
    for rule in RULES:
        for finding in rule.check(analysis):
            key = (finding.rule, finding.line)
            if key not in seen:
                seen.add(key)
                findings.append(finding)
    return findings


def ignored_rules(text: str, line: int, end_line: int) -> set[str]:
    """Rule IDs silenced by ``# checker ignore=LC001,LC002`` on the line before an
    instruction or at the end of one of its lines."""
    return _ignored_in(_ignores_by_line(text), line, end_line)


def _ignores_by_line(text: str) -> dict[int, tuple[bool, set[str]]]:
    """line number -> (the line is a comment, rule IDs its ignore comments name), for
    the lines that hold one; the text is scanned once."""
    found: dict[int, tuple[bool, set[str]]] = {}
    if "ignore" not in text:
        return found
    for number, raw in enumerate(text.splitlines(), 1):
        if "ignore" not in raw:
            continue
        rules = {
            item.strip().upper()
            for match in _IGNORE.finditer(raw)
            for item in match.group(1).split(",")
            if item.strip()
        }
        if rules:
            found[number] = (raw.lstrip().startswith("#"), rules)
    return found


def _ignored_in(ignores: dict[int, tuple[bool, set[str]]], line: int, end_line: int) -> set[str]:
    found: set[str] = set()
    if not ignores:
        return found
    for number in range(max(line - 1, 1), end_line + 1):
        entry = ignores.get(number)
        if entry is None or (number == line - 1 and not entry[0]):
            continue
        found.update(entry[1])
    return found


def _apply_ignores(
    dockerfile: Dockerfile, text: str, findings: list[Finding]
) -> tuple[Finding, ...]:
    ignores = _ignores_by_line(text)
    if not ignores:
        return tuple(sorted(findings, key=lambda item: (item.line, item.rule)))
    instructions = dockerfile.instructions
    kept = []
    for finding in findings:
        span = _instruction_span(instructions, finding.line)
        if finding.rule not in _ignored_in(ignores, *span):
            kept.append(finding)
    return tuple(sorted(kept, key=lambda item: (item.line, item.rule)))


def _instruction_span(instructions: tuple[Instruction, ...], line: int) -> tuple[int, int]:
    """The lines of the instruction holding ``line`` (instructions are in line order)."""
    index = bisect.bisect_right(instructions, line, key=lambda item: item.line) - 1
    if index >= 0 and instructions[index].line <= line <= instructions[index].end_line:
        return instructions[index].line, instructions[index].end_line
    return line, line


def _score(verdict: str, findings: tuple[Finding, ...]) -> int:
    """100 for a kept cache and no findings; capped at 70 when the install reruns with a
    download cache and at 40 when it reinstalls; each finding then costs by severity."""
    score = _CEILING.get(verdict, 40)
    for finding in findings:
        score -= _PENALTY.get(finding.severity, 0)
    return max(0, min(100, score))


def _suggest(analysis: Analysis, findings: list[Finding]) -> str | None:
    """A reordered Dockerfile that grades ``kept``, rendered from the planned fixes, or None
    when there is nothing to reorder or we cannot build one.

    First the fix of every reinstalling step whose fix is in its own chain, in file order:
    the plans the findings carry (planned once), and a step with no exact fix means no
    suggestion, whether a finding names it or not. Then the other edits the findings carry
    (a volatile ARG/ENV moved below the install), in the findings' order."""
    if not analysis.reinstalls and not any(finding.edits for finding in findings):
        return None  # nothing to reorder: the fix planner need not even load
    from checker.rules.edits import Edit, render
    from checker.rules.reinstall_fixes import plan_fix

    edits: list[Edit] = []
    for reinstall in analysis.reinstalls:
        if not reinstall.fixed_here:
            continue  # rebuilt because another stage was: that stage's install is the fix
        plan = plan_fix(analysis, reinstall)
        if plan is None:
            return None
        edits.extend(plan.edits)
    planned = {id(edit) for edit in edits}
    edits.extend(edit for finding in findings for edit in finding.edits if id(edit) not in planned)
    if not edits:
        return None
    try:
        text = render(analysis.dockerfile, analysis.text, edits)
        again = grade(text, analysis.context, suggest=False, builder=analysis.builder)
    except (KeyError, ValueError, DockerfileSyntaxError):
        return None
    if again.error is not None or again.dependency_cache != KEPT:
        return None
    return text
