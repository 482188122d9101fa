"""Dependency installs recognised in RUN instructions: what they read, install and cache."""

from __future__ import annotations

import random
import shlex
from pathlib import Path

import pytest

from checker.dockerfile import DockerfileSyntaxError, Instruction, parse, parse_file
from checker.shell import (
    DependencyInstall,
    bind_sources,
    cache_mounts,
    find_installs,
    parse_mount,
    run_commands,
    stage_environment,
)


def run(text: str) -> Instruction:
    """The last instruction of a one-stage Dockerfile whose body is ``text``."""
    return parse("FROM python:3.12-slim\n" + text).instructions[-1]


def installs(text: str, env: dict[str, str] | None = None) -> list[DependencyInstall]:
    return find_installs(run(text), env)


def only(text: str, env: dict[str, str] | None = None) -> DependencyInstall:
    found = installs(text, env)
    assert len(found) == 1, found
    return found[0]


# --------------------------------------------------------------------------------------
# pip


def test_requirements_then_project_are_two_installs_reading_different_files() -> None:
    first, second = installs("RUN pip install -r requirements.txt && pip install .\n")
    assert (first.tool, first.reads, first.installs_project) == (
        "pip",
        ("requirements.txt",),
        False,
    )
    assert first.requirement_files == ("requirements.txt",)
    assert (second.reads, second.installs_project, second.editable) == ((".",), True, False)
    assert (first.command_index, second.command_index) == (0, 1)
    assert first.line == second.line == 2


def test_python_m_pip_with_no_cache_dir_and_several_requirement_files() -> None:
    record = only("RUN python -m pip install --no-cache-dir -r req/base.txt -r req/prod.txt\n")
    assert record.tool == "pip"
    assert record.reads == ("req/base.txt", "req/prod.txt")
    assert record.keeps_download_cache is False
    assert "--no-cache-dir" in record.options


@pytest.mark.parametrize(
    "command",
    [
        "pip install -r requirements.txt",
        "pip3 install -r requirements.txt",
        "pip3.12 install --requirement requirements.txt",
        "pip install --requirement=requirements.txt",
        "pip install -rrequirements.txt",
        "python3 -m pip install -r requirements.txt",
        "python3.12 -I -m pip install -r requirements.txt",
        "/opt/venv/bin/pip install -r requirements.txt",
        "/opt/venv/bin/python -m pip install -qr requirements.txt",
    ],
)
def test_every_spelling_of_pip_install_r_reads_the_requirements_file(command: str) -> None:
    record = only(f"RUN {command}\n")
    assert record.tool == "pip" and record.reads == ("requirements.txt",)
    assert record.keeps_download_cache is True


def test_editable_project_through_sh_c_is_unwrapped() -> None:
    record = only('RUN sh -c "pip install -e ."\n')
    assert (record.installs_project, record.editable, record.reads) == (True, True, (".",))
    assert record.argv == ("pip", "install", "-e", ".")


@pytest.mark.parametrize("spec", ["--editable .", "--editable=.", "-e ./", "-e '.[dev]'"])
def test_editable_spellings(spec: str) -> None:
    record = only(f"RUN pip install {spec}\n")
    assert record.editable and record.installs_project and record.reads == (".",)


def test_named_packages_constraints_and_options() -> None:
    record = only(
        "RUN pip install --no-deps --user --prefix /install -c constraints.txt "
        "'flask>=3' requests[socks] git+https://github.com/a/b.git\n"
    )
    assert record.named_packages == (
        "flask>=3",
        "requests[socks]",
        "git+https://github.com/a/b.git",
    )
    assert record.constraint_files == ("constraints.txt",)
    assert record.reads == ("constraints.txt",)
    assert record.no_deps and not record.installs_project
    assert record.target == "/install"
    assert "--user" in record.options and "--no-deps" in record.options


def test_reads_keep_command_line_order_and_vcs_editable_is_not_the_project() -> None:
    record = only("RUN pip install -c constraints.txt -r requirements.txt\n")
    assert record.reads == ("constraints.txt", "requirements.txt")
    vcs = only("RUN pip install -e git+https://example.com/a/b.git#egg=b\n")
    assert vcs.editable and not vcs.installs_project
    assert vcs.named_packages == ("git+https://example.com/a/b.git#egg=b",)


