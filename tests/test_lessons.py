"""The lesson harness: workspaces never touch the repo, builds are cold first, nothing is left."""

from __future__ import annotations

import json
import re
import stat
from pathlib import Path

import pytest

from checker.build.records import BuildResult, StepRecord
from checker.lessons import Workspace, installed_packages, project_source
from checker.lessons.preflight import Check, Preflight
from checker.lessons.transcript import Transcript

REPO = Path(__file__).resolve().parent.parent

TINY = """
FROM python:3.11-slim
WORKDIR /srv
COPY run.py /srv/run.py
RUN echo installing
CMD ["python", "run.py"]
"""


@pytest.fixture
def workspace():
    ws = Workspace()
    yield ws
    ws.close()


def test_a_workspace_is_a_copy_and_edits_never_reach_the_repo(workspace: Workspace):
    original = (REPO / "sample_project" / "run.py").read_text()
    workspace.replace("run.py", "Hello", "Goodbye")
    workspace.append("requirements.txt", "tabulate\n")
    assert "Goodbye" in workspace.read("run.py")
    assert (REPO / "sample_project" / "run.py").read_text() == original
    assert "tabulate" not in (REPO / "sample_project" / "requirements.txt").read_text()
    assert workspace.files() == ["Dockerfile", "requirements.txt", "run.py"]


def test_touch_changes_only_the_time_and_chmod_only_the_mode(workspace: Workspace):
    before = workspace.file("run.py").stat()
    text = workspace.read("run.py")
    workspace.touch("run.py")
    after = workspace.file("run.py").stat()
    assert after.st_mtime_ns > before.st_mtime_ns and workspace.read("run.py") == text
    workspace.chmod("run.py", 0o755)
    assert stat.S_IMODE(workspace.file("run.py").stat().st_mode) == 0o755


def test_paths_outside_the_workspace_are_refused(workspace: Workspace):
    with pytest.raises(ValueError, match="outside"):
        workspace.write("../escape.txt", "no")


def test_replace_fails_loudly_when_the_text_is_missing(workspace: Workspace):
    with pytest.raises(ValueError, match=r"not in run\.py"):
        workspace.replace("run.py", "no such text", "x")


def test_dockerfile_text_is_dedented(workspace: Workspace):
    workspace.dockerfile(
        """
        FROM python:3.11-slim
        CMD ["python"]
        """
    )
    assert workspace.read("Dockerfile") == 'FROM python:3.11-slim\nCMD ["python"]\n'


def test_close_removes_the_temporary_copy_and_is_idempotent():
    ws = Workspace()
    root = ws.path.parent
    ws.close()
    ws.close()
    assert ws.closed and not root.exists()


def test_unknown_projects_say_where_they_were_looked_for():
    with pytest.raises(FileNotFoundError, match="no project folder"):
        project_source("no-such-project")
    assert project_source("sample_project") == (REPO / "sample_project").resolve()


def _result_with_output(lines: list[str]) -> BuildResult:
    step = StepRecord(key="4", number=4, instruction="RUN pip install -r requirements.txt")
    step.done, step.output = True, lines
    return BuildResult(builder="classic", steps=[step], image_id="sha256:x", seconds=1.0)


def test_installed_packages_are_names_without_versions():
    result = _result_with_output(
        ["Collecting numpy", "Successfully installed numpy-2.1.3 python-dateutil-2.9.0.post0"]
    )
    assert installed_packages(result) == ["numpy", "python-dateutil"]
    assert installed_packages(_result_with_output([])) == []


CLASSIC_TEXT = """DEPRECATED: The legacy builder is deprecated
Sending build context to Docker daemon  4.096kB
Step 1/3 : FROM python:3.11-slim
 ---> ae954cacecb7
Step 2/3 : RUN pip install x
 ---> Using cache
 ---> 0b6725b3daa9
Looking in indexes: http://example/
Step 3/3 : LABEL a=b
 ---> Running in 6941dbf1d585
Removing intermediate container 6941dbf1d585
 ---> 3ee5dcaf0abd
Successfully built 3ee5dcaf0abd
"""

