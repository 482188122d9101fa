"""``verify``: two real builds against the cache model's prediction.

Engine tests (marked ``docker``) build on the real engine with the stand-in base image; they
skip where no engine answers and fail under CHECKER_REQUIRE_DOCKER=1. Unit tests use fake
build results only for what a correct engine and model cannot produce: a disagreement.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from pathlib import Path

import pytest

from checker.build import BuildError, BuildResult, BuildTimeout, StepRecord
from checker.cache import ContextFiles, predict
from checker.cli import main
from checker.dockerfile import parse
from checker.verify.compare import AlignmentError, align
from checker.verify.proof import (
    VerifyReport,
    _classify,
    _Setup,
    append_change,
    choose_changed_file,
    verify,
)
from checker.verify.sandbox import Limits, base_images, choose_network

BASE = "python:3.11-slim"
GOOD = (
    f"FROM {BASE}\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n"
    'COPY . .\nCMD ["python", "app.py"]\n'
)
BAD = (
    f"FROM {BASE}\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n"
    'CMD ["python", "app.py"]\n'
)


def make_context(root: Path, dockerfile: str, requirements: str = "idna\n") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "Dockerfile").write_text(dockerfile)
    (root / "requirements.txt").write_text(requirements)
    (root / "app.py").write_text("print('hello')\n")
    return root


def digest(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


# --------------------------------------------------------------------------------------
# Unit tests: choosing the change, the sandbox, the pairing, the verdicts


def test_the_changed_file_is_the_first_copied_python_file_that_is_not_a_manifest(
    tmp_path: Path,
) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "conf.py").write_text("x = 1\n")  # not copied
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text("print(1)\n")
    (tmp_path / "setup.py").write_text("from setuptools import setup\n")  # a manifest
    dockerfile = parse(f"FROM {BASE}\nCOPY setup.py .\nCOPY src/ src/\n")
    context = ContextFiles.from_dir(tmp_path)
    assert choose_changed_file(dockerfile, context, "classic") == "src/app.py"
    everything = parse(f"FROM {BASE}\nCOPY . .\n")
    assert choose_changed_file(everything, context, "classic") == "docs/conf.py"


def test_no_file_to_change_gives_none(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("idna\n")
    dockerfile = parse(f"FROM {BASE}\nCOPY requirements.txt .\n")
    assert choose_changed_file(dockerfile, ContextFiles.from_dir(tmp_path), "classic") is None


def test_each_change_is_a_fresh_comment_line(tmp_path: Path) -> None:
    script = tmp_path / "app.py"
    script.write_text("print(1)")  # no trailing newline
    first = append_change(script)
    second = append_change(script)
    assert first != second and first.startswith("# ")
    assert script.read_text().splitlines() == ["print(1)", first, "", second]
    compile(script.read_text(), "app.py", "exec")  # still valid Python
    code = tmp_path / "main.js"
    code.write_text("x()\n")
    assert append_change(code).startswith("// ")


def test_a_symbolic_link_is_never_the_file_changed(tmp_path: Path) -> None:
    outside = tmp_path / "users_own.py"
    outside.write_text("print('mine')\n")
    context = tmp_path / "ctx"
    context.mkdir()
    (context / "Dockerfile").write_text(f"FROM {BASE}\nCOPY . .\n")
    (context / "app.py").symlink_to(outside)  # absolute: a copy would still point at it
    report = verify(context / "Dockerfile", context)
    assert report.error_kind == "input" and "no application file" in report.error
    report = verify(context / "Dockerfile", context, changed="app.py")
    assert report.error_kind == "input" and report.exit_code == 2
    assert outside.read_text() == "print('mine')\n"


def test_network_is_the_least_that_reaches_the_index() -> None:
    no_run = parse(f"FROM {BASE}\nCOPY . .\n")
    installs = parse(f"FROM {BASE}\nRUN pip install idna\n")
    assert choose_network(no_run, ["http://127.0.0.1:8741/simple/"])[0] == "none"
    assert choose_network(installs, ["http://127.0.0.1:8741/simple/"])[0] == "host"
    assert choose_network(installs, ["http://localhost/simple"])[0] == "host"
    assert choose_network(installs, ["http://172.17.0.1:8741/simple/"])[0] is None
    assert choose_network(installs, [])[0] is None  # PyPI: the default bridge
    assert choose_network(installs, ["http://127.0.0.1.example.com/simple"])[0] is None


def test_base_images_expand_global_args_and_skip_stages() -> None:
    dockerfile = parse(
        "ARG PY=3.11\nFROM python:${PY}-slim AS deps\nRUN true\nFROM deps\n"
        "FROM scratch\nFROM $UNKNOWN\n"
    )
    assert base_images(dockerfile) == ["python:3.11-slim"]


def test_limits_describe_what_each_builder_can_enforce() -> None:
    limits = Limits(timeout=30, memory=512 * 1024**2, cpus=1)
    assert limits.cpuset() == "0"
    assert "memory 512 MiB" in limits.describe("classic")
    assert "no memory or CPU limit" in limits.describe("buildkit")


@pytest.mark.parametrize(
    ("docker_host", "local"),
    [
        (None, True),  # the default socket
        ("", True),
        ("unix:///var/run/docker.sock", True),
        ("tcp://build2.example.org:2376", False),
        ("tcp://127.0.0.1:2375", False),  # may be a tunnel: not known to be this machine
        ("ssh://grader@build1.example.org", False),
        ("npipe:////./pipe/docker_engine", False),
    ],
)
def test_a_buildkit_cgroup_is_made_only_for_an_engine_on_this_machine(
    docker_host: str | None, local: bool
) -> None:
    from checker.verify.sandbox import local_engine

    assert local_engine(docker_host) is local


def test_a_remote_buildkit_engine_gets_no_cgroup_and_the_report_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No engine needed: the build is stopped as it starts; what matters is what was set up."""
    import checker.verify.proof as verify_module
    from checker.verify.sandbox import BuildkitCgroup

    class FakeApi:
        def ping(self) -> bool:
            return True

        def inspect_image(self, name: str) -> dict:
            return {"Id": "sha256:" + "0" * 64, "Config": {"Env": []}}

        def images(self, all: bool = False) -> list:
            return []

        def close(self) -> None:
            pass

    seen: list[dict] = []

    def stop_at_the_build(number: int, result: VerifyReport, setup: _Setup) -> BuildResult:
        seen.append(dict(setup.options))
        raise RuntimeError("stopped before building")

    def no_cgroup_here(self: BuildkitCgroup) -> BuildkitCgroup:
        raise AssertionError("a local cgroup was made for a remote engine")

    monkeypatch.setenv("DOCKER_HOST", "ssh://grader@build1.example.org")
    monkeypatch.setattr(verify_module, "api_client", lambda **kwargs: FakeApi())
    monkeypatch.setattr(verify_module, "_build", stop_at_the_build)
    monkeypatch.setattr(BuildkitCgroup, "__enter__", no_cgroup_here)
    result = VerifyReport("Dockerfile", str(tmp_path), "buildkit")
    with pytest.raises(RuntimeError, match="stopped before building"):
        subject = verify_module._Subject(
            result, parse(GOOD), tmp_path, "Dockerfile", "app.py", ContextFiles()
        )
        verify_module._run(subject, Limits(), lambda line: None)
    assert "cgroup_parent" not in seen[0]
    assert result.limits.endswith(
        "no memory or CPU limit: the engine is remote (set them on the remote builder)"
    )
    assert "--cgroup-parent" not in result.limits