def test_local_wheel_is_read_but_is_not_the_project() -> None:
    record = only("RUN pip install dist/app-1.0-py3-none-any.whl\n")
    assert record.reads == ("dist/app-1.0-py3-none-any.whl",)
    assert not record.installs_project and record.named_packages == ()


def test_glob_of_wheels_from_a_builder_stage_is_files_not_the_project() -> None:
    record = only("RUN pip install --no-cache-dir /wheels/*\n")
    assert record.reads == ("/wheels/*",) and not record.installs_project
    offline = only("RUN pip install --no-index --find-links=/wheels -r requirements.txt\n")
    assert offline.reads == ("requirements.txt",) and "--no-index" in offline.options


def test_path_to_a_subdirectory_is_a_project_install() -> None:
    record = only("RUN pip install ./libs/core\n")
    assert record.installs_project and record.reads == ("libs/core",)


def test_assignment_prefix_is_not_the_program() -> None:
    record = only("RUN VAR=1 pip install flask\n")
    assert record.argv == ("pip", "install", "flask") and record.named_packages == ("flask",)


def test_pip_no_cache_dir_from_prefix_export_or_image_environment() -> None:
    assert only("RUN PIP_NO_CACHE_DIR=1 pip install a\n").keeps_download_cache is False
    assert only("RUN export PIP_NO_CACHE_DIR=1 && pip install a\n").keeps_download_cache is False
    assert only("RUN pip install a\n", {"PIP_NO_CACHE_DIR": "1"}).keeps_download_cache is False
    # pip disables its cache for any boolean in PIP_NO_CACHE_DIR, "0" and "false" included
    assert only("RUN pip install a\n", {"PIP_NO_CACHE_DIR": "0"}).keeps_download_cache is False
    assert only("RUN pip install a\n", {"PIP_NO_CACHE_DIR": ""}).keeps_download_cache is True


def test_stage_environment_feeds_env_from_the_dockerfile() -> None:
    dockerfile = parse(
        "FROM python:3.12 AS base\nENV PIP_NO_CACHE_DIR=1\n"
        "FROM base\nARG VERSION=1\nRUN pip install app==$VERSION\n"
    )
    instruction = dockerfile.instructions[-1]
    env = stage_environment(dockerfile, instruction)
    assert env == {"PIP_NO_CACHE_DIR": "1", "VERSION": "1"}
    assert find_installs(instruction, env)[0].keeps_download_cache is False


def test_cache_mount_covering_the_pip_cache_is_reported() -> None:
    record = only("RUN --mount=type=cache,target=/root/.cache pip install -r requirements.txt\n")
    assert record.keeps_download_cache and record.cache_mounted and not record.cache_in_layer
    uncovered = only("RUN --mount=type=cache,target=/var/cache/apt pip install -r r.txt\n")
    assert uncovered.cache_in_layer


def test_cache_mount_in_a_non_root_home_or_conda_prefix_counts() -> None:
    pip = only("RUN --mount=type=cache,target=/home/app/.cache/pip,uid=1000 pip install -r r.txt\n")
    assert pip.cache_mounted
    other = only("RUN --mount=type=cache,target=/home/app/.cache/uv pip install -r r.txt\n")
    assert not other.cache_mounted
    conda = only("RUN --mount=type=cache,target=/opt/conda/pkgs micromamba install -y -f e.yml\n")
    assert conda.cache_mounted


def test_cache_removed_later_in_the_same_run_is_reported() -> None:
    record = installs("RUN pip install -r r.txt && rm -rf /root/.cache/pip\n")[0]
    assert record.cache_cleaned and not record.cache_in_layer
    purged = installs("RUN pip install -r r.txt && pip cache purge\n")[0]
    assert purged.cache_cleaned


def test_cd_before_the_install_is_kept_as_cwd() -> None:
    record = only("RUN cd app && poetry install --no-root\n")
    assert record.cwd == "app"
    assert record.reads == ("pyproject.toml", "poetry.lock")


