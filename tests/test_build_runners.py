"""The runners end to end with stand-ins for the engine: a replaying APIClient and a fake CLI.

These check the wiring the engine tests cannot isolate: options reach docker-py as the CLI would
send them, failures become BuildError naming the step, build containers are removed, a
timeout stops a build, and the BuildKit CLI's output is parsed line by line as it arrives.
"""

from __future__ import annotations

import io
import json
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from checker.build import BuildError, BuildTimeout, build
from checker.build.buildkit import BuildKitClient, build_buildkit
from checker.build.classic import build_classic
from checker.build.labels import PROJECT_LABELS
from checker.build.options import BuildOptions

STREAMS = Path(__file__).parent / "build_streams"


def recorded(name: str) -> list[dict[str, Any]]:
    lines = (STREAMS / name).read_text().splitlines()
    return [json.loads(line) for line in lines if line.strip()]


class ReplayAPI:
    """Enough of ``docker.APIClient`` to replay a recorded build stream."""

    def __init__(self, messages: list[dict[str, Any]], delay: float = 0.0) -> None:
        self.messages = messages
        self.delay = delay
        self.build_kwargs: dict[str, Any] = {}
        self.context_names: list[str] = []
        self.removed: list[str] = []
        self.killed: list[str] = []

    def build(self, **kwargs: Any):
        import tarfile

        self.build_kwargs = kwargs
        with tarfile.open(fileobj=kwargs["fileobj"]) as archive:
            self.context_names = archive.getnames()
        for message in self.messages:
            if self.delay and self.killed:
                break
            time.sleep(self.delay)
            yield message

    def close(self) -> None:
        pass

    def kill(self, container_id: str) -> None:
        self.killed.append(container_id)

    def remove_container(self, container_id: str, force: bool = False) -> None:
        self.removed.append(container_id)


def test_classic_options_reach_docker_py_like_the_cli(sample_context: Path):
    api = ReplayAPI(recorded("classic_pre25_hand.jsonl"))
    options = BuildOptions(
        tag="hello:1",
        no_cache=True,
        buildargs={"A": "1"},
        target="final",
        network_mode="host",
        memory=256 * 2**20,
        cpuset_cpus="0",
    )
    result = build_classic(sample_context, options, client=api)  # type: ignore[arg-type]
    kwargs = api.build_kwargs
    assert kwargs["rm"] is True and kwargs["forcerm"] is True and kwargs["decode"] is True
    assert kwargs["custom_context"] is True and kwargs["dockerfile"] == "Dockerfile"
    assert kwargs["labels"] == PROJECT_LABELS
    assert kwargs["tag"] == "hello:1" and kwargs["nocache"] is True
    assert kwargs["buildargs"] == {"A": "1"} and kwargs["target"] == "final"
    assert kwargs["network_mode"] == "host"
    assert kwargs["container_limits"] == {"memory": 256 * 2**20, "cpusetcpus": "0"}
    assert "run.py" in api.context_names
    assert result.step("RUN pip").outcome == "cached"
    assert result.containers == ["23444ad42f62"] and api.removed == ["23444ad42f62"]


def test_classic_defaults_send_no_tag_and_no_limits(sample_context: Path):
    api = ReplayAPI(recorded("classic_pre25_hand.jsonl"))
    build_classic(sample_context, client=api)  # type: ignore[arg-type]
    assert api.build_kwargs["tag"] is None
    assert api.build_kwargs["container_limits"] is None
    assert api.build_kwargs["nocache"] is False


def test_classic_failure_raises_build_error_and_removes_the_container(sample_context: Path):
    api = ReplayAPI(recorded("classic_failed_hand.jsonl"))
    with pytest.raises(BuildError) as caught:
        build_classic(sample_context, client=api)  # type: ignore[arg-type]
    error = caught.value
    assert error.step is not None and error.step.number == 2
    assert str(error).startswith("step 2 `RUN echo about to fail && exit 3` failed:")
    assert "    about to fail" in str(error)
    assert api.removed == ["e3a4b912c982"]


def test_classic_timeout_kills_the_running_container(sample_context: Path):
    messages = [
        {"stream": "Step 1/2 : FROM python:3.11-slim\n"},
        {"stream": " ---> 40479d8f9b6a\n"},
        {"stream": "Step 2/2 : RUN sleep 300\n"},
        {"stream": " ---> Running in 0123456789ab\n"},
        *({"stream": "still sleeping\n"} for _ in range(200)),
    ]
    api = ReplayAPI(messages, delay=0.02)
    started = time.monotonic()
    with pytest.raises(BuildTimeout) as caught:
        build_classic(sample_context, BuildOptions(timeout=0.5), client=api)  # type: ignore[arg-type]
    assert time.monotonic() - started < 3
    assert api.killed == ["0123456789ab"] and "0123456789ab" in api.removed
    assert caught.value.step is not None and caught.value.step.instruction == "RUN sleep 300"
    assert caught.value.step.outcome == "failed"