def record(number: int, instruction: str, outcome: str, stage: str | None = None) -> StepRecord:
    return StepRecord(
        key=f"{stage}-{number}",
        number=number,
        instruction=instruction,
        stage=stage,
        cached=outcome == "cached",
        done=outcome in ("cached", "ran", "base"),
    )


def fake_classic_result(install_outcome: str) -> BuildResult:
    """What a classic rebuild of GOOD after an app.py change reports (install as given)."""
    steps = [
        record(1, f"FROM {BASE}", "base"),
        record(2, "WORKDIR /app", "cached"),
        record(3, "COPY requirements.txt .", "cached"),
        record(4, "RUN pip install -r requirements.txt", install_outcome),
        record(5, "COPY . .", "ran"),
        record(6, 'CMD ["python", "app.py"]', "ran"),
        record(7, "LABEL org.layer-cache-workshop.project=docker-layer-cache-workshop", "ran"),
    ]
    return BuildResult("classic", steps, "sha256:" + "0" * 64, 1.0)


def test_a_disagreement_is_reported_as_a_checker_bug() -> None:
    dockerfile = parse(GOOD)
    prediction = predict(dockerfile, ["app.py"])
    report = VerifyReport("Dockerfile", ".", "classic", changed="app.py")
    report.steps = align(dockerfile, prediction, fake_classic_result("ran"))
    assert [step.number for step in report.mismatches] == [4]
    assert report.status == "mismatch" and report.exit_code == 1
    assert report.summary().startswith("checker bug:")
    assert "RUN pip install" in report.summary() and "the engine ran it" in report.summary()
    assert "please report" in str(report)
    assert "MISMATCH" in str(report) and "#fdecea" in report._repr_html_()
    data = json.loads(report.to_json())
    assert data["status"] == "mismatch" and data["mismatches"] == [4]