def test_continuation_lines_comments_and_quoting() -> None:
    found = installs(
        "RUN set -eux; \\\n"
        "    # install the locked dependencies first\n"
        '    pip install --no-cache-dir -r "requirements/base.txt" \\\n'
        "        && echo 'pip install -e .' \\\n"
        "        && pip install --no-deps .\n"
    )
    assert [record.reads for record in found] == [("requirements/base.txt",), (".",)]
    assert found[0].line == 4 and found[1].line == 6
    assert found[1].no_deps


def test_echoed_or_commented_install_is_not_an_install() -> None:
    assert installs("RUN echo pip install flask # pip install requests\n") == []


def test_bashlex_unparseable_script_still_finds_the_install() -> None:
    found = installs("RUN n=$(( 1 + 2 )) && case $n in 3) echo;; esac && pip install -r r.txt\n")
    assert [record.reads for record in found] == [("r.txt",)]


def test_json_form_argv_is_used_directly() -> None:
    record = only('RUN ["python", "-m", "pip", "install", "-r", "requirements.txt"]\n')
    assert record.source == "exec" and record.reads == ("requirements.txt",)


def test_json_form_sh_c_is_unwrapped() -> None:
    record = only('RUN ["/bin/sh", "-c", "pip install -r requirements.txt"]\n')
    assert record.reads == ("requirements.txt",)


def test_heredoc_script_commands_are_found_with_their_lines() -> None:
    text = "RUN <<EOF\nset -e\npip install -r requirements.txt\npip install .\nEOF\n"
    first, second = installs(text)
    assert (first.source, first.line, second.line) == ("heredoc", 4, 5)


def test_heredoc_fed_to_python_is_not_shell() -> None:
    assert installs("RUN python3 <<EOF\nimport pip\nprint('pip install x')\nEOF\n") == []


def test_heredoc_fed_to_bash_and_tab_stripped_heredoc_are_shell() -> None:
    record = only("RUN bash <<-EOF\n\tpip install flask\n\tEOF\n")
    assert record.named_packages == ("flask",) and record.line == 3


def test_onbuild_run_trigger_is_examined() -> None:
    record = only("ONBUILD RUN pip install -r requirements.txt\n")
    assert record.reads == ("requirements.txt",)


def test_non_run_instructions_have_no_installs() -> None:
    assert installs("CMD pip install flask\n") == []


# --------------------------------------------------------------------------------------
# uv


def test_uv_pip_install_shares_pip_flags_and_has_its_own_cache() -> None:
    record = only("RUN uv pip install --system --no-cache -r requirements.txt\n")
    assert (record.tool, record.action, record.reads) == (
        "uv",
        "pip install",
        ("requirements.txt",),
    )
    assert record.keeps_download_cache is False
    assert only("RUN uv pip install -r r.txt\n").cache_dir == "/root/.cache/uv"
    assert only("RUN uv pip install -r r.txt\n", {"UV_NO_CACHE": "1"}).keeps_download_cache is False


def test_uv_pip_sync_reads_its_file() -> None:
    record = only("RUN uv pip sync requirements.lock\n")
    assert (record.action, record.reads) == ("pip sync", ("requirements.lock",))


def test_uv_sync_reads_lock_files_and_installs_the_project_unless_told_not_to() -> None:
    deps = only("RUN uv sync --frozen --no-install-project --no-dev\n")
    assert deps.reads == ("pyproject.toml", "uv.lock")
    assert not deps.installs_project
    assert {"--frozen", "--no-install-project", "--no-dev"} <= set(deps.options)
    full = only("RUN --mount=type=cache,target=/root/.cache/uv uv sync --locked\n")
    assert full.reads == ("pyproject.toml", "uv.lock", ".")
    assert full.installs_project and full.editable and full.cache_mounted


# --------------------------------------------------------------------------------------
# poetry, pipenv, pip-tools


