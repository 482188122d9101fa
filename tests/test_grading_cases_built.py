"""The hard grading cases, proved on the engine: their expected verdict is what BuildKit does.

For each fixture below, :func:`checker.verify.proof.verify` builds it twice with BuildKit on a
temporary copy of its context (``grading_cases/contexts/<stem>/``), appending a fresh line to
one application source file in between, and removes the images it built. The second build's
step records then say whether the dependency install step ran again: it must have come from
the cache where the fixture expects ``kept``, and must have run where it expects a reinstall.
So a fixture's header cannot drift from the engine, whatever the checker predicts (the cache
model's own agreement is ``verify``'s business, and some of these are known checker bugs).

The fixtures build ``FROM python:3.11-slim`` and install only packages of the workshop's
wheelhouse (idna, tabulate, setuptools, uv; build and poetry where a fixture's pattern needs
them), so each proof takes seconds. A poetry lock names no package: Poetry would fetch it
from PyPI, and builds reach only the local index.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from test_grading_cases import CASES, context_of, expectation

from checker.verify.compare import ENGINE_CACHED, ENGINE_RAN, StepCheck
from checker.verify.proof import verify


@dataclass(frozen=True)
class Proof:
    """What to change, which step is the dependency install, and what else must stay cached.

    ``install`` and each of ``cached`` is a piece of one instruction's text, unique in the file.
    """

    changed: str
    install: str
    cached: tuple[str, ...] = ()
    # Pattern 1: a project install that reruns after the source. Kept: its output shows it
    # installed only the project (``dependency`` already there); reinstalled: it installed
    # ``dependency`` again.
    rerun: str | None = None
    dependency: str = "idna"


PROOFS = {
    # 1. The environment is installed in one stage and copied into another.
    "multistage_venv_then_pip_install_editable": Proof(
        "app/main.py", "pip install --no-cache-dir -r /tmp/requirements.txt", ("--from=builder",)
    ),
    "multistage_opt_venv_then_pip_install_dot": Proof(
        "app/main.py", "-r /deps/requirements.txt", ("--from=deps",)
    ),
    "multistage_venv_on_path_then_pip_install_dot": Proof(
        "app/main.py", "/venv/bin/pip install", ("--from=deps",), rerun="RUN pip install"
    ),
    "multistage_stamp_file_only_then_pip_install_dot": Proof(
        "app/main.py", "RUN pip install --no-cache-dir .", rerun="RUN pip install --no-cache-dir ."
    ),
    "multistage_venv_reinstalls_dev_requirements": Proof(
        "app/main.py", "-r requirements-dev.txt", ("-r /tmp/requirements.txt",)
    ),
    # 2. COPY --from and bind mounts from a stage are keyed on what they copy or mount.
    "multistage_builder_installs_project_then_copies_venv": Proof(
        "app/main.py", "-r /tmp/requirements.txt"
    ),
    "wheels_stage_copies_source_after_wheels": Proof(
        "app.py", "pip install --no-cache-dir --no-index", ("pip wheel", "--from=wheels")
    ),
    "requirements_copied_from_source_stage": Proof(
        "app.py", "pip install", ("/src/requirements.txt",)
    ),
    "bind_requirements_from_source_stage": Proof("app.py", "pip install"),
    "bind_source_dir_from_stage": Proof("app.py", "pip install"),
    "bind_wheels_from_stage_that_copied_source": Proof(
        "app.py", "pip install --no-cache-dir --no-index", ("pip wheel",)
    ),
    # 3. Build inputs copied by name are not application source.
    "entrypoint_script_copied_before_install": Proof("app.py", "pip install"),
    "rootfs_overlay_before_install": Proof("app/main.py", "pip install"),
    "script_copied_by_name_and_run_next_before_install": Proof(
        "app/main.py", "pip install", ("python gen_version.py",)
    ),
    "config_and_wheels_copied_before_install_info": Proof("app.py", "pip install"),
    "empty_wheels_folder_copied_before_install": Proof("app.py", "pip install", ("wheels/",)),
    # 4. Installs that read only manifests (and a stub of the package) stay cached.
    "setup_py_and_init_then_editable_dev": Proof("mypkg/core.py", "pip install"),
    "setup_py_with_package_dir_before_install": Proof("mypkg/core.py", "pip install"),
    # 5. --no-deps -r FILE installs what FILE lists.
    "no_deps_requirements_before_source": Proof("app/main.py", "--no-deps -r requirements.txt"),
    "no_deps_requirements_after_copy_all": Proof("app.py", "--no-deps -r requirements.txt"),
    # 6. Wrappers and installs hidden in scripts.
    "wrapper_nice_after_copy_all": Proof("app.py", "nice -n 10"),
    "wrapper_sh_c_after_copy_all": Proof("app.py", 'sh -c "pip install'),
    "wrapper_activate_venv_before_source": Proof("app.py", ". .venv/bin/activate"),
    "wrapper_activate_venv_after_copy_all": Proof("app.py", ". .venv/bin/activate"),
    "hidden_install_script_before_source": Proof("app.py", "sh install.sh"),
    "hidden_install_script_after_copy_all": Proof("app.py", "./docker/install.sh"),
    "hidden_install_python_tool_before_source": Proof("app.py", "python tools/pip_install.py"),
    # 7. uv with a bind-mounted requirements file.
    "uv_pip_install_bind_requirements": Proof("app.py", "uv pip install"),
    # 8. Wheels and source handed between stages: a copied folder is keyed on its content.
    "wheels_builder_project_wheel_kept_apart": Proof(
        "myapp/main.py",
        "--no-index /app/wheels/*.whl",
        ("--from=builder /app/wheels",),
        rerun="--no-deps /app/dist/*.whl",
    ),
    "wheels_builder_also_builds_project_wheel": Proof(
        "myapp/main.py", "--no-index /app/wheels/*.whl", rerun="--no-index /app/wheels/*.whl"
    ),
    "build_stage_wheel_installed_in_final": Proof(
        "mytool/cli.py",
        "pip install --no-cache-dir /tmp/",
        ("pip install --no-cache-dir build",),
        rerun="pip install --no-cache-dir /tmp/",
    ),
    "prod_copies_src_from_dev_before_poetry_install": Proof("src/main.py", "--no-root --only main"),
    # 9. Exports, workspaces and requirement files in other shapes.
    "uv_export_stage_then_pip_no_deps": Proof(
        "canal/__main__.py", "--no-deps -r requirements.txt", ("uv export", "--from=build")
    ),
    "requirements_with_editable_dot_after_copy_all": Proof(
        "pkg/app.py", "-r requirements.txt", rerun="-r requirements.txt"
    ),
    "tool_upgrade_after_copy_all_deps_before": Proof("app.py", "-r requirements.txt"),
}


def _one(steps: list[StepCheck], piece: str, stem: str) -> StepCheck:
    found = [step for step in steps if piece in step.instruction]
    assert len(found) == 1, f"{stem}: {len(found)} steps contain {piece!r}"
    return found[0]


def test_every_proof_names_a_fixture_with_a_context() -> None:
    for stem, proof in PROOFS.items():
        context = context_of(CASES / f"{stem}.Dockerfile")
        assert context is not None, f"{stem}: no context folder"
        assert (context / proof.changed).is_file(), f"{stem}: no {proof.changed} in its context"


@pytest.mark.docker
@pytest.mark.parametrize("stem", sorted(PROOFS))
def test_the_expected_verdict_is_what_buildkit_does(stem: str, engine: object) -> None:
    path = CASES / f"{stem}.Dockerfile"
    proof = PROOFS[stem]
    verdict, _ = expectation(path)
    report = verify(path, context_of(path), builder="buildkit", changed=proof.changed)
    assert report.error is None, f"{stem}: {report.error} {report.detail}"
    assert report.cleanup.kept == [], f"{stem}: left behind {report.cleanup.kept}"
    ran = [step for step in report.steps if step.actual == ENGINE_RAN]
    assert ran, f"{stem}: the change to {proof.changed} reran no step at all"
    install = _one(report.steps, proof.install, stem)
    expected = ENGINE_CACHED if verdict == "kept" else ENGINE_RAN
    assert install.actual == expected, (
        f"{stem} expects {verdict}, but after a change to {proof.changed} BuildKit "
        f"{'ran' if install.actual == ENGINE_RAN else 'cached'} the install "
        f"(line {install.line}: {install.instruction})"
    )
    for piece in proof.cached:
        step = _one(report.steps, piece, stem)
        assert step.actual == ENGINE_CACHED, f"{stem}: line {step.line} {step.actual}"
    if proof.rerun is not None:
        rerun = _one(report.steps, proof.rerun, stem)
        assert rerun.actual == ENGINE_RAN, f"{stem}: line {rerun.line} did not rerun"
        installed = _installed(rerun.output)
        assert installed, f"{stem}: line {rerun.line} printed no 'Successfully installed'"
        again = proof.dependency in installed
        assert again is (verdict != "kept"), (
            f"{stem} expects {verdict}, but after a change to {proof.changed} line "
            f"{rerun.line} installed {sorted(installed)}"
        )
    # And the cache model predicted every step as the engine built it.
    assert report.mismatches == [], [
        (step.line, step.instruction, step.predicted, step.actual) for step in report.mismatches
    ]


def _installed(output: tuple[str, ...]) -> set[str]:
    """The distributions pip's "Successfully installed a-1 b-2" line names (lower case)."""
    found: set[str] = set()
    for line in output:
        _, marker, rest = line.partition("Successfully installed ")
        if marker:
            found.update(word.rsplit("-", 1)[0].lower() for word in rest.split())
    return found


