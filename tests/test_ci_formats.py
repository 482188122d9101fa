"""``--format github`` (workflow commands) and ``--format gitlab`` (code-quality JSON).

The GitHub output is read back with a decoder written from the workflow-command syntax
(``::command key=value,key=value::message``; ``%25``, ``%0D``, ``%0A`` in the message and
also ``%3A``, ``%2C`` in property values), so a path or message with those characters must
come back unchanged.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from checker.cli import main
from checker.grading.findings import Finding
from checker.grading.formats import to_github
from checker.grading.report import Report

CASES = Path(__file__).resolve().parent / "grading_cases"
_COMMAND = re.compile(r"::(error|warning|notice) ([^:]*)::(.*)")
_DECODE_DATA = {"%25": "%", "%0D": "\r", "%0A": "\n"}
_DECODE_PROPERTY = {**_DECODE_DATA, "%3A": ":", "%2C": ","}


def _decode(text: str, table: dict[str, str]) -> str:
    return re.sub("|".join(table), lambda match: table[match.group(0)], text)


def parse_commands(output: str) -> list[dict[str, str]]:
    """Each line as a dict of its properties plus ``command`` and ``message``; a line that is
    not a well-formed command fails the test."""
    commands = []
    for line in output.splitlines():
        match = _COMMAND.fullmatch(line)
        assert match, f"not a workflow command: {line!r}"
        command: dict[str, str] = {"command": match.group(1)}
        for item in match.group(2).split(","):
            key, sep, value = item.partition("=")
            assert sep and key in {"file", "line", "endLine", "col", "endColumn", "title"}, item
            command[key] = _decode(value, _DECODE_PROPERTY)
        command["message"] = _decode(match.group(3), _DECODE_DATA)
        commands.append(command)
    return commands


def test_github_format_annotates_each_finding_of_the_lessons_bad_dockerfile(capsys) -> None:
    path = str(CASES / "lesson_bad.Dockerfile")
    assert main(["grade", path, "--format", "github"]) == 1
    commands = parse_commands(capsys.readouterr().out)
    by_rule = {command["title"]: command for command in commands}
    assert set(by_rule) == {"LC001", "LC007"}
    assert by_rule["LC001"]["command"] == "error"
    assert by_rule["LC007"]["command"] == "notice"  # info findings are notices
    assert by_rule["LC001"]["file"] == path
    assert (by_rule["LC001"]["line"], by_rule["LC001"]["endLine"]) == ("5", "5")
    # The fix travels with the message, on its own lines once decoded.
    assert "\nFix:\nCOPY requirements.txt /srv/requirements.txt\n" in by_rule["LC001"]["message"]


def test_github_format_escapes_paths_and_messages(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "team a,b: 100%"
    folder.mkdir()
    shutil.copy2(CASES / "lesson_bad.Dockerfile", folder / "Dockerfile")
    assert main(["grade", str(folder / "Dockerfile"), "--format", "github"]) == 1
    commands = parse_commands(capsys.readouterr().out)
    assert {command["file"] for command in commands} == {str(folder / "Dockerfile")}

    finding = Finding("LC001", "x", 2, 4, "warning", "50% of it:\r\nsecond, line", "")
    text = to_github([Report("a:b,c%.Dockerfile", False, 30, "reinstalled", (finding,))])
    assert text.count("\n") == 1  # one command, one line
    (command,) = parse_commands(text)
    assert command == {
        "command": "warning",
        "file": "a:b,c%.Dockerfile",
        "line": "2",
        "endLine": "4",
        "title": "LC001",
        "message": "50% of it:\r\nsecond, line",
    }


def test_github_format_reports_unreadable_input_as_an_error(tmp_path: Path, capsys) -> None:
    broken = tmp_path / "Dockerfile"
    broken.write_text("FROM python\nFOO bar\n", encoding="utf-8")
    assert main(["grade", str(broken), "--format", "github"]) == 2
    (command,) = parse_commands(capsys.readouterr().out)
    assert (command["command"], command["title"], command["line"]) == ("error", "LC000", "2")


def test_gitlab_format_is_a_code_quality_report(tmp_path: Path, capsys) -> None:
    path = str(CASES / "lesson_bad.Dockerfile")
    assert main(["grade", path, "--format", "gitlab"]) == 1
    issues = json.loads(capsys.readouterr().out)
    assert [issue["check_name"] for issue in issues] == ["LC001", "LC007"]
    for issue in issues:
        assert set(issue) >= {"description", "check_name", "fingerprint", "severity", "location"}
        assert issue["severity"] in {"info", "minor", "major", "critical", "blocker"}
        assert issue["location"]["path"] == path
    assert issues[0]["location"]["lines"] == {"begin": 5, "end": 5}
    assert len({issue["fingerprint"] for issue in issues}) == 2

    # The fingerprint follows the flagged text, not its line number.
    copy = tmp_path / "Dockerfile"
    copy.write_text(Path(path).read_text(), encoding="utf-8")
    main(["grade", str(copy), "--format", "gitlab"])
    before = json.loads(capsys.readouterr().out)[0]
    copy.write_text("# a comment added on top\n" + Path(path).read_text(), encoding="utf-8")
    main(["grade", str(copy), "--format", "gitlab"])
    after = json.loads(capsys.readouterr().out)[0]
    assert (before["location"]["lines"]["begin"], after["location"]["lines"]["begin"]) == (5, 6)
    assert after["fingerprint"] == before["fingerprint"]


def test_a_failing_verdict_whose_rules_are_ignored_still_gets_an_annotation(
    tmp_path: Path, capsys
) -> None:
    # Inline comments silence LC002 and LC003; BuildKit still reruns the install (line 8).
    inline = str(CASES / "reinstall_rules_ignored_inline.Dockerfile")
    assert main(["grade", inline, "--no-config", "--format", "github"]) == 1
    (command,) = parse_commands(capsys.readouterr().out)
    assert (command["command"], command["title"], command["line"]) == (
        "error",
        "dependency-cache",
        "8",
    )
    assert "Rules ignored here" in command["message"] and "LC002, LC003" in command["message"]

    # The configuration ignores LC001: the LC007 notice alone would not say why it fails.
    path = tmp_path / "Dockerfile"
    shutil.copy2(CASES / "lesson_bad.Dockerfile", path)
    (tmp_path / ".checker.toml").write_text('ignore = ["LC001"]\n', encoding="utf-8")
    assert main(["grade", str(path), "--format", "github"]) == 1
    commands = parse_commands(capsys.readouterr().out)
    assert [(c["command"], c["title"], c["line"]) for c in commands] == [
        ("error", "dependency-cache", "6"),
        ("notice", "LC007", "6"),
    ]
    assert main(["grade", str(path), "--format", "gitlab"]) == 1
    issues = json.loads(capsys.readouterr().out)
    assert [(issue["check_name"], issue["severity"]) for issue in issues] == [
        ("dependency-cache", "major"),
        ("LC007", "info"),
    ]
    assert issues[0]["location"]["lines"] == {"begin": 6, "end": 6}
    # Text says the same under its FAILED line; a passing file gets no such entry.
    assert main(["grade", str(path), "--ignore", "LC001,LC007"]) == 1
    text = capsys.readouterr().out
    assert "FAILED" in text and "dependency-cache error (failing-verdict) line 6:" in text
    good = CASES / "lesson_good.Dockerfile"
    assert main(["grade", str(good), "--no-config", "--format", "gitlab", "--ignore", "LC007"]) == 0
    assert json.loads(capsys.readouterr().out) == []