def test_poetry_install_variants() -> None:
    deps = only("RUN poetry install --no-root --only main\n")
    assert deps.reads == ("pyproject.toml", "poetry.lock") and not deps.installs_project
    assert "--only=main" in deps.options
    full = only("RUN poetry install --without dev --no-interaction\n")
    assert full.installs_project and full.reads[-1] == "."
    assert full.keeps_download_cache and full.cache_dir == "/root/.cache/pypoetry"


def test_poetry_2_sync_is_an_install() -> None:
    record = only("RUN poetry sync --no-root\n")
    assert (record.action, record.reads) == ("sync", ("pyproject.toml", "poetry.lock"))


def test_setup_py_install_and_develop_install_the_project() -> None:
    record = only("RUN python setup.py develop\n")
    assert (record.tool, record.reads, record.installs_project, record.editable) == (
        "setuptools",
        (".",),
        True,
        True,
    )
    assert only("RUN python3 setup.py install\n").editable is False


def test_poetry_export_reads_the_lock_but_installs_nothing() -> None:
    export, pip = installs(
        "RUN poetry export -f requirements.txt -o requirements.txt --without-hashes "
        "&& pip install -r requirements.txt\n"
    )
    assert (export.action, export.reads) == ("export", ("pyproject.toml", "poetry.lock"))
    assert not export.keeps_download_cache and export.target == "requirements.txt"
    assert pip.reads == ("requirements.txt",)


def test_pipenv_install_and_sync_read_pipfile_and_lock() -> None:
    record = only("RUN pipenv install --deploy --system\n")
    assert (record.tool, record.reads) == ("pipenv", ("Pipfile", "Pipfile.lock"))
    assert {"--deploy", "--system"} <= set(record.options)
    assert only("RUN pipenv sync\n").action == "sync"


def test_pip_sync_defaults_to_requirements_txt() -> None:
    assert only("RUN pip-sync\n").reads == ("requirements.txt",)
    assert only("RUN pip-sync dev.txt prod.txt\n").reads == ("dev.txt", "prod.txt")
    assert only("RUN python -m piptools sync r.txt\n").tool == "pip-sync"


# --------------------------------------------------------------------------------------
# conda family


def test_conda_install_with_files_and_named_packages() -> None:
    record = only("RUN conda install -y -c conda-forge --file requirements.txt numpy=1.26\n")
    assert record.reads == ("requirements.txt",)
    assert record.named_packages == ("numpy=1.26",)
    assert record.keeps_download_cache and record.cache_dir == "/opt/conda/pkgs"


def test_conda_env_create_defaults_to_environment_yml() -> None:
    assert only("RUN conda env create\n").reads == ("environment.yml",)
    assert only("RUN mamba env update -f env/dev.yml\n").reads == ("env/dev.yml",)


def test_micromamba_create_and_clean() -> None:
    record = installs(
        "RUN micromamba create -y -n app -f environment.yml && micromamba clean -a\n"
    )[0]
    assert (record.tool, record.action, record.reads) == (
        "micromamba",
        "create",
        ("environment.yml",),
    )
    assert record.cache_cleaned and record.target == "app"


# --------------------------------------------------------------------------------------
# mounts


def test_parse_mount_reads_csv_fields_and_synonyms() -> None:
    mount = parse_mount('type=cache,dst=/root/.cache/pip,"id=a,b",sharing=locked,ro')
    assert (mount.type, mount.target, mount.id, mount.sharing) == (
        "cache",
        "/root/.cache/pip",
        "a,b",
        "locked",
    )
    assert mount.readonly
    bind = parse_mount("source=requirements.txt,target=/tmp/r.txt")
    assert (bind.type, bind.source, bind.target, bind.from_) == (
        "bind",
        "requirements.txt",
        "/tmp/r.txt",
        None,
    )
    assert parse_mount("type=bind,from=build,src=/out,destination=/in,rw=true").from_ == "build"


def test_parse_mount_never_raises_on_odd_values() -> None:
    for value in ("", ",,,", 'type="unterminated', "=", "target", None):
        parse_mount(value)