# The two fixes that must work, proved: an app file named beside the manifest, and
# `pip install .` after `COPY . .` (dependencies first from pyproject.toml, then the project).
SUGGESTED = {
    "app_file_beside_manifest": (
        "FROM python:3.11-slim\nWORKDIR /app\nCOPY app.py requirements.txt ./\n"
        'RUN pip install --no-cache-dir -r requirements.txt\nCMD ["python", "app.py"]\n',
        {"app.py": "print('hello')\n", "requirements.txt": "idna\n"},
        "app.py",
    ),
    "pip_install_dot_after_copy_all": (
        "FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\nRUN pip install --no-cache-dir .\n",
        {
            "pyproject.toml": (
                '[build-system]\nrequires = ["setuptools"]\n'
                'build-backend = "setuptools.build_meta"\n'
                '[project]\nname = "demo"\nversion = "0.1"\ndependencies = ["idna"]\n'
                '[tool.setuptools]\npackages = ["demo"]\n'
            ),
            "demo/__init__.py": "VALUE = 1\n",
        },
        "demo/__init__.py",
    ),
}


# Fixtures whose suggested Dockerfile must build and keep the install, proved the same way
# (fixture stem -> the application file changed between the two builds).
SUGGESTED_FIXTURES = {
    # the script a moved `RUN sh install.sh` executes is copied by name with the manifest
    "sh_install_script_at_root_after_copy_all": "app.py",
    "hidden_install_script_after_copy_all": "app.py",
    # `pip install -r ... && python -c "import greeter"`: the import check stays below
    "install_then_import_check_after_copy_all": "greeter.py",
    # `--no-deps -r requirements.txt -e .`: the requirements move, `-e .` stays
    "no_deps_requirements_with_editable_project_after_copy_all": "shop/__main__.py",
    # `pip install -r requirements.txt .`: the project after the copy with --no-deps
    "pip_install_requirements_and_project_after_copy_all": "shop/__main__.py",
    # `RUN python -m app.version` stays below the COPY of the package it runs
    "app_script_run_before_install": "app/main.py",
    # a bind of a stage's whole /src narrowed to /src/requirements.txt
    "bind_source_dir_from_stage": "app.py",
}