def test_agreement_compares_every_step_that_made_a_layer() -> None:
    dockerfile = parse(GOOD)
    report = VerifyReport("Dockerfile", ".", "classic", changed="app.py")
    report.steps = align(dockerfile, predict(dockerfile, ["app.py"]), fake_classic_result("cached"))
    assert report.exit_code == 0 and not report.mismatches
    assert [step.agrees for step in report.steps] == [None, True, True, True, True, True]
    assert "please report" not in str(report)


def test_buildkit_steps_are_paired_per_stage_and_metadata_steps_are_not_compared() -> None:
    dockerfile = parse(
        f"ARG V=1\nFROM {BASE} AS deps\nENV A=1\nWORKDIR /app\nCOPY requirements.txt .\n"
        'RUN pip install -r requirements.txt\nFROM deps\nCOPY . .\nCMD ["python", "app.py"]\n'
    )
    result = BuildResult(
        "buildkit",
        [
            record(1, f"FROM docker.io/library/{BASE}", "base", "deps"),
            record(2, "WORKDIR /app", "cached", "deps"),
            record(3, "COPY requirements.txt .", "cached", "deps"),
            record(4, "RUN pip install -r requirements.txt", "cached", "deps"),
            record(1, "COPY . .", "ran", "stage-1"),
        ],
        "sha256:" + "1" * 64,
        1.0,
    )
    checks = align(dockerfile, predict(dockerfile, ["app.py"], builder="buildkit"), result)
    actual = {check.instruction: check.actual for check in checks}
    assert actual["ARG V=1"] is None and actual["ENV A=1"] is None and actual["FROM deps"] is None
    assert actual["RUN pip install -r requirements.txt"] == "cached"
    assert actual["COPY . ."] == "ran"
    assert not [check for check in checks if check.mismatch]


def test_buildkit_steps_shared_with_another_build_keep_their_text() -> None:
    """BuildKit shows a step shared with a concurrent build under that build's name (seen on
    this engine: a one-stage build reported ``[builder 1/5] FROM ...``)."""
    dockerfile = parse(GOOD)
    result = BuildResult(
        "buildkit",
        [
            record(1, f"FROM docker.io/library/{BASE}", "base", "builder"),
            record(2, "WORKDIR /app", "cached", "builder"),
            record(3, "COPY requirements.txt .", "cached"),
            record(2, "RUN pip install -r requirements.txt", "cached", "deps"),
            record(5, "COPY . .", "ran"),
        ],
        "sha256:" + "2" * 64,
        1.0,
    )
    checks = align(dockerfile, predict(dockerfile, ["app.py"], builder="buildkit"), result)
    actual = {check.instruction: check.actual for check in checks}
    assert actual["WORKDIR /app"] == "cached"
    assert actual["RUN pip install -r requirements.txt"] == "cached"
    assert actual["COPY . ."] == "ran"
    assert not [check for check in checks if check.mismatch]