def test_bind_sources_and_cache_mounts_of_a_run() -> None:
    instruction = run(
        "RUN --mount=type=bind,source=requirements.txt,target=/r.txt "
        "--mount=type=bind,from=build,source=/wheels,target=/w "
        "--mount=type=cache,target=/root/.cache/pip pip install -r /r.txt\n"
    )
    assert bind_sources(instruction) == ("requirements.txt",)
    assert [mount.target for mount in cache_mounts(instruction)] == ["/root/.cache/pip"]
    assert [command.command.argv[0] for command in run_commands(instruction)] == ["pip"]


# --------------------------------------------------------------------------------------
# pdm, pip wheel / download


def test_pip_wheel_and_download_fill_a_directory_from_requirements() -> None:
    wheel = only("RUN pip wheel --no-cache-dir -r requirements.txt -w /wheels\n")
    assert (wheel.action, wheel.reads, wheel.target) == ("wheel", ("requirements.txt",), "/wheels")
    assert not wheel.keeps_download_cache
    download = only("RUN pip download -d /pkgs flask\n")
    assert (download.action, download.named_packages, download.target) == (
        "download",
        ("flask",),
        "/pkgs",
    )


def test_pdm_install_reads_pyproject_and_lock() -> None:
    deps = only("RUN pdm install --prod --no-self --frozen-lockfile\n")
    assert (deps.tool, deps.reads, deps.installs_project) == (
        "pdm",
        ("pyproject.toml", "pdm.lock"),
        False,
    )
    assert only("RUN pdm sync\n").reads == ("pyproject.toml", "pdm.lock", ".")


def test_pixi_install_reads_its_manifest_and_lock_and_keeps_rattlers_cache() -> None:
    deps = only("RUN pixi install --locked\n")
    assert (deps.tool, deps.reads, deps.installs_project) == (
        "pixi",
        ("pixi.toml", "pixi.lock"),
        False,
    )
    assert deps.keeps_download_cache and deps.cache_dir == "/root/.cache/rattler"
    nested = only("RUN pixi install --manifest-path env/pyproject.toml -e prod\n")
    assert nested.reads == ("env/pyproject.toml", "env/pixi.lock")
    assert only("RUN pixi run pip install -r requirements.txt\n").tool == "pip"
    assert installs("RUN pixi run serve\n") == []


def test_hatch_env_create_installs_the_project_with_its_dependencies() -> None:
    deps = only("RUN hatch env create\n")
    assert (deps.tool, deps.reads, deps.installs_project, deps.editable) == (
        "hatch",
        ("pyproject.toml", "."),
        True,
        True,
    )
    assert installs("RUN hatch build\n") == [] and installs("RUN hatch env show\n") == []


def test_pipx_and_uv_tool_install_the_project_in_a_venv_of_their_own() -> None:
    pipx = only("RUN pipx install .\n")
    assert (pipx.tool, pipx.action, pipx.installs_project) == ("pipx", "install", True)
    tool = only("RUN uv tool install --with rich .\n")
    assert (tool.tool, tool.action, tool.installs_project) == ("uv", "tool install", True)
    assert installs("RUN uv tool run ruff\n") == [] and installs("RUN pipx run black\n") == []
    assert installs("RUN uv tool install ruff\n") == []


def test_a_requirements_pipe_is_no_file_to_copy() -> None:
    deps = installs("RUN poetry export | pip install -r /dev/stdin -c /dev/fd/3\n")[-1]
    assert deps.tool == "pip" and deps.requirement_files == () and deps.manifests == ()


def test_programs_that_merely_mention_pip_are_not_installs() -> None:
    assert installs("RUN pip --version && pip list && pip freeze > r.txt && pipx install x\n") == []
    assert installs("RUN python -c 'import pip' && python setup.py --version\n") == []
    assert (
        installs("RUN command -v pip && uv --version && poetry config virtualenvs.create false\n")
        == []
    )


# --------------------------------------------------------------------------------------
# heredocs as data, as scripts


def test_heredoc_body_written_to_a_file_is_data_not_commands() -> None:
    found = installs(
        "RUN cat <<EOF > /etc/pip.conf && pip install -r requirements.txt\n"
        "[global]\npip install not-a-command\nEOF\n"
    )
    assert [record.reads for record in found] == [("requirements.txt",)]
    assert found[0].line == 2


