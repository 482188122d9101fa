"""``grade --fix`` and ``grade --diff``: apply the suggested Dockerfile, or show it as a diff.

The grader already suggests a reordered Dockerfile and keeps the suggestion only when it
grades ``kept`` itself; fixing writes exactly that text over the file. The original is kept
nowhere else, so a fix says line by line what moved, was added or removed, and the file is
graded again after writing so the summary shows the new verdict rather than a promise.
The file keeps its line endings (CRLF stays CRLF) and its last line's newline, or lack of
one: a fix changes the instructions' order, not how the file is saved. A Dockerfile that is
a link is fixed in the file it links to (grading has checked where it points); the link
stays a link.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass

from checker.grading.findings import KEPT, NO_INSTALL
from checker.grading.report import Report


@dataclass(frozen=True)
class FileFix:
    """What fixing one graded Dockerfile would do: ``fixed`` is None when nothing applies,
    and ``reason`` then says why."""

    path: str
    original: str
    fixed: str | None
    reason: str = ""
    target: str | None = None  # the file written, when ``path`` is a link to it

    def diff(self) -> str:
        """A unified diff (``a/PATH`` to ``b/PATH``), empty when nothing changes."""
        if self.fixed is None:
            return ""
        # git's a/ and b/ prefixes (``patch -p1``) only make sense for a relative path.
        relative = not os.path.isabs(self.path)
        lines = difflib.unified_diff(
            self.original.splitlines(keepends=True),
            self.fixed.splitlines(keepends=True),
            fromfile=f"a/{self.path}" if relative else self.path,
            tofile=f"b/{self.path}" if relative else self.path,
        )
        return "".join(line if line.endswith("\n") else line + "\n" for line in lines)

    def changes(self) -> list[str]:
        """The change as sentences: ``line 6 moved to line 5, now above "ADD . /srv": RUN
        pip install ...``, ``line 4 added: ...``, ``line 7 removed: ...`` (line numbers before
        and after the fix)."""
        if self.fixed is None:
            return []
        before = self.original.splitlines()
        after = self.fixed.splitlines()
        removed: list[tuple[int, str]] = []
        added: list[tuple[int, str]] = []
        matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag in ("delete", "replace"):
                removed.extend((number + 1, before[number]) for number in range(i1, i2))
            if tag in ("insert", "replace"):
                added.extend((number + 1, after[number]) for number in range(j1, j2))
        sentences = []
        for old_number, text in removed:
            match = next((item for item in added if item[1] == text), None)
            if match is not None:
                added.remove(match)
                below = next((line for line in after[match[0] :] if line.strip()), None)
                where = f'now above "{below}"' if below is not None else "now last"
                sentences.append(
                    (old_number, f"line {old_number} moved to line {match[0]}, {where}: {text}")
                )
            else:
                sentences.append((old_number, f"line {old_number} removed: {text}"))
        sentences.extend((number, f"line {number} added: {text}") for number, text in added)
        return [sentence for _, sentence in sorted(sentences)]


def plan(report: Report, raw: bytes, target: str | None = None) -> FileFix:
    """Decide what ``--fix`` does to the graded file whose bytes are ``raw`` (read from
    ``target`` when the graded path is a link to it)."""
    path = report.path or "Dockerfile"
    try:
        original = raw.decode("utf-8")
    except UnicodeDecodeError:
        return FileFix(path, "", None, "not fixed: the file is not UTF-8 text")
    if report.error is not None:
        return FileFix(path, original, None, f"not fixed: {report.error}")
    suggestion = report.suggested_dockerfile
    if suggestion is not None:
        suggestion = saved_like(suggestion, original)
    if suggestion is None or suggestion == original:
        if report.dependency_cache in (KEPT, NO_INSTALL):
            return FileFix(path, original, None, "nothing to fix")
        return FileFix(
            path, original, None, "not fixed: no reordering found that keeps the install cached"
        )
    return FileFix(path, original, suggestion, target=target)


def saved_like(text: str, original: str) -> str:
    """``text`` (lines ended by ``\n``, as the grader renders) with ``original``'s line
    ending (CRLF when most of its lines end so) and its final newline, or lack of one."""
    ending = "\r\n" if original.count("\r\n") * 2 > original.count("\n") else "\n"
    body = text[:-1] if text.endswith("\n") else text
    final = ending if original.endswith(("\n", "\r")) else ""
    return ending.join(body.split("\n")) + final


def summary(fix: FileFix, before: Report, after: Report | None) -> str:
    """The lines ``--fix`` prints for one file."""
    if fix.fixed is None:
        return f"{fix.path}: {fix.reason}"
    head = f"fixed {fix.path}"
    if fix.target is not None:
        head = f"fixed {fix.target}, the file the link {fix.path} points to"
    if after is not None:
        head += (
            f" (dependency cache: {before.dependency_cache} -> {after.dependency_cache},"
            f" score {before.score} -> {after.score})"
        )
    return "\n".join([f"{head}:", *(f"  {change}" for change in fix.changes())])


def as_dict(fix: FileFix, before: Report, after: Report | None) -> dict[str, object]:
    """``--fix --format json``: the report after fixing (as ``grade --format json`` prints
    it, the one before when nothing was written) with a ``fix`` object: whether the file was
    written, which file, the changes as in text, and the verdict and score before."""
    data = (after or before).as_dict()
    data["fix"] = {
        "written": fix.fixed is not None,
        "file": fix.target or fix.path,
        "changes": fix.changes(),
        "reason": fix.reason or None,
        "before": {"dependency_cache": before.dependency_cache, "score": before.score},
    }
    return data