def test_steps_that_pair_with_nothing_are_an_alignment_error() -> None:
    dockerfile = parse(f"FROM {BASE}\nCOPY . .\n")
    result = BuildResult(
        "classic", [record(1, f"FROM {BASE}", "base"), record(2, "RUN x", "ran")], None, 1.0
    )
    with pytest.raises(AlignmentError, match="RUN x"):
        align(dockerfile, predict(dockerfile, ["app.py"]), result)


def _setup(missing: list[str] | None = None) -> _Setup:
    return _Setup(
        Path("."),
        "Dockerfile",
        {},
        None,  # type: ignore[arg-type]
        missing or [],
        Limits(timeout=5, memory=256 * 1024**2),
        "the package index http://172.17.0.1:8741/simple/",
        lambda message: None,
    )


def test_failures_name_what_is_missing() -> None:
    install = record(3, "RUN pip install -r requirements.txt", "ran")
    install.done, install.failed = False, True
    install.output = ["ERROR: No matching distribution found for nosuch-pkg==1.0"]
    result = BuildResult("classic", [install], None, 1.0, error="returned a non-zero code: 1")
    problem = _classify(
        BuildError("returned a non-zero code: 1", result, install), 1, _setup(), "classic"
    )
    assert problem.kind == "missing-package" and "nosuch-pkg==1.0" in problem.message
    assert "\n" not in problem.message

    install.output = ["Killed"]
    killed = BuildError("The command '/bin/sh -c x' returned a non-zero code: 137", result, install)
    problem = _classify(killed, 2, _setup(), "classic")
    assert problem.kind == "build-failed" and "256 MiB memory limit" in problem.message

    timeout = BuildTimeout("stopped after the 5 s limit", result, install)
    problem = _classify(timeout, 2, _setup(), "classic")
    assert problem.kind == "timeout" and "second build" in problem.message


# --------------------------------------------------------------------------------------
# The command line without builds