def test_heredoc_piped_from_cat_into_sh_is_a_script() -> None:
    record = only("RUN cat <<EOF | sh\npip install -r r.txt\nEOF\n")
    assert (record.source, record.line, record.reads) == ("heredoc", 3, ("r.txt",))


def test_heredoc_before_its_shell_command_is_a_script() -> None:
    record = only("RUN <<-'SCRIPT' bash\n\tpip install -r r.txt\n\tSCRIPT\n")
    assert (record.source, record.line, record.reads) == ("heredoc", 3, ("r.txt",))


def test_heredoc_with_a_python_shebang_is_not_shell() -> None:
    assert installs("RUN <<EOF\n#!/usr/bin/env python3\nprint('pip install x')\nEOF\n") == []
    assert only("RUN <<EOF\n#!/bin/bash\npip install x\nEOF\n").named_packages == ("x",)


# --------------------------------------------------------------------------------------
# The hand-written Dockerfiles, end to end: parser, shell parsing and recognition together

CASES = Path(__file__).parent / "dockerfile_cases"

# (line, tool, action, reads, installs_project, cache_in_layer) per install, file order
EXPECTED_INSTALLS = {
    "basic.Dockerfile": [
        (9, "pip", "install", ("requirements.txt",), False, False),
    ],
    "conda.Dockerfile": [
        (4, "micromamba", "install", ("/tmp/env.yaml",), False, False),
        (7, "conda", "env create", ("environment.yml",), False, False),
        (9, "mamba", "install", (), False, True),
    ],
    "continuations.Dockerfile": [
        (9, "pip", "install", (), False, True),
    ],
    "flags_json.Dockerfile": [
        (4, "pip", "install", ("/tmp/requirements.txt",), False, False),
        (8, "pip", "download", (), False, True),
    ],
    "heredocs.Dockerfile": [
        (10, "pip", "install", ("requirements.txt",), False, True),
        (11, "pip", "install", (".",), True, True),
        (33, "pip", "install", ("requirements.txt",), False, True),
    ],
    "onbuild_misc.Dockerfile": [
        (4, "pip", "install", ("/app/requirements.txt",), False, False),
    ],
    "poetry_export.Dockerfile": [
        (2, "pip", "install", (), False, False),
        (5, "poetry", "export", ("pyproject.toml", "poetry.lock"), False, False),
        (10, "pip", "install", ("requirements.txt",), False, False),
        (12, "pip", "install", (".",), True, True),
    ],
    "shell_tricks.Dockerfile": [
        (7, "pip", "install", ("requirements/base.txt",), False, True),
        (9, "pip", "install", ("requirements/$extra.txt",), False, True),
        (10, "pip", "install", ("requirements/constraints.txt",), False, False),
        (11, "pip", "install", (), False, True),
        (12, "pip", "install", (), False, True),
        (15, "pip", "install", (".",), True, False),
        (16, "pip", "install", ("requirements/prod.txt",), False, True),
    ],
    "uv_multistage.Dockerfile": [
        (6, "uv", "sync", ("pyproject.toml", "uv.lock"), False, False),
        (11, "uv", "sync", ("pyproject.toml", "uv.lock", "."), True, False),
    ],
}


@pytest.mark.parametrize("name", sorted(EXPECTED_INSTALLS))
def test_hand_written_dockerfile_installs(name: str) -> None:
    dockerfile = parse_file(CASES / name)
    found = [
        (r.line, r.tool, r.action, r.reads, r.installs_project, r.cache_in_layer)
        for instruction in dockerfile.instructions
        for r in find_installs(instruction, stage_environment(dockerfile, instruction))
    ]
    assert found == EXPECTED_INSTALLS[name]


def test_windows_paths_under_a_backtick_escape_are_read_as_posix_shell() -> None:
    # Known limitation: RUN text is parsed as POSIX sh even for Windows images (cmd or
    # PowerShell), so backslashes in C:\app\requirements.txt are shell escapes here.
    dockerfile = parse_file(CASES / "escape_backtick.Dockerfile")
    (record,) = [r for i in dockerfile.instructions for r in find_installs(i)]
    assert record.reads == ("C:apprequirements.txt",)