def test_every_suggested_fixture_has_a_context_and_a_suggestion() -> None:
    from checker.grading.grade import grade

    for stem, changed in SUGGESTED_FIXTURES.items():
        context = context_of(CASES / f"{stem}.Dockerfile")
        assert context is not None and (context / changed).is_file(), stem
        report = grade(CASES / f"{stem}.Dockerfile", context=context)
        assert report.suggested_dockerfile is not None, stem


@pytest.mark.docker
@pytest.mark.parametrize("stem", sorted(SUGGESTED_FIXTURES))
def test_the_suggested_fix_of_a_fixture_builds_and_keeps_the_install(
    stem: str, engine: object, tmp_path
) -> None:
    import shutil

    from checker.grading.grade import grade

    context = tmp_path / "context"
    shutil.copytree(context_of(CASES / f"{stem}.Dockerfile"), context)
    report = grade(CASES / f"{stem}.Dockerfile", context=context)
    assert report.suggested_dockerfile is not None, stem
    (context / "Dockerfile").write_text(report.suggested_dockerfile)
    changed = SUGGESTED_FIXTURES[stem]
    proof = verify(context / "Dockerfile", context, builder="buildkit", changed=changed)
    assert proof.error is None, (
        f"{stem}: {proof.error} {proof.detail}\n{report.suggested_dockerfile}"
    )
    assert proof.cleanup.kept == [], f"{stem}: left behind {proof.cleanup.kept}"
    installs = [
        step for step in proof.steps if "install" in step.instruction and "RUN" in step.instruction
    ]
    assert installs, (stem, report.suggested_dockerfile)
    assert installs[0].actual == ENGINE_CACHED, (stem, installs[0], report.suggested_dockerfile)
    assert any(step.actual == ENGINE_RAN for step in proof.steps), f"{stem}: nothing reran"


@pytest.mark.docker
@pytest.mark.parametrize("name", sorted(SUGGESTED))
def test_the_suggested_dockerfile_builds_and_keeps_the_install(
    name: str, engine: object, tmp_path
) -> None:
    from checker.grading.grade import grade

    text, files, changed = SUGGESTED[name]
    for relative, content in files.items():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text(content)
    report = grade(text, context=tmp_path)
    assert report.dependency_cache == "reinstalled" and report.suggested_dockerfile
    assert grade(report.suggested_dockerfile, context=tmp_path).dependency_cache == "kept"
    (tmp_path / "Dockerfile").write_text(report.suggested_dockerfile)
    proof = verify(tmp_path / "Dockerfile", tmp_path, builder="buildkit", changed=changed)
    assert proof.error is None, f"{name}: {proof.error} {proof.detail}"
    installs = [
        step for step in proof.steps if "install" in step.instruction and "RUN" in step.instruction
    ]
    dependency_install = installs[0]
    assert dependency_install.actual == ENGINE_CACHED, (name, report.suggested_dockerfile)
    assert proof.cleanup.kept == []