BUILDKIT_TEXT = """#1 [internal] load build definition from Dockerfile
#1 sha256:5a76
#1 DONE 0.0s

#4 [1/2] FROM docker.io/library/python:3.11-slim
#4 sha256:393f
#4 DONE 0.0s

#5 [2/2] RUN pip install x
#5 sha256:2ec5
#5 0.512 Collecting x
#5 DONE 3.2s

#6 exporting to image
#6 DONE 0.0s
"""


def test_classic_transcript_keeps_step_headers_and_cache_lines():
    text = Transcript("classic", CLASSIC_TEXT, None, 0).steps_only()
    assert text.splitlines()[0].startswith("Sending build context")
    assert "Step 2/3 : RUN pip install x\n ---> Using cache" in text
    assert "DEPRECATED" not in text and "Looking in indexes" not in text
    assert text.endswith("Successfully built 3ee5dcaf0abd")


def test_buildkit_transcript_keeps_only_dockerfile_steps():
    text = Transcript("buildkit", BUILDKIT_TEXT, None, 0).steps_only()
    assert text == (
        "#4 [1/2] FROM docker.io/library/python:3.11-slim\n#4 DONE 0.0s\n\n"
        "#5 [2/2] RUN pip install x\n#5 DONE 3.2s"
    )


def test_preflight_says_what_to_do_about_a_missing_part():
    checks = [Check("engine", True, "Docker 1"), Check("BuildKit builder", False, "none")]
    report = Preflight(checks, {"docker-py": "7"})
    text = repr(report)
    assert "ready   engine" in text and "MISSING BuildKit builder" in text
    assert "check your docker version" in text.lower()
    assert not report.ready and report["engine"].ready
    assert "docker-py" in report.details()


def test_a_report_shown_as_a_value_is_one_line():
    from checker import grade

    report = grade(TINY)
    text = repr(report)
    assert text.startswith("<Report Dockerfile: ") and text.endswith(">")
    assert "\n" not in text and "Finding(" not in text
    assert f"{len(report.findings)} finding" in text


def _recorded_output(notebook: str, source: str) -> str:
    cells = json.loads((REPO / "notebooks" / notebook).read_text())["cells"]
    [cell] = [cell for cell in cells if "".join(cell["source"]).strip() == source]
    parts = []
    for output in cell["outputs"]:
        parts.append("".join(output.get("text", "")))
        parts.append("".join(output.get("data", {}).get("text/plain", "")))
    return "".join(parts)


def test_lesson_6_recorded_every_experiment_as_its_prose_says():
    """The table of lesson 6 as stored: which installs ran, and what the cache mount spared."""
    rows = {}
    for line in _recorded_output("06-beyond-the-layer-cache.ipynb", "table").splitlines()[1:]:
        name, outcome, downloaded, from_cache, _seconds = re.split(r"\s{2,}", line.strip())
        rows[name] = (outcome, downloaded, from_cache)
    outcomes = {name: row[0] for name, row in rows.items()}
    assert outcomes == {
        "code first, --no-cache-dir": "ran",
        "code first, cache mount": "ran",
        "requirements first": "cached",
        "package added, --no-cache-dir": "ran",
        "package added, cache mount": "ran",
        "bind-mounted requirements": "cached",
        "bind-mounted, requirements edited": "ran",
        "multi-stage, venv copied": "cached",
        "ARG before the install": "ran",
        "ARG after the install": "cached",
    }
    assert rows["code first, cache mount"][1:] == ("0", rows["code first, --no-cache-dir"][1])
    assert rows["package added, cache mount"][1] == "1"  # only the new package was downloaded
    assert int(rows["package added, --no-cache-dir"][1]) > 1


def test_lesson_9_grades_the_submissions_folder_as_its_prose_says():
    from checker.grading.batch import grade_folder, summarize

    rows = grade_folder(REPO / "notebooks" / "projects" / "submissions")
    summary = summarize(rows)
    assert summary["grading_status"] == {
        "graded": len(rows) - 3, "error": 2, "timeout": 0, "skipped": 1
    }  # fmt: skip
    assert any(row["submission"] == "ada" and row["passed"] for row in rows)