# --------------------------------------------------------------------------------------
# Generated pip commands: every spelling and wrapper, checked field by field


def _pip_case(rng: random.Random) -> tuple[str, dict[str, object]]:
    """A random pip install command line and the facts it states."""
    reads: list[str] = []  # requirement/constraint files, then local paths
    paths: list[str] = []
    named: list[str] = []
    words: list[str] = []
    no_deps = no_cache = False
    for _ in range(rng.randint(1, 6)):
        kind = rng.choice(("req", "con", "pkg", "path", "flag", "value", "no-deps", "no-cache"))
        if kind in ("req", "con"):
            path = rng.choice(("requirements.txt", "req/base.txt", "r 1.txt", "c.txt"))
            short, long = ("-r", "--requirement") if kind == "req" else ("-c", "--constraint")
            spelling = rng.choice(([short, path], [short + path], [long, path], [f"{long}={path}"]))
            words.extend(spelling)
            reads.append(path)
        elif kind == "pkg":
            package = rng.choice(("flask", "requests[socks]>=2", "Django==5.0", "a-b_c.d~=1.0"))
            words.append(package)
            named.append(package)
        elif kind == "path":
            words.append(rng.choice((".", "./", ".[dev]")))
            paths.append(".")
        elif kind == "flag":
            words.append(rng.choice(("--user", "-U", "--upgrade", "-q", "--pre", "--compile")))
        elif kind == "value":
            words.extend(
                rng.choice((["-i", "https://x/simple"], ["--prefix=/install"], ["-t", "/t"]))
            )
        elif kind == "no-deps":
            words.append("--no-deps")
            no_deps = True
        else:
            words.append("--no-cache-dir")
            no_cache = True
    program = rng.choice(
        (["pip"], ["pip3"], ["pip3.12"], ["python", "-m", "pip"], ["/opt/venv/bin/pip"])
    )
    command = " ".join(shlex.quote(word) for word in [*program, "install", *words])
    wrapper = rng.choice(("", "sudo -E ", "env A=1 ", "B=2 ", "sh -c ", "cd /app && "))
    command = "sh -c " + shlex.quote(command) if wrapper == "sh -c " else wrapper + command
    if rng.random() < 0.3:
        command = f"apt-get update && {command} && rm -rf /var/lib/apt/lists/*"
    facts = {
        "reads": (*reads, *paths),
        "named_packages": tuple(named),
        "no_deps": no_deps,
        "keeps_download_cache": not no_cache,
        "installs_project": bool(paths),
    }
    return command, facts


def test_generated_pip_commands_are_read_field_by_field() -> None:
    for seed in range(500):
        command, facts = _pip_case(random.Random(seed))
        record = only(f"RUN {command}\n")
        for name, expected in facts.items():
            assert getattr(record, name) == expected, (command, name)


RUN_ATOMS = (
    "pip install -r r.txt", "cd app", "&&", ";", "||", "|", "echo 'a b'", "\\\n    ",
    "\\\n  # comment\n    ", "sh -c 'pip install .'", "if true; then pip install x; fi",
    "$(( 1 + 1 ))", "poetry install --no-root", "uv sync", "cat <<EOF", "bash <<-EOF",
)  # fmt: skip


def test_every_command_of_generated_runs_lies_within_its_instruction() -> None:
    checked = 0
    for seed in range(400):
        rng = random.Random(seed)
        body = " ".join(rng.choice(RUN_ATOMS) for _ in range(rng.randint(1, 8)))
        heredoc = "\npip install inside\nEOF" if "<<" in body else ""
        try:
            dockerfile = parse(f"FROM a\nRUN {body}{heredoc}\nWORKDIR /x\n")
        except DockerfileSyntaxError:
            continue
        run_instruction = dockerfile.instructions[1]
        for command in run_commands(run_instruction):
            assert run_instruction.line <= command.line <= run_instruction.end_line, body
            checked += 1
        find_installs(run_instruction)
    assert checked > 500