def test_cli_input_errors_are_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["verify", str(tmp_path / "nope" / "Dockerfile")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert (
        err[-1].startswith("checker: verify: could not verify:") and "no such Dockerfile" in err[-1]
    )
    context = make_context(tmp_path / "ctx", GOOD)
    outside = tmp_path / "elsewhere.py"
    outside.write_text("x = 1\n")
    code = main(["verify", str(context / "Dockerfile"), "--changed", str(outside)])
    assert code == 2
    assert "not inside the context" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        main(["verify", str(context / "Dockerfile"), "--builder", "podman"])
    assert exit_info.value.code == 2
    assert main(["verify", str(context / "Dockerfile"), "--timeout", "0"]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_cli_reports_a_disagreement_with_exit_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    dockerfile = parse(GOOD)
    report = VerifyReport("Dockerfile", ".", "classic", changed="app.py")
    report.steps = align(dockerfile, predict(dockerfile, ["app.py"]), fake_classic_result("ran"))
    monkeypatch.setattr("checker.cli.verify.verify", lambda *args, **kwargs: report)
    assert main(["verify", "Dockerfile", "--format", "json"]) == 1
    captured = capsys.readouterr()
    assert json.loads(captured.out)["status"] == "mismatch"
    err = captured.err.strip().splitlines()
    assert err[0].startswith("checker: verify: checker bug:")
    assert "please report" in err[1]


# --------------------------------------------------------------------------------------
# Engine tests


@pytest.mark.docker
@pytest.mark.parametrize("builder", ["classic", "buildkit"])
def test_good_order_keeps_the_install_as_predicted(
    builder: str, tmp_path: Path, engine: object
) -> None:
    context = make_context(tmp_path / "good", GOOD)
    before = digest(context)
    report = verify(context / "Dockerfile", context, builder=builder, timeout=300)
    assert report.error is None, report.error
    assert report.exit_code == 0 and report.status == "agreed"
    install = next(step for step in report.steps if step.instruction.startswith("RUN pip"))
    assert (install.predicted, install.actual, install.agrees) == ("cached", "cached", True)
    copy_all = next(step for step in report.steps if step.instruction == "COPY . .")
    assert (copy_all.predicted, copy_all.actual) == ("rebuilt", "ran")
    assert report.changed == "app.py"
    assert digest(context) == before  # the change was made to a copy
    assert len(report.builds) == 2 and report.cleanup.images


@pytest.mark.docker
def test_bad_order_reinstalls_as_predicted(tmp_path: Path, engine: object) -> None:
    context = make_context(tmp_path / "bad", BAD)
    report = verify(context / "Dockerfile", context, timeout=300)
    assert report.exit_code == 0, report.summary()
    install = next(step for step in report.steps if step.instruction.startswith("RUN pip"))
    assert (install.predicted, install.actual, install.agrees) == ("rebuilt", "ran", True)


def _leftovers_mentioning(api, token: str) -> list[str]:  # type: ignore[no-untyped-def]
    """Containers and images (intermediate ones too) whose command mentions ``token``."""
    from docker.errors import NotFound

    found = [
        container["Id"]
        for container in api.containers(all=True)
        if token in (container.get("Command") or "")
    ]
    for image in api.images(all=True):
        try:
            details = api.inspect_image(image["Id"])
        except NotFound:
            continue
        commands = [details.get("ContainerConfig") or {}, details.get("Config") or {}]
        if any(token in " ".join(part.get("Cmd") or []) for part in commands):
            found.append(image["Id"])
    return found


@pytest.mark.docker
def test_a_failing_run_leaves_no_container_or_image(tmp_path: Path, engine) -> None:  # type: ignore[no-untyped-def]
    token = uuid.uuid4().hex
    dockerfile = (
        f"FROM {BASE}\nWORKDIR /app\nCOPY app.py .\nRUN echo {token} > /marker\n"
        f"RUN echo {token} && false\n"
    )
    context = make_context(tmp_path / "failing", dockerfile)
    report = verify(context / "Dockerfile", context, timeout=300)
    assert report.exit_code == 2 and report.error_kind == "build-failed"
    assert "does not build" in report.error and f"echo {token} && false" in report.error
    assert report.cleanup.images  # the steps before the failure made images; they went
    assert _leftovers_mentioning(engine, token) == []


@pytest.mark.docker
def test_the_time_limit_stops_the_build_and_cleans_up(tmp_path: Path, engine) -> None:  # type: ignore[no-untyped-def]
    token = uuid.uuid4().hex
    dockerfile = f"FROM {BASE}\nCOPY app.py .\nRUN echo {token} && sleep 120\n"
    context = make_context(tmp_path / "slow", dockerfile)
    report = verify(context / "Dockerfile", context, timeout=4)
    assert report.exit_code == 2 and report.error_kind == "timeout", report.error
    assert "4 s time limit" in report.error
    assert _leftovers_mentioning(engine, token) == []


@pytest.mark.docker
@pytest.mark.parametrize("builder", ["classic", "buildkit"])
def test_a_missing_base_image_is_named(builder: str, tmp_path: Path, engine: object) -> None:
    image = f"checker-verify-missing/nosuch:{uuid.uuid4().hex[:12]}"
    context = make_context(tmp_path / "missing", f"FROM {image}\nCOPY . .\n")
    report = verify(context / "Dockerfile", context, builder=builder, timeout=120)
    assert report.exit_code == 2 and report.error_kind == "missing-base-image", report.error
    assert image in report.error and "\n" not in report.error


@pytest.mark.docker
def test_a_missing_package_is_named(tmp_path: Path, engine: object) -> None:
    context = make_context(
        tmp_path / "nopkg", GOOD, requirements="checker-no-such-package==0.0.1\n"
    )
    report = verify(context / "Dockerfile", context, timeout=300)
    assert report.exit_code == 2 and report.error_kind == "missing-package", report.error
    assert "checker-no-such-package==0.0.1" in report.error


@pytest.mark.docker
def test_cli_json_shape_and_exit_codes(
    tmp_path: Path, engine: object, capsys: pytest.CaptureFixture[str]
) -> None:
    context = make_context(tmp_path / "cli", GOOD)
    code = main(["verify", str(context / "Dockerfile"), "--format", "json", "--timeout", "300"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    data = json.loads(captured.out)
    assert set(data) >= {"status", "exit_code", "changed", "steps", "builds", "sandbox", "cleanup"}
    assert data["status"] == "agreed" and data["exit_code"] == 0 and data["error"] is None
    assert data["changed"] == "app.py" and len(data["builds"]) == 2
    assert all(
        set(step)
        == {"number", "line", "instruction", "stage", "predicted", "reason", "actual", "agrees"}
        for step in data["steps"]
    )
    assert "build 1/2" in captured.err and "build 2/2" in captured.err  # progress on stderr

    (context / "lib.py").write_text("x = 1\n")
    code = main(["verify", str(context / "Dockerfile"), "--changed", "lib.py", "--timeout", "300"])
    captured = capsys.readouterr()
    assert code == 0 and "changed lib.py" in captured.out

    broken = make_context(tmp_path / "broken", f"FROM {BASE}\nCOPY . .\nRUN false\n")
    assert main(["verify", str(broken / "Dockerfile")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("checker: verify: could not verify: the Dockerfile does not build")
    assert "Traceback" not in "\n".join(err)


@pytest.mark.docker
def test_images_verify_did_not_create_are_kept(tmp_path: Path, engine) -> None:  # type: ignore[no-untyped-def]
    from checker.build import build, remove_image

    context = make_context(tmp_path / "theirs", GOOD)
    theirs = build(context, live=False, table=False)  # someone else's image, same Dockerfile
    try:
        # On the learner's engine (a contained proof builds on an engine of its own, which
        # cannot touch their image at all).
        report = verify(context / "Dockerfile", context, timeout=300, contain=False)
        assert report.exit_code == 0, report.summary()
        assert report.builds[0]["image_id"] == theirs.image_id  # the first build reused it
        assert theirs.image_id not in report.cleanup.images
        assert report.cleanup.images  # the second build's image was verify's own, and went
        engine.inspect_image(theirs.image_id)  # raises NotFound if verify removed it
        engine.inspect_image(BASE)
    finally:
        remove_image(theirs.image_id, client=engine)


@pytest.mark.docker
def test_the_memory_limit_applies_to_buildkit_run_steps_too(tmp_path: Path, engine: object) -> None:
    """Issue 13: with BuildKit a RUN allocating past the limit used to succeed ("BuildKit
    takes none per build"); a cgroup of ours as --cgroup-parent now stops it."""
    from checker.verify.sandbox import CGROUP_ROOT, BuildkitCgroup

    with BuildkitCgroup(64 * 1024**2, 1) as probe:
        if probe.path is None:
            pytest.skip("no cgroup can be made on this machine (not root, or systemd slices)")
    dockerfile = f'FROM {BASE}\nCOPY app.py .\nRUN python -c "b = bytearray(400 * 1024**2)"\n'
    context = make_context(tmp_path / "hungry", dockerfile)
    limits = Limits(timeout=120, memory=64 * 1024**2, cpus=1)
    report = verify(context / "Dockerfile", context, builder="buildkit", limits=limits)
    assert report.exit_code == 2 and report.error_kind == "build-failed", report.error
    assert "64 MiB memory limit" in report.error
    assert "through --cgroup-parent" in report.limits
    assert not list(CGROUP_ROOT.glob("*/checker-verify-*"))  # nothing left behind
    assert not list(CGROUP_ROOT.glob("checker-verify-*"))


@pytest.mark.docker
def test_the_memory_limit_applies_to_run_steps(tmp_path: Path, engine: object) -> None:
    dockerfile = f'FROM {BASE}\nCOPY app.py .\nRUN python -c "b = bytearray(400 * 1024**2)"\n'
    context = make_context(tmp_path / "hungry", dockerfile)
    limits = Limits(timeout=120, memory=64 * 1024**2, cpus=1)
    report = verify(context / "Dockerfile", context, limits=limits)
    assert report.exit_code == 2 and report.error_kind == "build-failed", report.error
    assert "64 MiB memory limit" in report.error
