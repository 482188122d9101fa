"""The rules' reference page, generated from their docstrings (as sqlfluff does), so the
documentation a learner reads is the one the tests check the rules against."""

from __future__ import annotations

import inspect

from checker.rules import RULES


def rule_docs() -> str:
    """Markdown: one section per rule with its ID, name, severity and docstring."""
    parts = ["# Layer-order rules", ""]
    for rule in RULES:
        doc = inspect.cleandoc(rule.__doc__ or "")
        summary, _, body = doc.partition("\n")
        body = body.replace(".. code-block:: dockerfile", "```dockerfile")
        body = body.replace(".. code-block:: text", "```text")
        parts.extend(
            [
                f"## {rule.id} {rule.name} ({rule.severity})",
                "",
                summary,
                "",
                _fence(body.strip()),
                "",
            ]
        )
    return "\n".join(parts).rstrip() + "\n"


def _fence(body: str) -> str:
    """Close each opened code fence where its indented block ends; trim blank edges."""
    out: list[str] = []
    in_block = False
    for line in body.splitlines():
        if line.startswith("```"):
            in_block = True
            out.append(line)
            continue
        if in_block and line and not line.startswith("    "):
            _close(out)
            in_block = False
        if in_block and not line and out[-1].startswith("```"):
            continue  # no blank line right after the opening fence
        out.append(line[4:] if in_block else line)
    if in_block:
        _close(out)
    return "\n".join(out).rstrip()


def _close(out: list[str]) -> None:
    while out and not out[-1]:
        out.pop()
    out.extend(["```", ""])
