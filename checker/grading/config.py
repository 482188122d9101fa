"""Project configuration for ``grade``: ``[tool.checker]`` in ``pyproject.toml`` or a
``.checker.toml``, found by walking up from the Dockerfile's folder.

A team states once which rules it does not want, per path if need be, how strict a pass
is and which output format its CI reads, instead of repeating flags in every hook and job::

    [tool.checker]                      # in .checker.toml: the same keys, no table header
    ignore = ["LC007"]                  # rule IDs never reported
    fail-on = "warning"                 # a finding of this severity or worse fails the file
    format = "github"                   # the default --format
    [tool.checker.per-path-ignores]     # fnmatch patterns, relative to the config's folder;
    "legacy/*" = ["LC001", "LC002"]     # a pattern without "/" also matches the file name

In one folder ``.checker.toml`` wins over ``pyproject.toml``; a ``pyproject.toml`` without
``[tool.checker]`` is passed over. Command-line flags override the file. Ignoring a rule
silences its findings; it does not change the ``dependency_cache`` verdict, and a
``reinstalled`` verdict still fails (text and the CI formats then name the install's line:
:func:`checker.grading.report.verdict_finding`). A key, rule or value the checker does not know is a
:class:`ConfigError` naming the file and the key, never silently ignored.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import os
import re
from dataclasses import dataclass
from pathlib import Path

from checker.grading.findings import KEPT, NO_INSTALL, SEVERITIES
from checker.grading.report import Report

FILE_NAMES = (".checker.toml", "pyproject.toml")
KEYS = ("ignore", "per-path-ignores", "fail-on", "format")


class ConfigError(ValueError):
    """A configuration file that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class Config:
    """Settings from one file (``path``); the defaults are the checker's own behaviour."""

    path: Path | None = None
    ignore: frozenset[str] = frozenset()
    per_path_ignores: tuple[tuple[str, frozenset[str]], ...] = ()
    fail_on: str = "error"
    format: str | None = None

    def ignored_for(self, dockerfile: str | os.PathLike[str]) -> frozenset[str]:
        """The rule IDs ignored for this Dockerfile: ``ignore`` plus matching per-path ones."""
        found = set(self.ignore)
        if self.per_path_ignores and self.path is not None:
            target = Path(os.path.abspath(dockerfile))
            try:
                relative = target.relative_to(self.path.parent).as_posix()
            except ValueError:
                relative = None
            for pattern, rules in self.per_path_ignores:
                names = [relative] if relative is not None else []
                if "/" not in pattern:
                    names.append(target.name)
                if any(fnmatch.fnmatchcase(name, pattern) for name in names):
                    found |= rules
        return frozenset(found)


def find_config(start: str | os.PathLike[str]) -> Path | None:
    """The configuration file that governs ``start`` (a Dockerfile or a folder), or None."""
    here = Path(os.path.abspath(start))
    folder = here if here.is_dir() else here.parent
    for directory in (folder, *folder.parents):
        dotfile = directory / FILE_NAMES[0]
        if dotfile.is_file():
            return dotfile
        pyproject = directory / FILE_NAMES[1]
        if pyproject.is_file() and _mentions_table(pyproject):
            return pyproject
    return None


# Where a pyproject.toml may hold the table: a [tool.checker...] header, a dotted
# tool.checker... key, or a bare [tool] table. Only then is the file parsed to be sure.
_TABLE_HINT = re.compile(
    r"^\s*\[\s*tool\s*\.\s*checker\s*[\].]|^\s*tool\s*\.\s*checker\s*[.=]|^\s*\[\s*tool\s*\]",
    re.MULTILINE,
)


def _mentions_table(pyproject: Path) -> bool:
    """Whether ``pyproject.toml`` has a ``[tool.checker]`` table (most have none, and are
    told apart by a regular expression, without importing a TOML parser)."""
    try:
        text = pyproject.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    if not _TABLE_HINT.search(text):
        return False
    tool = _parse(pyproject).get("tool", {})
    return isinstance(tool, dict) and "checker" in tool


def load_config(path: str | os.PathLike[str], known_formats: tuple[str, ...]) -> Config:
    """Read and check one configuration file."""
    path = Path(path)
    data = _parse(path)
    where = f"{path}: [tool.checker]" if path.name == "pyproject.toml" else str(path)
    table = data.get("tool", {}).get("checker", {}) if path.name == "pyproject.toml" else data
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: must be a table of settings")
    unknown = sorted(set(table) - set(KEYS))
    if unknown:
        raise ConfigError(f"{where}: unknown key {unknown[0]!r} (known keys: {', '.join(KEYS)})")
    ignore = _rule_ids(table.get("ignore", []), f"{where}: ignore")
    per_path_table = table.get("per-path-ignores", {})
    if not isinstance(per_path_table, dict):
        raise ConfigError(f"{where}: per-path-ignores must be a table of pattern = [rule IDs]")
    per_path = tuple(
        (str(pattern), _rule_ids(rules, f"{where}: per-path-ignores {pattern!r}"))
        for pattern, rules in per_path_table.items()
    )
    fail_on = table.get("fail-on", "error")
    if fail_on not in SEVERITIES:
        raise ConfigError(f"{where}: fail-on = {fail_on!r}; use one of {', '.join(SEVERITIES)}")
    fmt = table.get("format")
    if fmt is not None and fmt not in known_formats:
        raise ConfigError(f"{where}: format = {fmt!r}; use one of {', '.join(known_formats)}")
    return Config(path.resolve(), ignore, per_path, fail_on, fmt)


def _parse(path: Path) -> dict:
    try:
        import tomllib
    except ImportError:  # Python 3.10
        try:
            import tomli as tomllib  # type: ignore[no-redef]
        except ImportError:
            raise ConfigError(
                f"{path}: reading TOML needs Python 3.11 or later, or `pip install tomli`"
            ) from None
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror or error}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None


def parse_rule_ids(text: str) -> frozenset[str]:
    """``--ignore LC001,LC007`` as a set of known rule IDs (an unknown one: ConfigError)."""
    return _rule_ids([item for item in text.split(",") if item.strip()], f"--ignore {text}")


def _rule_ids(value: object, where: str) -> frozenset[str]:
    from checker.rules import RULES

    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f'{where}: must be a list of rule IDs, such as ["LC007"]')
    known = {rule.id for rule in RULES}
    ids = {item.strip().upper() for item in value}
    unknown = sorted(ids - known)
    if unknown:
        raise ConfigError(f"{where}: unknown rule {unknown[0]} (rules: {', '.join(sorted(known))})")
    return frozenset(ids)


_FAILS_AT = {"error": {"error"}, "warning": {"error", "warning"}, "info": set(SEVERITIES)}


def apply_config(report: Report, ignored: frozenset[str], fail_on: str) -> Report:
    """The report with ``ignored`` rules' findings dropped, the score recounted, and
    ``passed`` decided by ``fail_on``: a finding at that severity or worse fails the file."""
    if report.error is not None:
        return report
    from checker.grading.grade import _score  # the grader's one scoring rule

    findings = tuple(finding for finding in report.findings if finding.rule not in ignored)
    failing = _FAILS_AT[fail_on]
    passed = report.dependency_cache in (KEPT, NO_INSTALL) and not any(
        finding.severity in failing for finding in findings
    )
    return dataclasses.replace(
        report,
        findings=findings,
        score=_score(report.dependency_cache or "", findings),
        passed=passed,
        ignored_rules=tuple(
            sorted({*report.ignored_rules, *(f.rule for f in report.findings if f.rule in ignored)})
        ),
    )