# -- on the engine ---------------------------------------------------------------------------


@pytest.fixture
def tiny() -> Workspace:
    ws = Workspace()
    ws.dockerfile(TINY)
    yield ws
    ws.close()


def _project_images() -> set[str]:
    import docker

    from checker.build.labels import PROJECT_FILTER

    client = docker.from_env()
    try:
        return {image.id for image in client.images.list(filters={"label": PROJECT_FILTER})}
    finally:
        client.close()


@pytest.mark.docker
def test_the_first_build_is_cold_and_the_next_one_cached(tiny: Workspace):
    first = tiny.build("first", live=False, table=False)
    assert first.step("RUN echo").outcome == "ran"
    again = tiny.build("again", live=False, table=False)
    assert again.step("RUN echo").outcome == "cached"
    tiny.replace("run.py", "Hello", "Hi")
    changed = tiny.build("changed", live=False, table=False)
    assert changed.step("COPY run.py").outcome == "ran"
    assert list(tiny.results) == ["first", "again", "changed"]
    assert "changed" in repr(tiny.compare())


@pytest.mark.docker
def test_touch_keeps_the_copy_cached_and_chmod_breaks_it(tiny: Workspace):
    tiny.build("first", live=False, table=False)
    tiny.touch("run.py")
    assert tiny.build(live=False, table=False).step("COPY run.py").outcome == "cached"
    tiny.chmod("run.py", 0o755)
    assert tiny.build(live=False, table=False).step("COPY run.py").outcome == "ran"


@pytest.mark.docker
def test_run_prints_the_containers_output_and_leaves_no_container(tiny: Workspace, capsys):
    import docker

    from checker.build.labels import PROJECT_FILTER

    tiny.build(live=False, table=False)
    assert tiny.run() is None
    assert capsys.readouterr().out == "Hello, World\n"
    assert tiny.run(quiet=True) == "Hello, World\n"
    client = docker.from_env()
    try:
        left = client.containers.list(all=True, filters={"label": PROJECT_FILTER})
    finally:
        client.close()
    assert not [c for c in left if c.image.id in tiny.images]


@pytest.mark.docker
def test_close_removes_every_image_the_workspace_built(tiny: Workspace):
    tiny.build(live=False, table=False)
    tiny.replace("run.py", "Hello", "Hi")
    tiny.build(live=False, table=False)
    built = set(tiny.images)
    assert len(built) == 2 and built <= _project_images()
    tiny.close()
    assert not built & _project_images()


@pytest.mark.docker
def test_the_classic_transcript_says_using_cache(tiny: Workspace, capsys):
    tiny.build(builder="classic", live=False, table=False)
    tiny.transcript("classic")
    transcript = tiny.last_transcript
    printed = capsys.readouterr().out
    assert "Step 4/" in printed and " ---> Using cache" in printed
    assert transcript is not None and transcript.image_id in tiny.images


@pytest.mark.docker
def test_buildkit_builds_and_its_transcript_says_cached(tiny: Workspace, capsys):
    first = tiny.build("bk", builder="buildkit", live=False, table=False)
    assert first.step("RUN echo").outcome == "ran"
    tiny.transcript("buildkit")
    assert "RUN echo installing\n#" in capsys.readouterr().out
    assert tiny.build(builder="buildkit", live=False, table=False).step("RUN").outcome == "cached"


@pytest.mark.docker
def test_a_closed_workspace_leaves_no_cache_of_its_edits_for_the_next_run():
    # BuildKit's cache outlives the images: without forgetting, the second run's edit would
    # find the first run's layer and say cached where a learner's first run says ran.
    for _ in range(2):
        with Workspace() as ws:
            ws.dockerfile(TINY)
            ws.build(live=False, table=False)
            ws.replace("run.py", "Hello", "Hello from the same edit")
            assert ws.build(live=False, table=False).step("COPY run.py").outcome == "ran"