def test_build_shows_live_lines_and_the_table_in_a_terminal(sample_context: Path, monkeypatch):
    api = ReplayAPI(recorded("classic_v25_hand.jsonl"))
    monkeypatch.setattr("checker.build.classic.api_client", lambda *a, **k: api)
    out = io.StringIO()
    result = build(sample_context, stream=out, output_lines=1)
    text = out.getvalue()
    # The runner's LABEL step (5/5 in the stream) is neither shown nor counted.
    assert "[3/4] RUN pip install requests" in text and "LABEL" not in text
    assert "    Collecting requests" in text and "Installing collected" not in text
    table_row = next(line for line in text.splitlines() if line.startswith("3 "))
    assert "RUN pip install requests" in table_row and " ran " in table_row
    assert text.rstrip().endswith("s in total")
    assert result.image_id and result.image_id.startswith("sha256:")


FAKE_CLI = textwrap.dedent(
    """\
    import sys, time
    args = sys.argv[1:]
    transcript = open({transcript!r}).read().splitlines()
    for line in transcript:
        if line == "SLEEP":
            time.sleep(60)
            continue
        print(line, file=sys.stderr, flush=True)
        time.sleep(0.01)
    code = {code}
    if code == 0:
        with open(args[args.index("--iidfile") + 1], "w") as handle:
            handle.write("sha256:" + "2" * 64)
    sys.exit(code)
    """
)


def fake_cli(tmp_path: Path, transcript: str, code: int = 0) -> BuildKitClient:
    script = tmp_path / "fake_docker.py"
    script.write_text(FAKE_CLI.format(transcript=str(STREAMS / transcript), code=code))
    launcher = tmp_path / "docker"
    launcher.write_text(f'#!/bin/sh\nexec {sys.executable} {script} "$@"\n')
    launcher.chmod(0o755)
    return BuildKitClient(str(launcher), buildx=False, version="20.10")


def test_buildkit_runner_parses_the_cli_output(sample_context: Path, tmp_path: Path):
    client = fake_cli(tmp_path, "buildkit_plain_hand.txt")
    seen: list[str] = []
    result = build_buildkit(
        sample_context, listener=lambda e, r: seen.append(type(e).__name__), client=client
    )
    assert result.image_id == "sha256:" + "2" * 64
    assert [s.outcome for s in result.learner_steps] == ["base", "cached", "cached", "ran", "ran"]
    assert seen.count("StepStarted") == 5


def test_buildkit_runner_failure_names_the_step(sample_context: Path, tmp_path: Path):
    client = fake_cli(tmp_path, "buildkit_failed_hand.txt", code=1)
    with pytest.raises(BuildError) as caught:
        build_buildkit(sample_context, client=client)
    assert caught.value.step is not None and caught.value.step.number == 2
    assert "exit code: 3" in str(caught.value)


def test_buildkit_runner_timeout_interrupts_the_cli(sample_context: Path, tmp_path: Path):
    transcript = tmp_path / "slow.txt"
    transcript.write_text(
        "#4 [1/2] FROM docker.io/library/python:3.11-slim\n#4 DONE 0.0s\n"
        "#5 [2/2] RUN sleep 300\nSLEEP\n"
    )
    client = fake_cli(tmp_path, "buildkit_plain_hand.txt")
    script = tmp_path / "fake_docker.py"
    script.write_text(
        script.read_text().replace(str(STREAMS / "buildkit_plain_hand.txt"), str(transcript))
    )
    started = time.monotonic()
    with pytest.raises(BuildTimeout) as caught:
        build_buildkit(sample_context, BuildOptions(timeout=1), client=client)
    assert time.monotonic() - started < 10
    assert caught.value.step is not None and caught.value.step.instruction == "RUN sleep 300"


def test_command_line_build_prints_json_and_exit_codes(sample_context: Path, monkeypatch, capsys):
    from checker.cli import main

    monkeypatch.setattr(
        "checker.build.classic.api_client",
        lambda *a, **k: ReplayAPI(recorded("classic_pre25_hand.jsonl")),
    )
    assert main(["build", str(sample_context), "--json"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert json.loads(lines[0])["event"] == "StepStarted"
    assert json.loads(lines[-1])["succeeded"] is True

    monkeypatch.setattr(
        "checker.build.classic.api_client",
        lambda *a, **k: ReplayAPI(recorded("classic_failed_hand.jsonl")),
    )
    assert main(["build", str(sample_context)]) == 1
    assert "step 2 `RUN echo about to fail && exit 3` failed" in capsys.readouterr().err
    assert main(["build", str(sample_context / "missing")]) == 2
